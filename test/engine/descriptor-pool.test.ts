/**
 * The fleet's descriptor pool: never more idle files open than its capacity; a closed file is
 * reopened by its identity — at its path, or where logrotate moved it — and never read from
 * another file that took its name.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DescriptorPool } from '../../src/engine/descriptor-pool.js';
import { openLogSource } from '../../src/engine/log-source.js';
import { makeTempDirFactory } from '../helpers/temp-dir.js';

const tempDir = makeTempDirFactory('spa-descriptor-pool');

const openFds = () => fs.readdirSync('/proc/self/fd').length;

/** Writes `text` to DIR/NAME; returns the path. */
function fileWith(dir: string, name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

function readBack(pool: DescriptorPool, file: ReturnType<DescriptorPool['track']>, length: number): string | null {
  const into = Buffer.alloc(length);
  const n = pool.readAt(file, into, length, 0);
  return n < 0 ? null : into.toString('utf8', 0, n);
}

describe('a bounded descriptor pool', () => {
  it('keeps at most its capacity of idle files open, and reads a closed one back by reopening it', () => {
    const dir = tempDir();
    const before = openFds();
    const pool = new DescriptorPool(2);
    const files = Array.from({ length: 10 }, (_, i) => {
      const f = pool.track(openLogSource(fileWith(dir, `audit-${i}.log`, `line ${i}\n`)));
      pool.release(f);
      return f;
    });
    expect(pool.size).toBe(2);
    expect(openFds() - before).toBe(2);
    expect(files.map((f) => readBack(pool, f, 6))).toEqual(files.map((_, i) => `line ${i}`));
    expect(openFds() - before).toBe(2);
    for (const f of files) pool.forget(f);
    expect(openFds()).toBe(before);
  });

  it('a pinned file stays open past the capacity until released', () => {
    const dir = tempDir();
    const pool = new DescriptorPool(1);
    const a = pool.track(openLogSource(fileWith(dir, 'a', 'a\n')));
    const b = pool.track(openLogSource(fileWith(dir, 'b', 'b\n')));
    expect([a.fd >= 0, b.fd >= 0]).toEqual([true, true]);
    pool.release(a);
    expect(a.fd).toBe(-1);
    pool.release(b);
    expect(pool.size).toBe(1);
    pool.forget(a);
    pool.forget(b);
  });

  it('finds a rotated file under its new name, and never reads the new file at its old path', () => {
    const dir = tempDir();
    const live = path.join(dir, 'audit.log');
    fs.writeFileSync(live, 'the old file\n');
    const pool = new DescriptorPool(1);
    const old = pool.track(openLogSource(live));
    pool.release(old);
    const other = pool.track(openLogSource(fileWith(dir, 'x', 'x\n')));
    pool.release(other);
    expect(old.fd).toBe(-1); // closed: the pool had room for one
    fs.renameSync(live, `${live}.1`);
    fs.writeFileSync(live, 'a new file at the old name\n');
    expect(readBack(pool, old, 12)).toBe('the old file');
    expect(old.path).toBe(`${live}.1`);
    pool.forget(old);
    fs.rmSync(`${live}.1`);
    expect(readBack(pool, old, 12)).toBeNull();
    pool.forget(other);
  });
});
