/**
 * A scan worker interns the lines' strings in pools of its own (native-lines.ts ChunkStrings),
 * whose ids the reader maps to the store's (scanner-strings.ts): the index must be the one a
 * single thread makes, whatever the strings — escaped or not, colliding in the bytes a full pool
 * samples, past every pool's cap at once (session 17's attacker; it found no difference).
 */
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it, vi } from 'vitest';
import { ScannerStrings } from '../../src/engine/scanner-strings.js';
import type { Entry } from '../../src/shared/entry.js';
import { openEngine, type OpenEngineOptions } from '../../src/engine/engine.js';
import { WORKER_POOL_MAX } from '../../src/engine/native-lines.js';
import { entriesOf, jsonl, request, response, tempDir } from '../engine/helpers.js';

const comparable = (entries: Entry[]) => entries.map(({ key: _key, ...rest }) => rest);
const ONE: OpenEngineOptions = { parallelMinBytes: Number.POSITIVE_INFINITY };
const worker = (chunk: number): OpenEngineOptions => ({ parallelMinBytes: 0, scanWorkers: 1, queueForStartingWorkers: true, scanChunkBytes: chunk });

async function read(files: string[], options: OpenEngineOptions, texts: string[]) {
  const engine = openEngine(files, { follow: false, tailBytes: 2000, ...options });
  await engine.indexed();
  const got = {
    entries: comparable(entriesOf(engine)),
    malformed: engine.malformed(),
    stats: engine.stats(),
    chain: engine.chainStatus?.(),
    dups: engine.duplicateLines?.(),
    found: Object.fromEntries(texts.map((text) => [text, Array.from(engine.query({ text }))])),
  };
  await engine.close();
  return got;
}

async function same(files: string[], variants: OpenEngineOptions[], texts: string[] = []) {
  const expected = await read(files, ONE, texts);
  for (const v of variants) {
    // (The worker's ids really are taken: chunks mapped, not all left to this thread.)
    const spy = vi.spyOn(ScannerStrings.prototype, 'storeIds');
    let got: Awaited<ReturnType<typeof read>>;
    try {
      got = await read(files, v, texts);
      expect(spy.mock.results.filter((r, k) => r.value !== null && spy.mock.calls[k][2] !== null).length, 'chunks whose strings the worker gave').toBeGreaterThan(0);
    } finally {
      spy.mockRestore();
    }
    expect(got.entries.length, JSON.stringify(v)).toBe(expected.entries.length);
    expect(got.entries, JSON.stringify(v)).toEqual(expected.entries);
    expect(got.malformed, JSON.stringify(v)).toEqual(expected.malformed);
    expect(got.found, JSON.stringify(v)).toEqual(expected.found);
    expect(got.stats, JSON.stringify(v)).toEqual(expected.stats);
    expect(got.chain, JSON.stringify(v)).toEqual(expected.chain);
    expect(got.dups, JSON.stringify(v)).toEqual(expected.dups);
  }
  return expected;
}

const chained = (recs: object[]) => recs.map((r, i) => ({ ...r, seq: i + 1, prev: '0'.repeat(64) }));

describe('a scan worker interning the strings', () => {
  it('escaped, non-ASCII and escape-equal strings', async () => {
    const dir = tempDir('atk');
    const file = path.join(dir, 'audit.log');
    const hosts = ['café', 'caf\\u00e9', 'ab', 'a\\u0062', 'q"x', 'b\\\\s', '', 'ﬀ', 'web-01', 'x\\ny', 'x\ny', '\u0000z', 'a/b', 'a\\/b'];
    const lines: string[] = [];
    for (let i = 0; i < 600; i++) {
      const h = hosts[i % hosts.length];
      const reason = hosts[(i * 7) % hosts.length];
      const session = hosts[(i * 3) % hosts.length];
      // hand-made JSON so raw escapes (\u0062, \/) reach the line bytes
      const enc = (s: string) => '"' + s.replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\u0000/g, '\\u0000') + '"';
      const rq = JSON.parse(JSON.stringify(request(`r${i}`)));
      let line = JSON.stringify({ ...rq, seq: 2 * i + 1, prev: '0'.repeat(64) });
      line = line.replace(`"host":"web-01"`, `"host":${h.includes('\\') ? '"' + h + '"' : enc(h)}`);
      line = line.replace(`"session":"ssh:alice"`, `"session":${session.includes('\\') ? '"' + session + '"' : enc(session)}`);
      line = line.replace(`"reason":"apply the new vhost config"`, `"reason":${reason.includes('\\') ? '"' + reason + '"' : enc(reason)}`);
      if (i % 5 === 0) line = line.replace(`"resolved":["/usr/bin/systemctl"]`, `"resolved":["/usr/bin/\\u0073ystemctl"]`);
      if (i % 7 === 0) line = line.replace(`"pipeline":[["systemctl","restart","nginx"]]`, `"pipeline":[["systemctl","rest\\u0061rt","nginx"]]`);
      lines.push(line);
      const err = i % 3 === 0 ? `"spawn \\u00e9 ${i % 4}"` : i % 3 === 1 ? `"spawn é ${i % 4}"` : 'null';
      lines.push(JSON.stringify({ ...response(`r${i}`), seq: 2 * i + 2, prev: '0'.repeat(64) }).replace('"error":null', `"error":${err}`).replace('"status":"ok"', err === 'null' ? '"status":"ok"' : '"status":"error"'));
    }
    fs.writeFileSync(file, lines.join('\n') + '\n');
    await same([file], [worker(3000), worker(50_000)], ['café', 'ab', 'restart', 'spawn é', 'systemctl', 'q"x']);
  }, 30_000);

  it('sample collisions past a full pool', async () => {
    const dir = tempDir('atk');
    const file = path.join(dir, 'audit.log');
    const n = WORKER_POOL_MAX + 200;
    // length-20 strings that share positions 0,10,19,5,14 (the sampled ones) and differ elsewhere
    const col = (k: number) => {
      const c = 'A' + 'bcd'[k % 3] + String(k).padStart(3, '0') + 'E' + 'ghij' + 'K' + 'lmn' + 'O' + 'pqrs' + 'T';
      return c;
    };
    const recs: object[] = [];
    for (let i = 0; i < n; i++) recs.push(request(`u${i}`, { host: `filler-${i}`, reason: `fill ${i}`, session: `s${i}` }));
    for (let i = 0; i < 3000; i++) {
      const k = i % 40;
      recs.push(request(`c${i}`, { host: col(k), reason: col((k * 3) % 40), session: col((k + 1) % 40) }));
      if (i % 3 === 0) recs.push(response(`c${i}`, { status: 'error', error: col(k % 7), stages: [] }));
    }
    fs.writeFileSync(file, jsonl(...chained(recs)));
    await same([file], [worker(60_000)], [col(3), col(4), 'filler-17']);
  }, 40_000);

  it('many distinct strings in every pool at once, repeats early and late', async () => {
    const dir = tempDir('atk');
    const file = path.join(dir, 'audit.log');
    const n = 2 * WORKER_POOL_MAX + 500;
    const recs: object[] = [];
    for (let i = 0; i < n; i++) {
      const j = i % 3 === 0 ? i : i % 3 === 1 ? i % 17 : n - i;
      recs.push(request(`r${i}`, { host: `h${j}`, session: `s${j}`, reason: `why ${j}`, pipeline: [['cmd', `${j}`]], resolved: i % 11 === 0 ? [] : [`/bin/p${j}`] }));
      recs.push(response(`r${i}`, i % 2 === 0 ? { status: 'error', error: `e${j}`, stages: [] } : {}));
    }
    fs.writeFileSync(file, jsonl(...chained(recs)));
    await same([file], [worker(200_000)], ['h3', 'why 9000', 'e12', '/bin/p5']);
  }, 60_000);
});
