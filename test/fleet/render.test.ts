import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { placeholdersOf, renderConfig } from './render.js';
import { EXAMPLES_DIR } from './rsyslog.js';

describe('renderConfig', () => {
  it('replaces every placeholder, each time it occurs', () => {
    expect(renderConfig('a=@@A@@ b=@@B_2@@ again=@@A@@', { A: '/x', B_2: '7' })).toBe('a=/x b=7 again=/x');
  });

  it('refuses a placeholder without a value', () => {
    expect(() => renderConfig('@@A@@ @@B@@', { A: '1' }, 'sender.conf')).toThrow('sender.conf: no value for @@B@@');
  });

  it('refuses a value without a placeholder (a renamed placeholder)', () => {
    expect(() => renderConfig('@@A@@', { A: '1', OLD: '2' })).toThrow('no placeholder @@OLD@@');
  });

  it('refuses values that would break out of a quoted config string', () => {
    expect(() => renderConfig('"@@A@@"', { A: 'x" y="z' })).toThrow('may not contain quotes');
    expect(() => renderConfig('"@@A@@"', { A: 'x\ninput()' })).toThrow('newlines');
  });
});

// The README and the test harness rely on these names; keep them documented in each file.
const expected: Record<string, string[]> = {
  'sender.conf': ['WORK_DIR', 'HOSTNAME', 'AUDIT_LOG', 'COLLECTOR_HOST', 'COLLECTOR_PORT'],
  'collector.conf': ['WORK_DIR', 'LISTEN_ADDRESS', 'LISTEN_PORT', 'COLLECTED_DIR'],
  'logrotate-sender.conf': ['AUDIT_LOG'],
  'logrotate-collector.conf': ['COLLECTED_DIR', 'PID_FILE'],
  'sudo-proxy-audit-sender.service': ['WORK_DIR', 'CONF', 'PID_FILE'],
  'sudo-proxy-audit-collector.service': ['CONF', 'PID_FILE'],
};

describe('the shipped configurations', () => {
  it('are all covered here', () => {
    expect(fs.readdirSync(EXAMPLES_DIR).sort()).toEqual(Object.keys(expected).sort());
  });
  for (const [file, names] of Object.entries(expected)) {
    it(`${file} has exactly the placeholders its header documents`, () => {
      const text = fs.readFileSync(path.join(EXAMPLES_DIR, file), 'utf8');
      expect(placeholdersOf(text).sort()).toEqual([...names].sort());
      const header = text.split('\n').filter((l) => l.startsWith('#')).join('\n');
      for (const name of names) expect(header).toContain(`@@${name}@@`);
    });
  }
});
