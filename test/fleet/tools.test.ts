import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { requireTools, unitSetting } from './rsyslog.js';

const made: string[] = [];
afterAll(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

/** A directory holding executables with these names. */
function binDir(...names: string[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-tools-'));
  made.push(dir);
  for (const n of names) fs.writeFileSync(path.join(dir, n), '#!/bin/sh\n', { mode: 0o755 });
  return dir;
}

describe('requireTools', () => {
  // The fleet test fails (never skips) without them, and says what to install.
  it('fails with the install command when rsyslogd is missing', () => {
    expect(() => requireTools([binDir('logrotate')])).toThrow('rsyslogd not installed: apt-get install rsyslog rsyslog-relp');
  });

  it('fails with the install command when logrotate is missing', () => {
    expect(() => requireTools([binDir('rsyslogd')])).toThrow('logrotate not installed: apt-get install logrotate');
  });

  it('finds both in the directories given', () => {
    const dir = binDir('rsyslogd', 'logrotate');
    expect(requireTools(['', '/nonexistent', dir])).toEqual({ rsyslogd: path.join(dir, 'rsyslogd'), logrotate: path.join(dir, 'logrotate') });
  });
});

describe('unitSetting', () => {
  const unit = '[Service]\nExecStartPre=/bin/true\nExecStart=/usr/sbin/rsyslogd -n -f /etc/x.conf\n';
  it('reads a setting of a unit', () => {
    expect(unitSetting(unit, 'ExecStart')).toBe('/usr/sbin/rsyslogd -n -f /etc/x.conf');
    expect(unitSetting(unit, 'ExecStartPre')).toBe('/bin/true');
  });
  it('refuses a missing setting', () => {
    expect(() => unitSetting(unit, 'ExecStop')).toThrow('the unit has no ExecStop=');
  });
});
