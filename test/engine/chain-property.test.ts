/**
 * The engine's chain verdict is verify's (issue #13: "the same verdicts, from the same code"):
 * over logs tampered with at random — a line edited, deleted, duplicated, moved, or replaced by
 * garbage — the first break the engine lists is the one verifyChain reports, kind, line and
 * words, whether the history was read line by line or in chunks behind the tail.
 */
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openEngine } from '../../src/engine/engine.js';
import { verifyChain } from '../../src/shared/chain.js';
import { answeredLog, linesOf, writeLines } from '../helpers/integrity-logs.js';
import { chainLinesOf } from '../writer/helpers.js';
import { tempDir } from './helpers.js';

type Tamper = { kind: 'edit' | 'delete' | 'duplicate' | 'garbage'; at: number } | { kind: 'move'; at: number; to: number };

function tamper(lines: string[], t: Tamper): string[] {
  const out = [...lines];
  const at = t.at % out.length;
  if (t.kind === 'edit') out[at] = out[at].replace(/"v":1/, '"v":1,"x":1');
  else if (t.kind === 'delete') out.splice(at, 1);
  else if (t.kind === 'duplicate') out.splice(at, 0, out[at]);
  else if (t.kind === 'garbage') out[at] = 'not a record';
  else if (t.kind === 'move') {
    const [line] = out.splice(at, 1);
    out.splice(t.to % out.length, 0, line);
  }
  return out;
}

const tampers = fc.oneof(
  fc.record({ kind: fc.constantFrom('edit' as const, 'delete' as const, 'duplicate' as const, 'garbage' as const), at: fc.nat(200) }),
  fc.record({ kind: fc.constant('move' as const), at: fc.nat(200), to: fc.nat(200) }),
);

describe('the engine gives verify\'s first break', () => {
  const original = linesOf(answeredLog(tempDir('chain-prop'), 50));
  it.each([
    ['line by line behind the tail', { tailBytes: 5000 }],
    ['in chunks behind the tail', { tailBytes: 5000, parallelMinBytes: 0, scanWorkers: 0 }],
    ['in small chunks behind the tail (breaks across chunk ends)', { tailBytes: 5000, parallelMinBytes: 0, scanWorkers: 0, scanChunkBytes: 1500 }],
  ])('read %s', async (_, options) => {
    await fc.assert(
      fc.asyncProperty(fc.array(tampers, { minLength: 1, maxLength: 2 }), async (ts) => {
        const file = path.join(tempDir('chain-prop'), 'audit.log');
        writeLines(file, ts.reduce(tamper, original));
        const report = verifyChain(chainLinesOf([file]));
        const engine = openEngine([file], { follow: false, ...options });
        try {
          await engine.indexed();
          const s = engine.chainStatus?.();
          const first = s?.breaks[0];
          expect(first ? { kind: first.kind, line: first.line, message: first.message } : null).toEqual(report.break && { kind: report.break.kind, line: report.break.line, message: report.break.message });
        } finally {
          await engine.close();
          fs.rmSync(path.dirname(file), { recursive: true, force: true });
        }
      }),
      { numRuns: 25 },
    );
  });
});

describe('a prev that differs from the hash before it in one hex digit is a break (#17: prevs compared as bytes)', () => {
  const original = linesOf(answeredLog(tempDir('chain-prev'), 50));
  // A line deep enough to be read behind the tail, and one in the tail; digits at both ends and inside.
  const cases = [20, 90].flatMap((at) => [0, 1, 31, 62, 63].map((digit) => [at, digit] as const));
  const modes = [
    ['line by line behind the tail', { tailBytes: 5000 }],
    ['in chunks behind the tail', { tailBytes: 5000, parallelMinBytes: 0, scanWorkers: 0 }],
  ] as const;
  it.each(modes)('read %s: the break verify reports', async (_, options) => {
    for (const [at, digit] of cases) {
      const lines = [...original];
      const i = lines[at].indexOf('"prev":"') + 8 + digit;
      const was = lines[at][i];
      lines[at] = lines[at].slice(0, i) + (was === '0' ? '1' : '0') + lines[at].slice(i + 1);
      const file = path.join(tempDir('chain-prev'), 'audit.log');
      writeLines(file, lines);
      const report = verifyChain(chainLinesOf([file]));
      expect(report.break).not.toBeNull();
      const engine = openEngine([file], { follow: false, ...options });
      try {
        await engine.indexed();
        const first = engine.chainStatus?.().breaks[0];
        expect({ at, digit, kind: first?.kind, line: first?.line, message: first?.message }).toEqual({ at, digit, kind: report.break?.kind, line: report.break?.line, message: report.break?.message });
      } finally {
        await engine.close();
        fs.rmSync(path.dirname(file), { recursive: true, force: true });
      }
    }
  });
});

describe('a forged copy after the record it copies (same seq and prev): the two named at the first, and no second break, across chunk ends too', () => {
  const original = linesOf(answeredLog(tempDir('chain-twin'), 50));
  const modes = [
    ['line by line behind the tail', { tailBytes: 2000 }],
    ['in chunks behind the tail', { tailBytes: 2000, parallelMinBytes: 0, scanWorkers: 0 }],
    // (Chunks linked where they were scanned, then to each other: what runs without the addon.)
    ['in chunks scanned into records', { tailBytes: 2000, parallelMinBytes: 0, scanWorkers: 0, scanInto: 'records' }],
  ] as const;
  /**
   * The copy of line `at` (0-based) placed after it, and the lines cut into a rotated set at
   * `cuts` (a chunk ends at each); with the file and line of the record copied (the first of the two).
   */
  const forgedAfter = (at: number, cuts: number[]): { files: string[]; firstAt: { file: string; line: number } } => {
    const lines = [...original];
    // Copies the scanner takes (a digit) and declines (an unknown key).
    const copy = at % 2 === 0 ? lines[at].replace('"v":1', '"v":1,"x":1') : lines[at].replace('"pid":', '"pid":9').replace('"approved"', '"denied"');
    expect(copy).not.toBe(lines[at]);
    lines.splice(at + 1, 0, copy);
    const dir = tempDir('chain-twin');
    const ends = [...cuts, lines.length];
    const files = ends.map((_, i) => path.join(dir, i === cuts.length ? 'audit.log' : `audit.log.${cuts.length - i}`));
    const part = ends.findIndex((end) => at < end);
    ends.forEach((end, i) => writeLines(files[i], lines.slice(i === 0 ? 0 : ends[i - 1], end)));
    return { files, firstAt: { file: files[part], line: at + 1 - (part === 0 ? 0 : ends[part - 1]) } };
  };
  it.each(modes)('read %s: as verify names them', async (_, options) => {
    // The copy at a few places, and a chunk's end before the record, the copy, the record after
    // them, the one after that, and further; and the copy alone in a file.
    for (const at of [20, 21, 40, 41]) {
      for (const cuts of [[at - 1], [at], [at + 1], [at + 2], [at + 3], [at + 9], [at + 1, at + 2]]) {
        const { files, firstAt } = forgedAfter(at, cuts);
        const report = verifyChain(chainLinesOf(files));
        expect({ at, cuts, kind: report.break?.kind, file: report.break?.file, line: report.break?.line }).toEqual({ at, cuts, kind: 'inserted', ...firstAt });
        const engine = openEngine(files, { follow: false, ...options });
        try {
          await engine.indexed();
          const s = engine.chainStatus?.();
          expect({ at, cuts, breaks: s?.breaks.map((b) => ({ kind: b.kind, line: b.line, message: b.message })) }).toEqual({ at, cuts, breaks: [{ kind: 'inserted', line: firstAt.line, message: report.break?.message }] });
        } finally {
          await engine.close();
          fs.rmSync(path.dirname(files[0]), { recursive: true, force: true });
        }
      }
    }
  });
});
