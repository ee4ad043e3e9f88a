import { describe, expect, it } from 'vitest';
import type { RecordLocation } from '../../src/shared/entry.js';
import type { EntryState } from '../../src/shared/entry.js';
import { ANOMALY_BITS, type EntrySink, type IdIndex, type JoinRequest, type JoinResponse, Joiner, parseRecordTime } from '../../src/shared/join.js';
import { joinRecords, type LocatedRecord } from './oracles/entry-joiner.js';
import type { AuditRecord } from '../../src/shared/schema.js';
import { request, response, writerStart } from '../engine/helpers.js';

/** Marks a record to be left without chain fields. */
class Bare {
  constructor(readonly record: object) {}
}

/** Records as if read from one file written by a chaining writer, one per line. */
function located(...items: Array<object | Bare>): LocatedRecord[] {
  let offset = 0;
  return items.map((item, i) => {
    const r = item instanceof Bare ? item.record : { ...item, seq: i + 1, prev: '0'.repeat(64) };
    const length = JSON.stringify(r).length;
    const location: RecordLocation = { file: 'audit.log', line: i + 1, offset, length, seq: (r as { seq?: number }).seq ?? null };
    offset += length + 1;
    return { record: r as AuditRecord, location };
  });
}


describe('joinRecords', () => {
  it('joins a request and its response into one entry with the outcome', () => {
    const { entries } = joinRecords(located(request('a'), response('a', { stdout_len: 77, duration_ms: 1234 })));
    expect(entries).toHaveLength(1);
    const e = entries[0];
    expect(e).toMatchObject({ key: 0, id: 'a', state: 'ok', host: 'web-01', stdoutLen: 77, durationMs: 1234, status: 'ok', anomalies: [] });
    expect(e.request).toMatchObject({ line: 1, offset: 0 });
    expect(e.response).toMatchObject({ line: 2 });
    expect(e.timeMs).toBe(Date.UTC(2026, 10, 1, 8));
    expect(e.completedMs).toBe(Date.UTC(2026, 10, 1, 8, 0, 5));
  });

  it('derives each state', () => {
    const { entries } = joinRecords(
      located(
        request('run'),
        request('ok'),
        request('exit'),
        request('err'),
        request('den', { decision: 'denied' }),
        request('tmo', { decision: 'timeout' }),
        request('rej', { decision: 'rejected', error: 'not in the allow-list', latency_ms: null, via: 'policy' }),
        response('ok'),
        response('exit', { stages: [{ exit_code: 0, stderr_len: 0, stderr_truncated: false }, { exit_code: 1, stderr_len: 9, stderr_truncated: false }] }),
        response('err', { status: 'error', error: 'spawn ls: No such file', stages: [] }),
      ),
    );
    expect(Object.fromEntries(entries.map((e) => [e.id, e.state]))).toEqual({
      run: 'running',
      ok: 'ok',
      exit: 'failed',
      err: 'failed',
      den: 'denied',
      tmo: 'timeout',
      rej: 'rejected',
    });
    expect(entries.find((e) => e.id === 'rej')?.requestError).toBe('not in the allow-list');
    expect(entries.find((e) => e.id === 'exit')?.stages.map((s) => s.exitCode)).toEqual([0, 1]);
  });

  it('keeps an orphan response as its own entry, where its line is', () => {
    const { entries } = joinRecords(located(request('a'), response('gone', { status: 'error', error: 'x', stages: [] }), response('a')));
    expect(entries.map((e) => [e.id, e.state, e.anomalies])).toEqual([
      ['a', 'ok', []],
      ['gone', 'failed', ['orphan-response']],
    ]);
    const orphan = entries[1];
    expect(orphan).toMatchObject({ request: null, decision: null, pipeline: [], time: '2026-11-01T08:00:05.000Z' });
    expect(orphan.response?.line).toBe(2);
  });

  it('flags a duplicate id; the response goes to the latest request with that id', () => {
    const { entries } = joinRecords(located(request('a'), request('a', { host: 'web-02' }), response('a')));
    expect(entries.map((e) => [e.host, e.state, e.anomalies])).toEqual([
      ['web-01', 'running', []],
      ['web-02', 'ok', ['duplicate-id']],
    ]);
  });

  it('keeps the first response and flags a second one', () => {
    const { entries } = joinRecords(located(request('a'), response('a', { stdout_len: 1 }), response('a', { stdout_len: 2, status: 'error', error: 'x' })));
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ state: 'ok', stdoutLen: 1, anomalies: ['second-response'] });
    expect(entries[0].response?.line).toBe(2);
  });

  it('marks entries still running when a writer restarts as interrupted; a late response clears it', () => {
    const { entries, writerEvents } = joinRecords(
      located(writerStart(1), request('a'), request('b'), request('c', { decision: 'denied' }), writerStart(2), request('d'), response('b')),
    );
    expect(entries.map((e) => [e.id, e.state, e.anomalies])).toEqual([
      ['a', 'running', ['interrupted']],
      ['b', 'ok', []],
      ['c', 'denied', []],
      ['d', 'running', []],
    ]);
    expect(writerEvents.map((w) => [w.event, w.pid, w.location.line])).toEqual([
      ['start', 1, 1],
      ['start', 2, 5],
    ]);
  });

  it('surfaces dropped-record events of the writer', () => {
    const { writerEvents } = joinRecords(located({ ...writerStart(), event: 'dropped', dropped: 12, error: 'ENOSPC: no space left' }));
    expect(writerEvents).toEqual([
      expect.objectContaining({ event: 'dropped', dropped: 12, error: 'ENOSPC: no space left', location: expect.objectContaining({ line: 1 }) }),
    ]);
  });

  it('flags records without chain fields as unchained', () => {
    const { entries } = joinRecords(located(request('a'), response('a'), request('b'), new Bare(response('b'))));
    expect(entries.map((e) => e.anomalies)).toEqual([[], ['unchained']]);
    expect(entries[0].request?.seq).toBe(1);
  });
});

describe('parseRecordTime', () => {
  it('reads ISO 8601 instants with a zone', () => {
    expect(parseRecordTime('2026-11-01T08:00:00Z')).toBe(Date.UTC(2026, 10, 1, 8));
    expect(parseRecordTime('2026-11-01T08:00:00.123Z')).toBe(Date.UTC(2026, 10, 1, 8, 0, 0, 123));
    expect(parseRecordTime('2026-11-01T10:00:00+02:00')).toBe(Date.UTC(2026, 10, 1, 8));
    expect(parseRecordTime('2024-02-29T00:00:00Z')).toBe(Date.UTC(2024, 1, 29));
  });

  it('gives NaN for anything else rather than a guess', () => {
    for (const s of ['1', '', 'yesterday', '2026-02-31T00:00:00Z', '2025-02-29T00:00:00Z', '2026-11-01T24:00:00Z', '2026-11-01T08:00:00', '2026-11-01']) {
      expect(parseRecordTime(s), s).toBeNaN();
    }
  });
});

describe('Joiner', () => {
  /** The smallest sink: a state per slot. */
  function sink() {
    const states: EntryState[] = [];
    const s: EntrySink<JoinRequest, JoinResponse> = {
      addRequest: (r, state) => states.push(state) - 1,
      addOrphan: (r, state) => states.push(state) - 1,
      setResponse: (slot, r, state) => void (states[slot] = state),
      flag: () => {},
      unflag: () => {},
      state: (slot) => states[slot],
      hasResponse: (slot) => states[slot] !== 'running',
    };
    return { s, states };
  }

  it('keeps a bounded list of running entries through a long log, and interrupts exactly the running ones at a writer start', () => {
    const { s } = sink();
    const flagged: number[] = [];
    s.flag = (slot, bits) => void (bits === ANOMALY_BITS.interrupted && flagged.push(slot));
    const slots = new Map<number, number>();
    const ids: IdIndex<number> = {
      get: (id) => slots.get(id) ?? -1,
      put: (id, slot) => {
        const had = slots.get(id) ?? -1;
        slots.set(id, slot);
        return had;
      },
    };
    const joiner = new Joiner<number, JoinRequest, JoinResponse>(s, ids);
    const leftRunning: number[] = [];
    for (let i = 0; i < 100_000; i++) {
      const slot = joiner.request(i, { decision: 'approved', chained: true });
      if (i % 1000 === 7) leftRunning.push(slot);
      else joiner.response(i, { failed: false, chained: true });
    }
    expect(joiner.tracked).toBeLessThanOrEqual(2048);
    joiner.writerStart();
    expect(flagged).toEqual(leftRunning);
  });
});
