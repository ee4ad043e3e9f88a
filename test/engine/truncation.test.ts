/**
 * Following through a truncation (logrotate's `copytruncate`: copy, then truncate) never gives
 * a half-entry: every entry `engine.entry(i)` returns is what the writer wrote, read back from
 * a file that holds it now (the live file or logrotate's copy). Records that left the disk
 * after the engine read them take their part of an entry with them (an entry without its
 * response is running again; one without its request is an orphan response; one with neither
 * is gone), and every lost record is counted in a `lost` notice: those read before and those
 * never read (the chain's seq says how many).
 *
 * Deterministic: the copy, the appends and the truncate happen in one turn of the event loop
 * where the follower must not look in between; delivery is awaited by polling.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AuditEngine, EngineChange, EngineNotice, Entry } from '../../src/shared/entry.js';
import { openEngine } from '../../src/engine/engine.js';
import { RecentBytes } from '../../src/engine/recent-bytes.js';
import { type AuditLog, openAuditLog } from '../../src/writer/audit-log.js';
import type { RequestInput, ResponseInput } from '../../src/writer/record-input.js';
import { tempDir, WAIT } from './helpers.js';

const open: AuditEngine[] = [];
const logs: AuditLog[] = [];
afterEach(async () => {
  for (const log of logs.splice(0)) log.close();
  await Promise.all(open.splice(0).map((e) => e.close()));
});

/** A log with a writer and a following engine, and what was written to it by id. */
interface Scene {
  file: string;
  engine: AuditEngine;
  notices: EngineNotice[];
  changes: EngineChange[];
  ask(id: string): void;
  answer(id: string): void;
  asked: Map<string, RequestInput>;
  answered: Map<string, ResponseInput>;
}

async function scene(): Promise<Scene> {
  const file = path.join(tempDir('truncation'), 'audit.log');
  const log = openAuditLog({ path: file, warn: () => {} });
  logs.push(log);
  const engine = openEngine([file]);
  open.push(engine);
  const notices: EngineNotice[] = [];
  const changes: EngineChange[] = [];
  engine.on('notice', (n) => notices.push(n));
  engine.on('change', (c) => changes.push(c));
  await engine.ready();
  const asked = new Map<string, RequestInput>();
  const answered = new Map<string, ResponseInput>();
  let n = 0;
  return {
    file,
    engine,
    notices,
    changes,
    asked,
    answered,
    ask(id) {
      const r: RequestInput = {
        id,
        time: `2026-11-01T08:00:${String(n++ % 60).padStart(2, '0')}Z`,
        session: `ssh:${id}`,
        pipeline: [['ls', '-l', `/srv/${id}`]],
        resolved: ['/usr/bin/ls'],
        env: { PATH: '/usr/bin', [`ONLY_${id.toUpperCase()}`]: 'x' },
        reason: `look at ${id}`,
        privileged: true,
        decision: 'approved',
        via: 'operator',
        latencyMs: 100 + n,
      };
      asked.set(id, r);
      log.request(r);
    },
    answer(id) {
      const r: ResponseInput = { id, status: 'ok', stages: [{ exitCode: id.length % 2, stderr: 3 }], stdout: id.length, durationMs: 10 * id.length };
      answered.set(id, r);
      log.response(r);
    },
  };
}

const entriesOf = (engine: AuditEngine): Entry[] => Array.from({ length: engine.size() }, (_, i) => engine.entry(i));

/** The record at a location, read from the file named there now. */
function recordAt(loc: NonNullable<Entry['request']>): Record<string, unknown> {
  const fd = fs.openSync(loc.file, 'r');
  try {
    const buf = Buffer.alloc(loc.length);
    expect(fs.readSync(fd, buf, 0, loc.length, loc.offset)).toBe(loc.length);
    return JSON.parse(buf.toString('utf8'));
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The entry is whole: its id, and every field of each record it shows, equal to what was
 * written; each record cited where it is on disk now; the state agrees with the outcome.
 */
function expectWhole(s: Scene, e: Entry): void {
  expect(e.id, JSON.stringify(e)).not.toBe('');
  const req = s.asked.get(e.id);
  const res = s.answered.get(e.id);
  if (e.request) {
    expect(req, `request ${e.id} was written`).toBeDefined();
    const r = req as RequestInput;
    expect(e).toMatchObject({
      time: r.time,
      session: r.session,
      pipeline: r.pipeline,
      resolved: r.resolved,
      envKeys: Object.keys(r.env as object).sort(),
      reason: r.reason,
      privileged: r.privileged,
      decision: r.decision,
      via: r.via,
      latencyMs: r.latencyMs,
    });
    expect(recordAt(e.request)).toMatchObject({ type: 'request', id: e.id, seq: e.request.seq });
  } else {
    expect(e.anomalies).toContain('orphan-response');
    expect(e.pipeline).toEqual([]);
  }
  if (e.response) {
    expect(res, `response ${e.id} was written`).toBeDefined();
    const r = res as ResponseInput;
    const failed = r.stages.some((st) => st.exitCode !== 0);
    expect(e).toMatchObject({ status: r.status, stages: r.stages.map((st) => ({ exitCode: st.exitCode, stderrLen: 3 })), stdoutLen: r.stdout, durationMs: r.durationMs });
    expect(e.state).toBe(failed ? 'failed' : 'ok');
    expect(recordAt(e.response)).toMatchObject({ type: 'response', id: e.id, seq: e.response.seq });
  } else {
    expect(e).toMatchObject({ status: null, stages: [], completedTime: null, durationMs: null, state: 'running' });
  }
}

const lostRecords = (notices: readonly EngineNotice[]) => notices.reduce((sum, n) => sum + (n.kind === 'lost' ? n.records : 0), 0);

/** logrotate's copytruncate, the copy named as logrotate names it. */
const copy = (file: string) => fs.copyFileSync(file, `${file}.1`);
const truncate = (file: string) => fs.truncateSync(file, 0);

describe('copytruncate while following: every entry read back whole', () => {
  it('copy then truncate, nothing written in between: old entries come back from the copy, nothing is lost', async () => {
    const s = await scene();
    for (const id of ['a', 'b', 'c']) s.ask(id);
    s.answer('a');
    s.answer('b');
    await vi.waitFor(() => expect(s.engine.query({ states: ['ok', 'failed'] }).length).toBe(2), WAIT);
    copy(s.file);
    truncate(s.file);
    s.answer('c');
    s.ask('d');
    s.answer('d');
    await vi.waitFor(() => expect(s.engine.size()).toBe(4), WAIT);
    await vi.waitFor(() => expect(s.engine.query({ states: ['ok', 'failed'] }).length).toBe(4), WAIT);
    const entries = entriesOf(s.engine);
    expect(entries.map((e) => e.id)).toEqual(['a', 'b', 'c', 'd']);
    for (const e of entries) expectWhole(s, e);
    expect(entries[0].request?.file).toBe(`${s.file}.1`);
    expect(entries[2].response?.file).toBe(s.file);
    expect(s.notices.map((n) => n.kind)).toEqual(['truncated']);
  });

  it('records the writer appended after the copy and the engine read are gone: their part of each entry goes, and they are counted', async () => {
    const s = await scene();
    s.ask('a');
    s.answer('a');
    s.ask('b');
    await vi.waitFor(() => expect(s.engine.size()).toBe(2), WAIT);
    copy(s.file);
    s.answer('b'); // after the copy: lost with the truncate
    s.ask('c'); // likewise
    s.ask('e'); // likewise; its entry has nothing left
    await vi.waitFor(() => expect(s.engine.size()).toBe(4), WAIT);
    await vi.waitFor(() => expect(s.engine.query({ states: ['ok', 'failed'] }).length).toBe(2), WAIT);
    truncate(s.file);
    s.answer('c'); // after the truncate: in the live file
    s.ask('d');
    await vi.waitFor(() => expect(s.engine.entry(s.engine.size() - 1).id).toBe('d'), WAIT);
    await vi.waitFor(() => expect(lostRecords(s.notices)).toBe(3), WAIT);
    const entries = entriesOf(s.engine);
    // b: its request is in the copy, its response in no file: running, as a fresh read shows it.
    // c: its request in no file: an orphan response. e: in no file at all: gone.
    expect(entries.map((e) => [e.id, e.state, e.anomalies])).toEqual([
      ['a', 'failed', []],
      ['b', 'running', []],
      ['c', 'failed', ['orphan-response']],
      ['d', 'running', []],
    ]);
    for (const e of entries) expectWhole(s, e);
    // Entries left the order: a consumer holding positions is told to look again.
    expect(s.changes.some((c) => c.reordered)).toBe(true);
    const lost = s.notices.filter((n) => n.kind === 'lost');
    expect(lost).toHaveLength(1);
    expect(lost[0].file).toBe(s.file);
    expect(lost[0].message).toMatch(/3 records/);
    // The writer's chain agrees: the copy and the live file skip exactly those records.
    expect(chainGap(s.file)).toBe(3);
  });

  it('records appended after the copy that the engine never read are counted from the chain', async () => {
    const s = await scene();
    s.ask('a');
    await vi.waitFor(() => expect(s.engine.size()).toBe(1), WAIT);
    // One turn of the event loop: the follower cannot read b before the truncate.
    copy(s.file);
    s.ask('bb');
    s.answer('bb');
    truncate(s.file);
    s.answer('a');
    await vi.waitFor(() => expect(s.engine.entry(0).state).toBe('failed'), WAIT);
    await vi.waitFor(() => expect(lostRecords(s.notices)).toBe(2), WAIT);
    const entries = entriesOf(s.engine);
    expect(entries.map((e) => e.id)).toEqual(['a']);
    for (const e of entries) expectWhole(s, e);
    expect(chainGap(s.file)).toBe(2);
  });

  it('records written before the copy that the engine had not read yet are read from the copy', async () => {
    const s = await scene();
    s.ask('a');
    await vi.waitFor(() => expect(s.engine.size()).toBe(1), WAIT);
    s.ask('bb');
    s.answer('a');
    copy(s.file);
    truncate(s.file);
    s.answer('bb');
    await vi.waitFor(() => expect(s.engine.query({ states: ['ok', 'failed'] }).length).toBe(2), WAIT);
    const entries = entriesOf(s.engine);
    expect(entries.map((e) => e.id)).toEqual(['a', 'bb']);
    for (const e of entries) expectWhole(s, e);
    expect(entries[1].request?.file).toBe(`${s.file}.1`);
    expect(s.notices.filter((n) => n.kind === 'lost')).toEqual([]);
  });

  it('repeated copytruncates under a writer: every entry whole, every lost record counted', async () => {
    const s = await scene();
    let next = 0;
    for (let round = 0; round < 6; round++) {
      for (let i = 0; i < 40; i++) {
        const id = `r${next++}`;
        s.ask(id);
        if (i % 3 !== 0) s.answer(id);
        if (i === 25) {
          // The previous copy moves aside first, as logrotate shifts its numbers.
          if (fs.existsSync(`${s.file}.1`)) fs.renameSync(`${s.file}.1`, `${s.file}.${round + 1}`);
          copy(s.file);
        }
        if (i === 30) truncate(s.file);
        if (i % 7 === 0) await new Promise((r) => setTimeout(r, 5)); // the follower reads some of it in between
      }
      // (Two truncates before the follower looks would leave a whole copy unread: not this test.)
      await vi.waitFor(() => expect(s.notices.filter((n) => n.kind === 'truncated')).toHaveLength(round + 1), WAIT);
    }
    s.ask('last');
    await vi.waitFor(() => expect(s.engine.entry(s.engine.size() - 1).id).toBe('last'), WAIT);
    const entries = entriesOf(s.engine);
    for (const e of entries) expectWhole(s, e);
    const ids = entries.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    // Each record written is in a file, or counted lost (the writer's start record is one).
    const written = 1 + s.asked.size + s.answered.size;
    expect(recordsOnDisk(s.file) + lostRecords(s.notices)).toBe(written);
    expect(lostRecords(s.notices)).toBe(chainGap(s.file));
  });
});

describe('a truncation without a copy (or a read back before the follower noticed)', () => {
  it('a file cut and written again: what was read from it is gone and counted, nothing half-shown', async () => {
    const s = await scene();
    s.ask('a');
    s.answer('a');
    s.ask('b');
    await vi.waitFor(() => expect(s.engine.size()).toBe(2), WAIT);
    await vi.waitFor(() => expect(s.engine.query({ states: ['failed', 'ok'] }).length).toBe(1), WAIT);
    truncate(s.file);
    s.answer('b');
    s.ask('c');
    await vi.waitFor(() => expect(s.engine.entry(s.engine.size() - 1).id).toBe('c'), WAIT);
    await vi.waitFor(() => expect(lostRecords(s.notices)).toBe(4), WAIT); // the writer's start, a's two, b's request
    const entries = entriesOf(s.engine);
    expect(entries.map((e) => [e.id, e.anomalies])).toEqual([
      ['b', ['orphan-response']],
      ['c', []],
    ]);
    for (const e of entries) expectWhole(s, e);
  });

  it('an entry asked for after the truncate, before the follower looked: read from the copy, or from what was read', async () => {
    const s = await scene();
    s.ask('a');
    s.answer('a');
    s.ask('b');
    s.ask('cc');
    s.answer('cc');
    await vi.waitFor(() => expect(s.engine.size()).toBe(3), WAIT);
    await vi.waitFor(() => expect(s.engine.query({ states: ['ok', 'failed'] }).length).toBe(2), WAIT);
    copy(s.file);
    s.answer('b'); // read, then gone with the truncate
    s.ask('xx'); // likewise, both its records
    s.answer('xx');
    await vi.waitFor(() => expect(s.engine.query({ states: ['ok', 'failed'] }).length).toBe(4), WAIT);
    // One turn: truncated and written past the old end; the entries are asked for at once.
    truncate(s.file);
    for (let i = 0; i < 20; i++) s.ask(`later-${i}`);
    const now = entriesOf(s.engine);
    expect(now.map((e) => e.id)).toEqual(['a', 'b', 'cc', 'xx']);
    expect(now[3]).toMatchObject({ id: 'xx', state: 'ok', reason: 'look at xx', pipeline: [['ls', '-l', '/srv/xx']], status: 'ok', durationMs: 20 });
    expectWhole(s, now[0]);
    expectWhole(s, now[2]);
    expect(now[0].request?.file).toBe(`${s.file}.1`);
    // b's response is in no file now, but it was read a moment ago: b is still whole.
    expect(now[1]).toMatchObject({ id: 'b', state: 'failed', status: 'ok', stages: [{ exitCode: 1, stderrLen: 3 }], stdoutLen: 1, durationMs: 10 });
    expect(recordAt(now[1].request as NonNullable<Entry['request']>)).toMatchObject({ id: 'b', type: 'request' });
    // Once the follower has looked, it is what the files hold: b runs, xx is gone, and the three
    // records are counted lost.
    await vi.waitFor(() => expect(s.engine.entry(s.engine.size() - 1).id).toBe('later-19'), WAIT);
    await vi.waitFor(() => expect(lostRecords(s.notices)).toBe(3), WAIT);
    for (const e of entriesOf(s.engine)) expectWhole(s, e);
    expect(entriesOf(s.engine).slice(0, 4).map((e) => [e.id, e.state])).toEqual([
      ['a', 'failed'],
      ['b', 'running'],
      ['cc', 'ok'],
      ['later-0', 'running'],
    ]);
  });
});

describe('a read without a follower', () => {
  it('a file copytruncated after it was indexed: its entries are read back from the copy', async () => {
    const file = path.join(tempDir('truncation'), 'audit.log');
    const log = openAuditLog({ path: file, warn: () => {} });
    logs.push(log);
    for (const id of ['a', 'b']) {
      log.request({ id, time: '2026-11-01T08:00:00Z', session: 's', pipeline: [['ls', id]], privileged: false, decision: 'approved', via: 'policy' });
      log.response({ id, status: 'ok', stages: [{ exitCode: 0, stderr: 0 }], stdout: 1, durationMs: 1 });
    }
    const engine = openEngine([file], { follow: false });
    open.push(engine);
    await engine.indexed();
    copy(file);
    truncate(file);
    for (let i = 0; i < 10; i++) log.request({ id: `later-${i}`, time: '2026-11-01T08:00:00Z', session: 's', pipeline: [['ls']], privileged: false, decision: 'approved', via: 'policy' });
    const entries = entriesOf(engine);
    expect(entries.map((e) => [e.id, e.state, e.pipeline])).toEqual([
      ['a', 'ok', [['ls', 'a']]],
      ['b', 'ok', [['ls', 'b']]],
    ]);
    expect(entries.map((e) => e.request?.file)).toEqual([`${file}.1`, `${file}.1`]);
  });
});

describe('the bytes a follower read last (RecentBytes)', () => {
  /** Byte i of the file is i mod 251. */
  const bytesAt = (at: number, n: number) => Buffer.from(Array.from({ length: n }, (_, j) => (at + j) % 251));

  it('holds the last `cap` bytes read, by file offset, across wrap-arounds; nothing older, nothing before keep()', () => {
    for (const cap of [10, 64, 1000]) {
      const recent = new RecentBytes(cap);
      recent.add(bytesAt(0, 5), 0);
      expect(recent.read(0, 5)).toBeNull();
      recent.keep();
      let at = 5;
      for (let i = 0; i < 300; i++) {
        const n = (i * 7) % 23;
        recent.add(bytesAt(at, n), at);
        at += n;
        const held = Math.min(cap, at - 5);
        if (held > 0) expect(recent.read(at - held, held)).toEqual(bytesAt(at - held, held));
        if (at >= 3 + 5) expect(recent.read(at - 3, 3)).toEqual(bytesAt(at - 3, 3));
        expect(recent.read(at - held - 1, 2)).toBeNull();
        expect(recent.read(at - 1, 2)).toBeNull();
      }
    }
  });

  it('starts again when what is read is not where the last read ended', () => {
    const recent = new RecentBytes(100);
    recent.keep();
    recent.add(bytesAt(0, 50), 0);
    recent.add(bytesAt(70, 10), 70);
    expect(recent.read(40, 10)).toBeNull();
    expect(recent.read(70, 10)).toEqual(bytesAt(70, 10));
  });
});

// ---- what the files hold ----

/** Every record in the live file and the copies beside it. */
function recordsOf(file: string): Array<{ seq: number }> {
  const dir = path.dirname(file);
  const base = path.basename(file);
  return fs
    .readdirSync(dir)
    .filter((n) => n.startsWith(base))
    .flatMap((n) =>
      fs
        .readFileSync(path.join(dir, n), 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as { seq: number }),
    );
}

const recordsOnDisk = (file: string) => recordsOf(file).length;

/** Records missing from the chain across the files. */
function chainGap(file: string): number {
  const seqs = recordsOf(file).map((r) => r.seq);
  return Math.max(...seqs) - seqs.length;
}
