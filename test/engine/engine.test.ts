/** The engine over files that do not change: rotated sets, .gz history, bad lines, queries. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EngineNotice } from '../../src/shared/entry.js';
import { computeStats, factsOf, filterEntries } from '../shared/oracles/entry-query.js';
import { openEngine } from '../../src/engine/engine.js';
import { findRotatedSet } from '../../src/engine/rotated-set.js';
import { openAuditLog } from '../../src/writer/audit-log.js';
import { rotateLikeLogrotate } from '../helpers/rotate.js';
import { entriesOf, ids, jsonl, request, response, tempDir, writerStart } from './helpers.js';

const req = (i: number, extra: object = {}) => ({
  id: `r${i}`,
  time: `2026-11-01T08:${String(i % 60).padStart(2, '0')}:00Z`,
  host: i % 2 ? 'web-01' : 'db',
  session: 'ssh:alice',
  pipeline: [['ls', `/dir${i}`]],
  privileged: true,
  decision: 'approved' as const,
  ...extra,
});
const res = (i: number, exitCode = 0) => ({ id: `r${i}`, status: 'ok' as const, stages: [{ exitCode, stderr: 0 }], stdout: i, durationMs: i });

/** audit.log.3.gz (oldest) … audit.log.1, audit.log: written by the real writer, rotated like logrotate `compress`. */
function rotatedSet(dir: string): string {
  const live = path.join(dir, 'audit.log');
  // rotationCheckMs 0: the writer notices each rotation at its next append (by default it checks
  // at most once a millisecond, and a record may follow the renamed file).
  const log = openAuditLog({ path: live, warn: () => {}, rotationCheckMs: 0 });
  log.request(req(1));
  log.request(req(2));
  log.response(res(1));
  rotateLikeLogrotate(live, { delaycompress: false }); // → .1.gz
  log.response(res(2, 3)); // its request is in the gz file
  log.request(req(3));
  rotateLikeLogrotate(live, { delaycompress: false }); // .1.gz → .2.gz, live → .1.gz
  log.request(req(4));
  log.response(res(3));
  rotateLikeLogrotate(live, { delaycompress: true }); // .2.gz → .3.gz, .1.gz → .2.gz, live → .1
  log.response(res(4));
  log.request(req(5, { decision: 'denied' }));
  log.close();
  return live;
}

describe('a rotated set with .gz history', () => {
  it('reads oldest first and joins across files', async () => {
    const live = rotatedSet(tempDir());
    const files = findRotatedSet(live);
    expect(files.map((f) => path.basename(f))).toEqual(['audit.log.3.gz', 'audit.log.2.gz', 'audit.log.1', 'audit.log']);
    const engine = openEngine(files, { follow: false });
    await engine.indexed();
    expect(engine.progress().done).toBe(true);
    const entries = entriesOf(engine);
    expect(entries.map((e) => [e.id, e.state])).toEqual([
      ['r1', 'ok'],
      ['r2', 'failed'],
      ['r3', 'ok'],
      ['r4', 'ok'],
      ['r5', 'denied'],
    ]);
    const r2 = entries[1];
    expect(path.basename(r2.request?.file ?? '')).toBe('audit.log.3.gz');
    expect(path.basename(r2.response?.file ?? '')).toBe('audit.log.2.gz');
    // Lines: the writer's start record is line 1 of the first file. A rotation without
    // delaycompress deletes the file the writer has open (gzip replaces it): the next file
    // starts with the writer's trace of that (a `dropped` record, count 0), then the response.
    expect(r2.request?.line).toBe(3);
    expect(r2.response?.line).toBe(2);
    expect(r2.stages[0].exitCode).toBe(3);
    expect(engine.malformedCount()).toBe(0);
    expect(engine.writerEvents().map((w) => [w.event, path.basename(w.location.file), w.location.line])).toEqual([
      ['start', 'audit.log.3.gz', 1],
      ['dropped', 'audit.log.2.gz', 1],
      ['dropped', 'audit.log.1', 1],
      ['stop', 'audit.log', 3],
    ]);
    await engine.close();
  });

  it('answers the whole contract for its own files: no collected hosts, no duplicates dropped, positions by key', async () => {
    const engine = openEngine(findRotatedSet(rotatedSet(tempDir())), { follow: false });
    await engine.indexed();
    expect(engine.origins()).toEqual([]);
    expect(engine.duplicateLines()).toBe(0);
    for (let p = 0; p < engine.size(); p++) expect(engine.positionOf(engine.entry(p).key)).toBe(p);
    expect(engine.positionOf(-5)).toBe(-1);
    await engine.close();
  });

  it('re-reads what it shows: the entry matches the bytes at its location', async () => {
    const live = rotatedSet(tempDir());
    const engine = openEngine(findRotatedSet(live), { follow: false });
    await engine.indexed();
    for (const e of entriesOf(engine)) {
      const loc = e.request;
      if (!loc || loc.file.endsWith('.gz')) continue;
      const line = fs.readFileSync(loc.file).subarray(loc.offset, loc.offset + loc.length).toString();
      expect(JSON.parse(line)).toMatchObject({ id: e.id, type: 'request', seq: loc.seq });
    }
    await engine.close();
  });
});

describe('lines that are not records', () => {
  it('are counted with file, line number, offset and reason, and never stop the engine', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'audit.log');
    const lines: Buffer[] = [
      Buffer.from(JSON.stringify(request('a'))), // 1
      Buffer.from('this is not json'), // 2
      Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]), // 3: invalid UTF-8
      Buffer.from(JSON.stringify({ ...request('b'), privileged: 'yes' })), // 4
      Buffer.from(`{"pad":"${'x'.repeat(1024 * 1024)}"}`), // 5: over the cap
      Buffer.from(JSON.stringify(response('a'))), // 6
      Buffer.from('{"v":1,"type":"response","id":"torn'), // 7: torn, no newline at the end
    ];
    fs.writeFileSync(file, Buffer.concat(lines.flatMap((l, i) => (i < lines.length - 1 ? [l, Buffer.from('\n')] : [l]))));
    const engine = openEngine([file], { follow: false });
    await engine.indexed();
    expect(entriesOf(engine).map((e) => [e.id, e.state])).toEqual([['a', 'ok']]);
    expect(engine.malformedCount()).toBe(5);
    const offsetOf = (n: number) => lines.slice(0, n - 1).reduce((sum, l) => sum + l.length + 1, 0);
    expect(engine.malformed()).toEqual([
      { file, line: 2, offset: offsetOf(2), reason: 'not JSON' },
      { file, line: 3, offset: offsetOf(3), reason: 'invalid UTF-8' },
      { file, line: 4, offset: offsetOf(4), reason: 'schema: privileged: expected boolean, received string' },
      { file, line: 5, offset: offsetOf(5), reason: 'over the 1 MiB line cap' },
      { file, line: 7, offset: offsetOf(7), reason: 'not JSON' },
    ]);
    await engine.close();
  });

  it('a final line without a newline that is a record is read (static file)', async () => {
    const file = path.join(tempDir(), 'audit.log');
    fs.writeFileSync(file, jsonl(request('a')) + JSON.stringify(response('a')));
    const engine = openEngine([file], { follow: false });
    await engine.indexed();
    expect(entriesOf(engine).map((e) => e.state)).toEqual(['ok']);
    await engine.close();
  });
});

describe('anomalies through the engine', () => {
  it('orphans, duplicates, second responses, running and interrupted entries', async () => {
    const file = path.join(tempDir(), 'audit.log');
    fs.writeFileSync(
      file,
      jsonl(
        response('before-history'),
        request('a'),
        request('a'),
        response('a'),
        response('a'),
        request('run'),
        writerStart(2),
        request('still'),
      ),
    );
    const engine = openEngine([file], { follow: false });
    await engine.indexed();
    expect(entriesOf(engine).map((e) => [e.id, e.state, e.anomalies.filter((a) => a !== 'unchained')])).toEqual([
      ['before-history', 'ok', ['orphan-response']],
      ['a', 'running', ['interrupted']], // a duplicate id took its response; still running at the restart
      ['a', 'ok', ['duplicate-id', 'second-response']],
      ['run', 'running', ['interrupted']],
      ['still', 'running', []],
    ]);
    expect(engine.stats().anomalies).toMatchObject({ 'orphan-response': 1, 'duplicate-id': 1, 'second-response': 1, interrupted: 2 });
    await engine.close();
  });
});

describe('queries through the engine', () => {
  it('agree with the pure filters and stats over the same entries', async () => {
    const file = path.join(tempDir(), 'audit.log');
    const log = openAuditLog({ path: file, warn: () => {} });
    for (let i = 0; i < 60; i++) {
      log.request(req(i, { decision: i % 7 === 0 ? 'denied' : 'approved', latencyMs: i * 10 }));
      if (i % 7 !== 0 && i % 5 !== 0) log.response(res(i, i % 3 === 0 ? 1 : 0));
    }
    log.close();
    const engine = openEngine([file], { follow: false });
    await engine.indexed();
    const entries = entriesOf(engine);
    for (const filter of [{}, { states: ['failed' as const] }, { hosts: ['db'] }, { text: 'DIR1' }, { failedOnly: true, hosts: ['web-01'] }]) {
      expect(Array.from(engine.query(filter))).toEqual(Array.from(filterEntries(entries, filter)));
    }
    expect(engine.stats()).toEqual(computeStats(entries.map(factsOf)));
    const sub = { states: ['running' as const] };
    expect(engine.stats(sub)).toEqual(computeStats(Array.from(filterEntries(entries, sub), (i) => factsOf(entries[i]))));
    expect(engine.stats().byState).toEqual({ running: 10, ok: 27, failed: 14, denied: 9, timeout: 0, rejected: 0 });
    await engine.close();
  });

  it('search finds a whole id by its hash, and --id takes a prefix, as the pure filter does', async () => {
    const file = path.join(tempDir(), 'audit.log');
    const log = openAuditLog({ path: file, warn: () => {} });
    for (let i = 0; i < 40; i++) {
      const id = `${(i * 2654435761 % 0xffffffff).toString(16).padStart(8, '0')}-${i}`;
      log.request({ ...req(i), id, resolved: [`/opt/bin${i % 4}/ls`], ...(i % 9 === 0 ? { decision: 'rejected' as const, error: `argv refused ${i}` } : {}) });
      if (i % 9 !== 0) log.response({ ...res(i), id, ...(i % 6 === 0 ? { status: 'error' as const, error: `spawn EACCES ${i}`, stages: [] } : {}) });
    }
    // An id JSON escapes: read back whole, not from the bytes.
    log.request({ ...req(40), id: 'esc"aped\u001b-40' });
    log.response({ ...res(40), id: 'orphan"-41' });
    log.close();
    const engine = openEngine([file], { follow: false });
    await engine.indexed();
    const entries = entriesOf(engine);
    const filters = [
      { text: entries[7].id },
      { text: entries[7].id.slice(0, 6) },
      { text: '/opt/bin2' },
      { text: 'eacces' },
      { text: 'ssh:alice' },
      { text: 'web-01', states: ['ok' as const] },
      { regex: /^web-0\d$/ },
      { idPrefix: entries[3].id.slice(0, 3) },
      { idPrefix: 'zz' },
      { idPrefix: 'esc"' },
      { idPrefix: 'orphan"' },
      { text: 'esc"aped\u001b-40' },
      { text: 'ped\\e-4' },
      { text: 'PHAN"-4' },
      { text: entries[7].id.slice(2, 9).toUpperCase() },
    ];
    for (const filter of filters) {
      const expected = Array.from(filterEntries(entries, filter));
      expect(Array.from(engine.query(filter)), JSON.stringify(filter)).toEqual(expected);
    }
    expect(Array.from(engine.query({ text: entries[7].id }))).toEqual([7]);
    // A part of an id finds its entry (an id as shown: escaped), from the columns; a regex does not look at ids.
    expect(Array.from(engine.query({ text: entries[7].id.slice(2, 9) }))).toEqual([7]);
    expect(Array.from(engine.query({ text: 'ped\\e-4' }), (p) => engine.entry(p).id)).toEqual(['esc"aped\u001b-40']);
    expect(Array.from(engine.query({ text: 'PHAN"-4' }), (p) => engine.entry(p).id)).toEqual(['orphan"-41']);
    // Resolved paths and both errors are searched from the columns (the oracle above searches them too).
    expect(Array.from(engine.query({ text: '/opt/bin2' }))).toEqual([2, 6, 10, 14, 18, 22, 26, 30, 34, 38]);
    expect(Array.from(engine.query({ text: 'eacces' }))).toEqual([6, 12, 24, 30]);
    expect(Array.from(engine.query({ text: 'ARGV REFUSED' }))).toEqual([0, 9, 18, 27, 36]);
    expect(engine.query({ regex: /refused 2\d/ })).toHaveLength(1);
    expect(Array.from(engine.query({ idPrefix: 'esc"' }), (p) => engine.entry(p).id)).toEqual(['esc"aped\u001b-40']);
    expect(Array.from(engine.query({ idPrefix: 'orph' }), (p) => engine.entry(p).id)).toEqual(['orphan"-41']);
    expect(engine.query({ regex: /^web-0\d$/ })).toHaveLength(20);
    await engine.close();
  });
});

describe('files that cannot be read', () => {
  it('a missing file or a directory is a notice naming it; ready and indexed still resolve', async () => {
    const dir = tempDir();
    const missing = path.join(dir, 'nope.log');
    const good = path.join(dir, 'audit.log');
    fs.writeFileSync(good, jsonl(request('a')));
    const engine = openEngine([missing, dir, good], { follow: false });
    const notices: EngineNotice[] = [];
    engine.on('notice', (n) => notices.push(n));
    await engine.ready();
    await engine.indexed();
    expect(ids(engine)).toEqual(['a']);
    const all = engine.notices();
    // (Kept for a late subscriber: the same as the events.)
    expect(notices).toEqual(all);
    expect(all).toEqual([
      { kind: 'error', file: missing, message: `${missing} does not exist` },
      { kind: 'error', file: dir, message: `${dir} is a directory, not an audit log` },
    ]);
    await engine.close();
  });
});
