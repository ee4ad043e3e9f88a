/**
 * The hash chain checked where entries are read (issue #13): the engine's chainStatus() gives
 * verify's verdict — kind, file:line and words — whichever way the lines were read (in order,
 * tail first then the history on this thread, in chunks, or by a scan worker), and a forged
 * line appended while following turns it broken at once.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type OpenEngineOptions, openEngine } from '../../src/engine/engine.js';
import { verifyChain } from '../../src/shared/chain.js';
import { orderCollected } from '../../src/shared/chain-order.js';
import type { AuditEngine, ChainStatus } from '../../src/shared/entry.js';
import { answeredLog, deleteLine, linesOf, modifyLine, writeLines } from '../helpers/integrity-logs.js';
import { fleet, open as fleetEngines } from '../hardening/collector-chain-harness.js';
import { chainLinesOf } from '../writer/helpers.js';
import { tempDir, WAIT } from './helpers.js';

const READS: Array<[string, OpenEngineOptions]> = [
  ['in order', {}],
  ['tail first, history line by line', { tailBytes: 6000 }],
  ['tail first, history in chunks on this thread', { tailBytes: 6000, parallelMinBytes: 0, scanWorkers: 0 }],
  ['tail first, history by a scan worker', { tailBytes: 6000, parallelMinBytes: 0, scanWorkers: 1, queueForStartingWorkers: true }],
  // Chunks a worker scanned and chunks this thread scanned while it waited, one after another.
  ['tail first, history by a scan worker and this thread in turn', { tailBytes: 6000, parallelMinBytes: 0, scanWorkers: 1, queueForStartingWorkers: true, scanChunkBytes: 1000, localChunks: (c) => c % 3 !== 0 }],
];

const open: AuditEngine[] = [];
afterEach(async () => {
  await Promise.all([...open.splice(0), ...fleetEngines.splice(0)].map((e) => e.close()));
});

async function indexed(files: string[], options: OpenEngineOptions): Promise<AuditEngine> {
  const engine = openEngine(files, { follow: false, ...options });
  open.push(engine);
  await engine.indexed();
  return engine;
}

const status = (engine: AuditEngine) => engine.chainStatus?.() as ChainStatus;

describe.each(READS)('the chain, read %s', (_, options) => {
  it('an intact log: intact, every chained record checked', async () => {
    const file = answeredLog(tempDir('chain'), 60);
    const engine = await indexed([file], options);
    const lines = linesOf(file).length;
    expect(status(engine)).toEqual({ state: 'intact', checked: lines, total: lines, unchained: 0, unchecked: 0, breaks: [], breakCount: 0 });
  });

  it.each([
    ['in the history', 20],
    ['in the tail', 100],
  ])('a modified line %s: broken where verify says, with its words, and the entry to jump to', async (_where, line) => {
    const file = answeredLog(tempDir('chain'), 60);
    modifyLine(file, line); // request 10 (line 20) or 50 (line 100), denied instead of approved
    const report = verifyChain(chainLinesOf([file]));
    const engine = await indexed([file], options);
    const s = status(engine);
    expect(s.state).toBe('broken');
    expect(s.breakCount).toBe(1);
    expect(s.breaks[0]).toMatchObject({ kind: 'modified', file, line, message: report.break?.message, origin: '' });
    expect(report.break).toMatchObject({ kind: 'modified', line });
    expect(engine.entry(engine.positionOf(s.breaks[0].entryKey)).id).toBe(`req-${line / 2}`);
  });

  it('a deleted line: deleted, where verify says', async () => {
    const file = answeredLog(tempDir('chain'), 60);
    deleteLine(file, 40);
    const report = verifyChain(chainLinesOf([file]));
    const engine = await indexed([file], options);
    const s = status(engine);
    expect(s.state).toBe('broken');
    expect(s.breaks.map(({ kind, line, message }) => ({ kind, line, message }))).toEqual([{ kind: 'deleted', line: 40, message: report.break?.message }]);
  });

  it('two breaks: both listed, in log order', async () => {
    const file = answeredLog(tempDir('chain'), 60);
    modifyLine(file, 10);
    modifyLine(file, 110);
    const engine = await indexed([file], options);
    expect(status(engine).breaks.map((b) => [b.kind, b.line])).toEqual([
      ['modified', 10],
      ['modified', 110],
    ]);
  });
});

describe('the chain across a rotated set', () => {
  it('is one chain over the files, as verify reads it', async () => {
    const dir = tempDir('chain');
    const file = answeredLog(dir, 40);
    const lines = linesOf(file);
    writeLines(`${file}.1`, lines.slice(0, 30));
    writeLines(file, lines.slice(30));
    const engine = await indexed([`${file}.1`, file], { tailBytes: 3000 });
    expect(status(engine)).toMatchObject({ state: 'intact', checked: lines.length, breakCount: 0 });
  });
});

describe('the chain while following', () => {
  it('a forged line appended: a chain event says broken at once, naming it', async () => {
    const file = answeredLog(tempDir('chain'), 20);
    const engine = openEngine([file]);
    open.push(engine);
    await engine.indexed();
    await vi.waitFor(() => expect(status(engine).state).toBe('intact'), WAIT);
    const events: ChainStatus[] = [];
    engine.on('chain', (s) => events.push(s));
    // A copy of the last line with its seq moved on: what a forger without the hash would write.
    const last = linesOf(file).at(-1) as string;
    const seq = (JSON.parse(last) as { seq: number }).seq;
    fs.appendFileSync(file, `${last.replace(`"seq":${seq}`, `"seq":${seq + 1}`)}\n`);
    await vi.waitFor(() => expect(events.at(-1)?.state).toBe('broken'), WAIT);
    const lines = linesOf(file).length;
    expect(events.at(-1)?.breaks[0]).toMatchObject({ kind: 'modified', file: path.resolve(file), line: lines - 1 });
  });
});

/** A collector directory of one host, `web`, with these files (name → lines); and their paths. */
function collectedHost(files: Record<string, string[]>): { dir: string; paths: Record<string, string> } {
  const dir = tempDir('chain');
  fs.mkdirSync(path.join(dir, 'web'));
  const paths: Record<string, string> = {};
  for (const [name, lines] of Object.entries(files)) writeLines((paths[name] = path.join(dir, 'web', name)), lines);
  return { dir, paths };
}

/** The fleet engine over a collector directory, indexed (closed after the test). */
const fleetIndexed = (dir: string, options: OpenEngineOptions & { follow?: boolean } = {}): Promise<AuditEngine> => fleet(dir, options);

/** verify's verdict over a collected host's files, in the order verify over a collector puts its lines. */
const verifyCollected = (files: string[]) => verifyChain(orderCollected(chainLinesOf(files)).lines);

const breaksOf = (engine: AuditEngine) => status(engine).breaks.map((b) => [b.kind, b.line, b.message]);

describe('the chain of a collected host', () => {
  it('a batch the shipper delivered late is checked in seq order: intact, as verify says', async () => {
    const lines = linesOf(answeredLog(tempDir('chain'), 60));
    const { dir } = collectedHost({ 'audit.log': [...lines.slice(0, 40), ...lines.slice(70, 100), ...lines.slice(40, 70), ...lines.slice(100)] });
    expect(status(await fleetIndexed(dir))).toMatchObject({ state: 'intact', checked: lines.length, breakCount: 0 });
  });

  it('a record missing for good is still a deletion', async () => {
    const lines = linesOf(answeredLog(tempDir('chain'), 60));
    const { dir } = collectedHost({ 'audit.log': [...lines.slice(0, 40), ...lines.slice(41)] });
    expect(status(await fleetIndexed(dir)).breaks.map((b) => [b.kind, b.line, b.origin])).toEqual([['deleted', 41, 'web']]);
  });
});

describe('a forged copy of a record far behind it (a collected host)', () => {
  // (verify DIR puts it beside its seq and names the two; the engine, checking as lines come, once
  // let it pass unchecked and said intact.)
  it.each([
    ['at the end of the file', (lines: string[], copy: string) => [...lines, copy]],
    ['a few records later', (lines: string[], copy: string) => [...lines.slice(0, 50), copy, ...lines.slice(50)]],
  ])('%s, in a host whose records its check holds: the two named at the first, as verify names them', async (_, place) => {
    const lines = linesOf(answeredLog(tempDir('chain'), 60));
    const forged = lines[39].replace('"approved"', '"denied"');
    expect(forged).not.toBe(lines[39]);
    const { dir, paths } = collectedHost({ 'audit.log': place(lines, forged) });
    const report = verifyCollected([paths['audit.log']]);
    expect(report.break).toMatchObject({ kind: 'inserted', line: 40 });
    expect(breaksOf(await fleetIndexed(dir))).toEqual([['inserted', 40, report.break?.message]]);
  });

  it('in a live file read first as its tail, the original in a rotated file, a host past the records its check holds: a break', async () => {
    // (An attacker's review: the duplicate check, in read order, found the original to differ from
    // the copy, not the copy from the original; the copy, replayed after its turn, passed.)
    const lines = linesOf(answeredLog(tempDir('chain'), 2100));
    const forged = lines[99].replace('"approved"', '"denied"');
    expect(forged).not.toBe(lines[99]);
    const { dir, paths } = collectedHost({ 'audit.log.1': lines.slice(0, 3000), 'audit.log': [...lines.slice(3000), forged] });
    expect(verifyCollected([paths['audit.log.1'], paths['audit.log']]).ok).toBe(false);
    for (const options of [{}, { tailBytes: 2000 }]) expect(status(await fleetIndexed(dir, options)).state).toBe('broken');
  });

  it('at the end of a host past the records its check holds (4,096): named where it arrived', async () => {
    const lines = linesOf(answeredLog(tempDir('chain'), 2100));
    const forged = lines[39].replace('"approved"', '"denied"');
    const { dir } = collectedHost({ 'audit.log': [...lines, forged] });
    const s = status(await fleetIndexed(dir));
    expect(s.breaks.map((b) => [b.kind, b.line, b.origin])).toEqual([['inserted', lines.length + 1, 'web']]);
    expect(s.breaks[0].message).toContain('carries seq 40, whose record was already checked: one of the two is not from the chain');
  });
});

describe('a collected host\'s sender re-sending its current file (a restart), a batch lost before it', () => {
  it('intact, as verify says: the resent copies read before their originals are no copies, nor a new chain', async () => {
    // (The rsyslog test's scenario: the collected file's tail, read first, holds the resent
    // lines from genesis on; once taken for a restart and for copies.)
    const lines = linesOf(answeredLog(tempDir('chain'), 300));
    // Records 1–200 collected and rotated; 201 lost at the stop; 202–400 after it; then the whole file again.
    const { dir, paths } = collectedHost({ 'audit.log.1': lines.slice(0, 200), 'audit.log': [...lines.slice(201, 400), ...lines] });
    expect(verifyCollected([paths['audit.log.1'], paths['audit.log']]).ok).toBe(true);
    for (const options of [{}, { tailBytes: 20_000 }]) expect(status(await fleetIndexed(dir, options))).toMatchObject({ state: 'intact', breakCount: 0 });
  });
});

describe('a forged copy right after the record it copies (a collected host)', () => {
  it('is judged beside it, as verify over the collector judges it: the two named at the first', async () => {
    // (An attacker's review: a request edited approved → denied, put right after the genuine one: intact.)
    const lines = linesOf(answeredLog(tempDir('chain'), 60));
    const forged = lines[19].replace('"approved"', '"denied"');
    expect(forged).not.toBe(lines[19]);
    const { dir, paths } = collectedHost({ 'audit.log': [...lines.slice(0, 20), forged, ...lines.slice(20)] });
    const report = verifyCollected([paths['audit.log']]);
    expect(report.break).toMatchObject({ kind: 'inserted', line: 20 });
    expect(breaksOf(await fleetIndexed(dir))).toEqual([['inserted', 20, report.break?.message]]);
  });
});

describe('a forged copy of a record still held for its turn (a collected host)', () => {
  it('waits with it, and the two are judged in arrival order when their turn comes, as verify judges them', async () => {
    const lines = linesOf(answeredLog(tempDir('chain'), 60));
    // Seq 45 comes before 41–44 (a late batch), then a forged copy of it, then the batch.
    const forged = lines[44].replace('"stdout_len":1234', '"stdout_len":1');
    expect(forged).not.toBe(lines[44]);
    const { dir, paths } = collectedHost({ 'audit.log': [...lines.slice(0, 40), lines[44], forged, 'junk after the copy', ...lines.slice(40, 44), ...lines.slice(45)] });
    const report = verifyCollected([paths['audit.log']]);
    expect(report.break).toMatchObject({ kind: 'inserted', line: 41 });
    expect(breaksOf(await fleetIndexed(dir))).toEqual([['inserted', 41, report.break?.message]]);
  });
});

describe('a collected host\'s records after their turn that are no copy', () => {
  it('a new chain (a writer that lost its log): restarted where verify says, and every record of both chains checked', async () => {
    // (Its records once all came "after their turn" of the old chain's seqs, unchecked: intact.)
    const lines = [...linesOf(answeredLog(tempDir('chain'), 30)), ...linesOf(answeredLog(tempDir('chain'), 10))];
    const { dir, paths } = collectedHost({ 'audit.log': lines });
    const report = verifyCollected([paths['audit.log']]);
    const s = status(await fleetIndexed(dir));
    expect(s).toMatchObject({ state: 'broken', checked: lines.length, breakCount: 1 });
    expect(s.breaks[0]).toMatchObject({ kind: 'restarted', line: 63, message: report.break?.message });
    // The old chain's records held for a missing one go first: its deletion, then the restart, as verify orders them.
    writeLines(paths['audit.log'], [...lines.slice(0, 40), ...lines.slice(41)]);
    const first = verifyCollected([paths['audit.log']]).break;
    const again = await fleetIndexed(dir);
    expect(status(again).breaks.map((b) => [b.kind, b.line])).toEqual([['deleted', 41], ['restarted', 62]]);
    expect(status(again).breaks[0].message).toBe(first?.message);
  });

  it('a new chain in the live file, the old one rotated (read once: the tail before its history): restarted, as verify says', async () => {
    // (An attacker's review: the two chains were merged by seq, 123 breaks.)
    const old = linesOf(answeredLog(tempDir('chain'), 30));
    const fresh = linesOf(answeredLog(tempDir('chain'), 30));
    const { dir, paths } = collectedHost({ 'audit.log.1': old, 'audit.log': fresh });
    const report = verifyCollected([paths['audit.log.1'], paths['audit.log']]);
    expect(report.break).toMatchObject({ kind: 'restarted', line: 1 });
    for (const options of [{}, { tailBytes: 2000 }, { wholeHosts: true }]) {
      expect(breaksOf(await fleetIndexed(dir, options))).toEqual([['restarted', 1, report.break?.message]]);
    }
    // An old chain past the records held before the check starts: its genesis checked, not held, when the new one comes.
    const longer = collectedHost({ 'audit.log.1': linesOf(answeredLog(tempDir('chain'), 300)), 'audit.log': fresh });
    const first = verifyCollected([longer.paths['audit.log.1'], longer.paths['audit.log']]).break;
    expect(first).toMatchObject({ kind: 'restarted', line: 1 });
    expect(breaksOf(await fleetIndexed(longer.dir))).toEqual([['restarted', 1, first?.message]]);
  });

  it('a batch later than the window: the gap it leaves, judged missing, is taken back when it fills it; its records no copies', async () => {
    const lines = linesOf(answeredLog(tempDir('chain'), 2100));
    // Records 41–60 after more than 4,096 later ones (the records a track holds for their turn).
    const { dir } = collectedHost({ 'audit.log': [...lines.slice(0, 40), ...lines.slice(60), ...lines.slice(40, 60)] });
    const s = status(await fleetIndexed(dir));
    expect(s).toMatchObject({ state: 'intact', breakCount: 0, breaks: [], checked: lines.length, unchecked: 0 });
    // Without its first record, the batch cannot fill the gap: the deletion stands.
    const { dir: short } = collectedHost({ 'audit.log': [...lines.slice(0, 40), ...lines.slice(60), ...lines.slice(41, 60)] });
    const t = status(await fleetIndexed(short));
    expect(t.breaks.map((b) => [b.kind, b.line])).toEqual([['deleted', 41]]);
    expect(t).toMatchObject({ breakCount: 1, unchecked: 19 });
  });
});

describe('the chain of a followed collected host', () => {
  it('records waiting for a late batch are not a break: checking, then intact once it comes', async () => {
    const lines = linesOf(answeredLog(tempDir('chain'), 60));
    const { dir, paths } = collectedHost({ 'audit.log': [...lines.slice(0, 40), ...lines.slice(70)] });
    const engine = await fleetIndexed(dir, { follow: true });
    await vi.waitFor(() => expect(status(engine)).toMatchObject({ state: 'checking', checked: 40, breakCount: 0 }), WAIT);
    fs.appendFileSync(paths['audit.log'], lines.slice(40, 70).map((l) => `${l}\n`).join(''));
    await vi.waitFor(() => expect(status(engine)).toMatchObject({ state: 'intact', checked: lines.length, breakCount: 0 }), WAIT);
  });
});
