/**
 * Attacks on verify's reads into a ring of reused buffers (read-file-sync.ts `plainChunksSync`,
 * session 19), found by an attacker's review of the change: each failed before its fix.
 * - inPlanOrder (chain-order.ts) kept an early line of a collected host with `text.slice()`,
 *   which for a Buffer is a view: read over three chunks later, a held line was checked on
 *   other bytes — a record modified at its length, its original bytes planted where the ring
 *   read over it, passed `verify` of a collector directory (ok, exit 0).
 * - splitLines held views of a line's start across reads, three at most on a file read whole;
 *   a line appended in parts while `verify` reads (a growing file: short reads) spans more.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { chainLinesOfFiles, recordProblem } from '../../src/cli/commands/lines.js';
import { openLogSource } from '../../src/engine/log-source.js';
import { splitLines, textChunksSync } from '../../src/engine/read-file-sync.js';
import { hashLine, verifyChain } from '../../src/shared/chain.js';
import { inPlanOrder, orderCollected, planCollectedOrder } from '../../src/shared/chain-order.js';
import { GENESIS_HASH } from '../../src/shared/schema.js';
import { generateLog } from '../../src/demo/generate.js';
import { makeTempDirFactory } from '../helpers/temp-dir.js';

const tempDir = makeTempDirFactory('spa-verify-ring');
const MiB = 1 << 20;

/** A chain of writer records (lines the native scanner declines, so classifyChainLine reads them), ~500 bytes each. */
function chain(n: number): string[] {
  const out: string[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const text = JSON.stringify({ v: 1, type: 'writer', seq, prev, time: '2026-11-01T08:00:00Z', event: 'start', pid: 1, error: 'x'.repeat(350) });
    out.push(text);
    prev = hashLine(text);
  }
  return out;
}

/** seq 1–100, then 201–n, then the late batch 101–200. */
const lateBatch = (c: string[]) => [...c.slice(0, 100), ...c.slice(200), ...c.slice(100, 200)];

const collected = (file: string) => verifyChain(inPlanOrder(planCollectedOrder(chainLinesOfFiles([file])), () => chainLinesOfFiles([file])), { judge: recordProblem });

describe('a collected host with a late batch, over more than three read chunks', () => {
  it('hands on every held line with its own bytes, and the intact chain is ok', () => {
    const c = chain(10_000);
    const file = path.join(tempDir(), 'audit.log');
    fs.writeFileSync(file, `${lateBatch(c).join('\n')}\n`);
    expect(fs.statSync(file).size).toBeGreaterThan(4 * MiB);
    const plan = planCollectedOrder(chainLinesOfFiles([file]));
    const handed: string[] = [];
    for (const l of inPlanOrder(plan, () => chainLinesOfFiles([file]))) handed.push(Buffer.from(l.text).toString());
    expect(handed.findIndex((t, i) => t !== c[i])).toBe(-1);
    // (Both passes over the lines held in memory too: each kept as it came, not a view read over.)
    expect(orderCollected(chainLinesOfFiles([file])).lines.map((l) => Buffer.from(l.text).toString())).toEqual(c);
    const report = collected(file);
    expect(report.break).toBeNull();
    expect(report.malformedCount).toBe(0);
    expect(report.ok).toBe(true);
  });

  it('does not pass a modified record whose original bytes sit where the ring reads over it (the default, native, path)', () => {
    const log = path.join(tempDir(), 'written.log');
    generateLog({ path: log, count: 10_000, seed: 3 });
    const c = fs.readFileSync(log, 'latin1').split('\n').slice(0, -1);
    const arrivals = lateBatch(c);
    const head = Buffer.byteLength(`${arrivals.slice(0, -100).join('\n')}\n`, 'latin1');
    // A request in the early batch that lies within one read chunk and whose place + 3j MiB falls just past the early batch.
    let k = 100, at = 0, q = 0;
    for (let before = Buffer.byteLength(`${arrivals.slice(0, 100).join('\n')}\n`, 'latin1'); k < arrivals.length - 100; before += arrivals[k].length + 1, k++) {
      const line = arrivals[k];
      if (!line.includes('"reason":"') || (before % MiB) + line.length > MiB) continue;
      q = before;
      while (q < head + 1) q += 3 * MiB;
      if (q - head < 4000 && Math.floor(q / MiB) === Math.floor((q + line.length) / MiB)) {
        at = before;
        break;
      }
    }
    expect(at).toBeGreaterThan(0);
    const original = arrivals[k];
    const i = original.indexOf('"reason":"') + 10;
    // Two ASCII bytes of the reason for one two-byte character: same length, no longer ASCII (the native scanner declines it).
    arrivals[k] = `${original.slice(0, i)}\u00c3\u00a9${original.slice(i + 2)}`;
    const carrier = `${'#'.repeat(q - head)}${original}`;
    const file = path.join(tempDir(), 'audit.log');
    fs.writeFileSync(file, `${arrivals.slice(0, -100).join('\n')}\n${carrier}\n${arrivals.slice(-100).join('\n')}\n`, 'latin1');
    const report = collected(file);
    expect(report.ok).toBe(false);
  });
});

describe('a line written in parts while it is read', () => {
  it('is handed on with the bytes written, however many short reads it took', () => {
    const file = path.join(tempDir(), 'audit.log');
    const parts = ['{"first":"aaaaaaaa",', '"second":"bbbbbbbb",', '"third":"cccccccc",', '"fourth":"dddddddd"}\n'];
    fs.writeFileSync(file, parts[0]);
    let next = 1;
    /** The file's chunks, the writer appending a part after each is read. */
    function* growing(chunks: Iterable<Buffer>): Generator<Buffer> {
      for (const chunk of chunks) {
        yield chunk;
        if (next < parts.length) fs.appendFileSync(file, parts[next++]);
      }
    }
    const lines = [...splitLines(growing(textChunksSync(openLogSource(file))))].map((l) => l.toString('latin1'));
    expect(lines).toEqual([parts.join('').slice(0, -1)]);
  });
});
