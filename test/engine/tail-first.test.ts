/**
 * The tail is read first and the history merged in front of it later. Wherever the split
 * falls, the result must be exactly what reading everything in order gives (the pure join).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EngineChange, Entry } from '../../src/shared/entry.js';
import { joinRecords, type LocatedRecord } from '../shared/oracles/entry-joiner.js';
import { parseLine } from '../../src/shared/parse-line.js';
import { openEngine } from '../../src/engine/engine.js';
import { entriesOf, request, response, tempDir, writerStart } from './helpers.js';

/** A log that exercises every join rule, some of them across any split point. */
function trickyRecords(): object[] {
  const recs: object[] = [
    writerStart(1),
    response('orphan-from-rotated-history'),
    request('a'),
    request('b', { decision: 'denied' }),
    request('c'),
    response('a'),
    request('dup'),
    request('d'),
    response('c', { status: 'error', error: 'spawn' }),
    request('long-running'),
    request('dup', { host: 'web-02' }),
    response('dup'),
    response('a'), // second response
    writerStart(2), // interrupts d, dup#1, long-running
    request('e'),
    response('d'), // late response clears interrupted
    request('f', { decision: 'rejected', error: 'nope', via: 'policy', latency_ms: null }),
    response('never-requested'),
    request('g'),
    response('e', { stages: [{ exit_code: 3, stderr_len: 1, stderr_truncated: false }] }),
    request('a'), // an id from long before: duplicate
    response('g'),
    response('long-running'),
  ];
  return recs.map((r, i) => ({ ...r, seq: i + 1, prev: '0'.repeat(64) }));
}

function writeFiles(dir: string, recs: object[], split: number | null): string[] {
  const lines = recs.map((r) => `${JSON.stringify(r)}\n`);
  const live = path.join(dir, 'audit.log');
  if (split === null) {
    fs.writeFileSync(live, lines.join(''));
    return [live];
  }
  fs.writeFileSync(`${live}.1`, lines.slice(0, split).join(''));
  fs.writeFileSync(live, lines.slice(split).join(''));
  return [`${live}.1`, live];
}

/** What reading the files in order gives, by the pure join. */
function reference(files: string[]): Entry[] {
  const located: LocatedRecord[] = [];
  for (const file of files) {
    const text = fs.readFileSync(file);
    let offset = 0;
    let line = 0;
    while (offset < text.length) {
      const nl = text.indexOf(0x0a, offset);
      const bytes = text.subarray(offset, nl);
      line++;
      const r = parseLine(bytes);
      if (r.ok) located.push({ record: r.record, location: { file, line, offset, length: bytes.length, seq: r.record.seq ?? null } });
      offset = nl + 1;
    }
  }
  return joinRecords(located).entries.map((e, i) => ({ ...e, key: i }));
}

/** Keys are the engine's own; everything else must match. */
const comparable = (entries: Entry[]) => entries.map(({ key: _key, ...rest }) => rest);

describe('tail first, history merged later', () => {
  it('gives the same entries as an in-order read, wherever the tail starts', async () => {
    const dir = tempDir('tail');
    const recs = trickyRecords();
    const files = writeFiles(dir, recs, null);
    const expected = comparable(reference(files));
    const size = fs.statSync(files[0]).size;
    for (let tailBytes = 1; tailBytes <= size + 10; tailBytes += 37) {
      const engine = openEngine(files, { follow: false, tailBytes });
      const changes: EngineChange[] = [];
      engine.on('change', (c) => changes.push(c));
      await engine.indexed();
      expect(comparable(entriesOf(engine)), `tailBytes ${tailBytes}`).toEqual(expected);
      // Every entry was announced once: appended with the tail, prepended or inserted with the merge.
      const announced = changes.reduce((n, c) => n + c.appended + c.prepended + (c.inserted ?? 0), 0);
      expect(announced, `tailBytes ${tailBytes}`).toBe(engine.size());
      await engine.close();
    }
  });

  it('the same across a rotated set, wherever the rotation falls', async () => {
    const recs = trickyRecords();
    for (let split = 0; split <= recs.length; split += 3) {
      const files = writeFiles(tempDir('tail'), recs, split);
      const expected = comparable(reference(files));
      for (const tailBytes of [1, 300, 1_000_000]) {
        const engine = openEngine(files, { follow: false, tailBytes });
        await engine.indexed();
        expect(comparable(entriesOf(engine)), `split ${split}, tailBytes ${tailBytes}`).toEqual(expected);
        await engine.close();
      }
    }
  });

  it('shows the tail before the history, and prepends the history in one change', async () => {
    const dir = tempDir('tail');
    const recs = Array.from({ length: 400 }, (_, i) => ({ ...request(`r${i}`, { decision: 'denied' }), seq: i + 1, prev: '0'.repeat(64) }));
    const [file] = writeFiles(dir, recs, null);
    const lineBytes = fs.statSync(file).size / 400;
    const engine = openEngine([file], { follow: false, tailBytes: Math.round(lineBytes * 10.5) });
    const changes: EngineChange[] = [];
    engine.on('change', (c) => changes.push(c));
    await engine.ready();
    // The newest ten (and the line the split fell in) first, without line numbers yet.
    expect(engine.size()).toBe(11);
    expect(engine.entry(engine.size() - 1)).toMatchObject({ id: 'r399', request: { line: 0 } });
    await engine.indexed();
    expect(engine.size()).toBe(400);
    expect(engine.entry(399)).toMatchObject({ id: 'r399', request: { line: 400 } });
    expect(engine.entry(0).id).toBe('r0');
    expect(changes.filter((c) => c.prepended > 0)).toEqual([{ prepended: 389, appended: 0, updated: 0 }]);
    expect(engine.progress()).toMatchObject({ done: true, bytesDone: fs.statSync(file).size });
    await engine.close();
  });

  it('follows appends that arrive while the history is still being indexed', async () => {
    const dir = tempDir('tail');
    const recs = trickyRecords();
    const [file] = writeFiles(dir, recs, null);
    const chained = (r: object, seq: number) => `${JSON.stringify({ ...r, seq, prev: '0'.repeat(64) })}\n`;
    // Hold the history back until the appends below have been followed.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const engine = openEngine([file], { tailBytes: 200, beforeHistory: () => gate });
    try {
      await engine.ready();
      const before = engine.size();
      // A response for a request only the history has, a duplicate of a history id, a restart,
      // and a response for the tail's own request.
      fs.appendFileSync(file, chained(response('b'), 100) + chained(request('c'), 101) + chained(writerStart(3), 102) + chained(response('c'), 103));
      fs.appendFileSync(file, chained(request('h'), 104));
      await expect.poll(() => engine.size(), { timeout: 10_000 }).toBe(before + 2);
      expect(engine.progress().done).toBe(false);
    } finally {
      release();
    }
    await engine.indexed();
    await expect.poll(() => engine.size(), { timeout: 10_000 }).toBe(reference([file]).length);
    const expected = comparable(reference([file]));
    await expect.poll(() => comparable(entriesOf(engine)), { timeout: 10_000 }).toEqual(expected);
    await engine.close();
  });
});
