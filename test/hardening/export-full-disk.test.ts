/**
 * The viewer's `w` on a disk that fills up mid-export. The kernel then takes part of a write
 * and says how much (a short write, no error) before it refuses the next: a file size limit
 * (`ulimit -f`) does exactly that on any filesystem, so a child writes under one. Whatever is
 * said must be true of the file: never "wrote N entries" over a file that holds fewer, never a
 * line cut in half left behind as if it were a record.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTempDirFactory } from '../helpers/temp-dir.js';

const tempDir = makeTempDirFactory('spa-export-full');
const TAKE_OUT = path.resolve('src/tui/take-out.ts');
const TSX = path.resolve('node_modules/.bin/tsx');

/** `writeLines` of `count` JSON lines of ~300 bytes to `file`, in a child limited to `limitKb` KiB a file. */
function exportUnderLimit(file: string, count: number, limitKb: number): unknown {
  const script = path.join(path.dirname(file), 'export.ts');
  fs.writeFileSync(
    script,
    `import { writeLines } from ${JSON.stringify(TAKE_OUT)};
const lines = Array.from({ length: ${count} }, (_, i) => JSON.stringify({ n: i, pad: 'x'.repeat(290) }));
process.stdout.write(JSON.stringify(writeLines(${JSON.stringify(file)}, lines, false)));`,
  );
  const r = spawnSync('bash', ['-c', `ulimit -f ${limitKb} && exec "$0" "$1"`, TSX, script], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as unknown;
}

/** The file holds whole lines only, in order, and the error names how many. */
function expectWholeLinesCounted(file: string, result: unknown): void {
  const text = fs.readFileSync(file, 'utf8');
  const whole = text.split('\n').slice(0, -1);
  expect(text.endsWith('\n')).toBe(true);
  for (const [i, line] of whole.entries()) expect(JSON.parse(line)).toMatchObject({ n: i });
  expect(whole.length).toBeGreaterThan(0);
  expect(result).toEqual({ error: expect.stringMatching(new RegExp(`^it holds only the first ${whole.length} entries \\((EFBIG|ENOSPC)`)) as unknown });
}

describe('w on a disk that fills up', () => {
  it('a write the kernel took only part of is an error naming the whole entries the file holds, and no half line is left', () => {
    const file = path.join(tempDir(), 'out.jsonl');
    // 200 lines (~60 KB) in one batch, 16 KiB allowed: the kernel takes 16,384 bytes and says so.
    expectWholeLinesCounted(file, exportUnderLimit(file, 200, 16));
  });

  it('a write refused outright (nothing more fits) says the same of the batches written before it', () => {
    const file = path.join(tempDir(), 'out.jsonl');
    // 3,000 lines: batches of 1,000 (~300 KB each) against 640 KiB: the third is cut, and cut again.
    expectWholeLinesCounted(file, exportUnderLimit(file, 3000, 640));
  });
});
