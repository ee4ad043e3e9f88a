import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { findTool, isCi, requireTool } from './system-tools.js';
import { makeTempDirFactory } from './temp-dir.js';

const tempDir = makeTempDirFactory('spa-tools');

/** A directory holding these files: executables, unless named `*.so`. */
function dirWith(...names: string[]): string {
  const dir = tempDir();
  for (const n of names) fs.writeFileSync(path.join(dir, n), '#!/bin/sh\n', { mode: n.endsWith('.so') ? 0o644 : 0o755 });
  return dir;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('requireTool', () => {
  it('finds a command in the directories given, in order, skipping empty and missing ones', () => {
    const first = dirWith('logrotate');
    const second = dirWith('logrotate', 'rsyslogd');
    expect(requireTool('logrotate', { package: 'logrotate', dirs: ['', '/nonexistent', first, second], ci: true })).toEqual({
      name: 'logrotate',
      found: true,
      path: path.join(first, 'logrotate'),
    });
    expect(requireTool('rsyslogd', { package: 'rsyslog', dirs: [first, second], ci: true }).path).toBe(path.join(second, 'rsyslogd'));
  });

  it('wants a command executable, a module only readable', () => {
    const dir = dirWith('omrelp.so');
    fs.writeFileSync(path.join(dir, 'logrotate'), '', { mode: 0o644 });
    fs.mkdirSync(path.join(dir, 'tmux'));
    // As root, X_OK holds for a file with any execute bit: none here.
    expect(findTool('logrotate', [dir])).toBeNull();
    expect(findTool('tmux', [dir])).toBeNull();
    expect(findTool('omrelp.so', [dir], true)).toBe(path.join(dir, 'omrelp.so'));
  });

  it('under CI, a missing tool fails, naming it and its Debian package', () => {
    const empty = dirWith();
    expect(() => requireTool('rsyslogd', { package: 'rsyslog', dirs: [empty], ci: true })).toThrow(
      'rsyslogd is missing, and under CI every tool the tests need must be installed (Debian package rsyslog: apt-get install -y rsyslog; .ci/run does it)',
    );
  });

  it('elsewhere, a missing tool is a skip, said in one line naming what is skipped, the tool and its package', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const tool = requireTool('logrotate', { package: 'logrotate', dirs: [dirWith()], ci: false, for: 'the rotation tests' });
    expect(tool).toEqual({ name: 'logrotate', found: false, path: 'logrotate' });
    expect(warn.mock.calls).toEqual([
      ['skipped: test/helpers/system-tools.test.ts › the rotation tests — needs logrotate, which is not installed (Debian package logrotate: apt-get install -y logrotate)'],
    ]);
  });
});

describe('isCi', () => {
  it('reads CI as CI services set it: anything but unset, empty, 0 or false', () => {
    expect([undefined, '', '0', 'false', 'FALSE'].map(isCi)).toEqual([false, false, false, false, false]);
    expect(['true', '1', 'yes'].map(isCi)).toEqual([true, true, true]);
  });
});
