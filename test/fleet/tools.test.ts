import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTempDirFactory } from '../helpers/temp-dir.js';
import { rsyslogModuleDirs, unitSetting } from './rsyslog.js';

const tempDir = makeTempDirFactory('fleet-tools');

describe('rsyslogModuleDirs', () => {
  it('looks in each multiarch directory, then in plain lib/rsyslog', () => {
    const lib = tempDir();
    fs.mkdirSync(path.join(lib, 'x86_64-linux-gnu'));
    fs.mkdirSync(path.join(lib, 'aarch64-linux-gnu'));
    fs.mkdirSync(path.join(lib, 'python3'));
    expect(rsyslogModuleDirs(lib).sort()).toEqual(
      [path.join(lib, 'aarch64-linux-gnu/rsyslog'), path.join(lib, 'rsyslog'), path.join(lib, 'x86_64-linux-gnu/rsyslog')].sort(),
    );
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
