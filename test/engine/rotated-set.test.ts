import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findRotatedSet, rotatedName, rotationBase } from '../../src/engine/rotated-set.js';
import { tempDir } from './helpers.js';

describe('findRotatedSet', () => {
  it('orders numbered rotations oldest first, the live file last', () => {
    const dir = tempDir('rot');
    for (const name of ['audit.log', 'audit.log.1', 'audit.log.2.gz', 'audit.log.10.gz', 'audit.log.3.gz', 'other.log.1', 'audit.log.bak', 'audit.log.2.gz.tmp']) {
      fs.writeFileSync(path.join(dir, name), '');
    }
    fs.mkdirSync(path.join(dir, 'audit.log.4'));
    const live = path.join(dir, 'audit.log');
    expect(findRotatedSet(live).map((p) => path.basename(p))).toEqual(['audit.log.10.gz', 'audit.log.3.gz', 'audit.log.2.gz', 'audit.log.1', 'audit.log']);
  });

  it('orders dateext rotations by date', () => {
    const dir = tempDir('rot');
    for (const name of ['audit.log-20261102.gz', 'audit.log-20261101.gz', 'audit.log-20261103']) fs.writeFileSync(path.join(dir, name), '');
    expect(findRotatedSet(path.join(dir, 'audit.log')).map((p) => path.basename(p))).toEqual([
      'audit.log-20261101.gz',
      'audit.log-20261102.gz',
      'audit.log-20261103',
      'audit.log',
    ]);
  });

  it('a missing directory or live file still yields the live path to wait for', () => {
    expect(findRotatedSet('/nonexistent/dir/audit.log')).toEqual(['/nonexistent/dir/audit.log']);
  });

  it('classifies names strictly (regex characters in the base are literal)', () => {
    expect(rotatedName('a.log', 'a.log.7.gz')).toEqual({ number: 7, date: null, gzip: true });
    expect(rotatedName('a.log', 'aXlog.1')).toBeNull();
    expect(rotatedName('a.log', 'a.log.')).toBeNull();
  });

  it('names the live file a rotated file comes from (a set named without it), or null', () => {
    expect(rotationBase('audit.log.1')).toBe('audit.log');
    expect(rotationBase('audit.log.12.gz')).toBe('audit.log');
    expect(rotationBase('audit.log-20261101')).toBe('audit.log');
    expect(rotationBase('audit.log-2026110123.gz')).toBe('audit.log');
    expect(rotationBase('a.1.log.3')).toBe('a.1.log');
    expect(rotationBase('audit.log')).toBeNull();
    expect(rotationBase('audit.log.gz')).toBeNull();
    expect(rotationBase('audit.log.bak')).toBeNull();
    expect(rotationBase('.1')).toBeNull();
  });
});
