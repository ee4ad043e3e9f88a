/**
 * What a fleet's host costs beyond its records (issue 12: memory grows with records, not with
 * hosts), and the host limit said rather than met silently.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AuditEngine, EngineNotice } from '../../src/shared/entry.js';
import { findCollectedHosts } from '../../src/engine/collector-dir.js';
import { openFleetEngine } from '../../src/engine/fleet-engine.js';
import { IdText } from '../../src/engine/id-text.js';
import { SharedStrings, StringPool } from '../../src/engine/string-pool.js';
import { entriesOf, jsonl, request, response, tempDir, WAIT } from './helpers.js';

function collector(hosts: Record<string, string>): string {
  const dir = tempDir('fleet-footprint');
  for (const [host, text] of Object.entries(hosts)) {
    fs.mkdirSync(path.join(dir, host));
    fs.writeFileSync(path.join(dir, host, 'audit.log'), text);
  }
  return dir;
}

/** The fleet's own figures (not in the AuditEngine contract). */
const footprint = (engine: AuditEngine) => (engine as unknown as { footprint(): { sharedStrings: number } }).footprint();

describe("a fleet's hosts share their strings", () => {
  it('pools given one SharedStrings keep one string per text, each pool its own ids', () => {
    const shared = new SharedStrings();
    const a = new StringPool([''], shared);
    const b = new StringPool([], shared);
    const line = Buffer.from('web-02 df -h web-02');
    expect(a.internBytes(line, 0, 6)).toBe(1);
    expect(b.internBytes(line, 13, 19)).toBe(0);
    expect(b.intern('df -h')).toBe(1);
    expect(a.intern('df -h')).toBe(2);
    expect([a.get(1), b.get(0), a.get(2)]).toEqual(['web-02', 'web-02', 'df -h']);
    expect(shared.size).toBe(3); // '', 'web-02', 'df -h'
    // A pool without one keeps its own (a plain engine).
    const own = new StringPool();
    own.intern('web-02');
    expect(shared.size).toBe(3);
  });

  it('two hosts with the same host, session, reason and command texts keep them once', async () => {
    const same = (id: string) => jsonl(request(id, { host: 'web', session: 's-1', reason: 'disk usage', pipeline: [['df', '-h']] }), response(id));
    const engine = openFleetEngine(findCollectedHosts(collector({ a: same('a1'), b: same('b1') })), { follow: false });
    await engine.indexed();
    expect(entriesOf(engine).map((e) => [e.origin, e.host, e.session, e.reason, e.pipeline])).toEqual([
      ['a', 'web', 's-1', 'disk usage', [['df', '-h']]],
      ['b', 'web', 's-1', 'disk usage', [['df', '-h']]],
    ]);
    // The top commands name the pipeline as shown: that text is shared too.
    expect(engine.stats().topCommands).toEqual([{ command: 'df -h', count: 2 }]);
    const once = footprint(engine).sharedStrings;
    await engine.close();
    // A third host with the same texts adds none.
    const three = openFleetEngine(findCollectedHosts(collector({ a: same('a1'), b: same('b1'), c: same('c1') })), { follow: false });
    await three.indexed();
    expect(three.stats().topCommands).toEqual([{ command: 'df -h', count: 3 }]);
    expect(footprint(three).sharedStrings).toBe(once);
    await three.close();
  });
});

describe("a followed host's pools, read", () => {
  it('give back the room kept for growth: every id names its string as before, and new strings take the next ids', () => {
    const pool = new StringPool([''], new SharedStrings());
    const texts = ['web-01', 'df -h', 'disk usage', 'uptime'];
    const ids = texts.map((t) => pool.intern(t));
    const before = pool.strings;
    pool.trim();
    // A copy of its own size (the array grown by push keeps room for more: a fleet follows thousands of pools).
    expect(pool.strings).not.toBe(before);
    expect(pool.strings).toEqual(before);
    expect(ids.map((id) => pool.get(id))).toEqual(texts);
    expect(pool.internBytes(Buffer.from('uptime'), 0, 6)).toBe(ids[3]);
    expect(pool.intern('free -m')).toBe(texts.length + 1);
    expect(pool.get(texts.length + 1)).toBe('free -m');
  });

  it('past small (a Map of ids) likewise', () => {
    const pool = new StringPool();
    const ids = Array.from({ length: 40 }, (_, i) => pool.intern(`cmd-${i}`));
    pool.trim();
    expect(ids.map((id) => pool.find(`cmd-${id}`))).toEqual(ids);
    expect(pool.intern('cmd-40')).toBe(40);
    expect(pool.find('cmd-40')).toBe(40);
  });
});

describe("a read host's id text", () => {
  it('gives back the room left in its last block, every id found where it was, and takes new ones after', () => {
    const ids = new IdText();
    const id = (i: number) => `req-${String(i).padStart(4, '0')}-host`;
    const starts = Array.from({ length: 30 }, (_, i) => ids.add(id(i)));
    const needed = 30 * (id(0).length + 1);
    expect(ids.allocated).toBeGreaterThan(needed); // blocks of 256, 512, … bytes
    const before = Array.from(ids.startsContaining('-host'));
    ids.trim();
    // In one block, as long as they were in all (less than an id's room was left at the end of a block an id did not fit in).
    const trimmed = ids.allocated;
    expect(trimmed).toBeGreaterThanOrEqual(needed);
    expect(trimmed).toBeLessThan(needed + id(0).length + 1);
    expect(ids.blockCount).toBe(1);
    expect(Array.from(ids.startsContaining('-host'))).toEqual(before);
    expect(Array.from(ids.startsContaining('req-0007'))).toEqual([starts[7]]);
    // Taken after: in a block of its own, found with the rest.
    const late = ids.add('late-one');
    expect(Array.from(ids.startsContaining('late'))).toEqual([late]);
    expect(Array.from(ids.startsContaining('-host'))).toEqual(before);
    ids.trim();
    ids.trim();
    expect(ids.allocated).toBe(trimmed + 'late-one'.length + 1);
    expect(ids.blockCount).toBe(1);
    expect(Array.from(ids.startsContaining('late'))).toEqual([late]);
    expect(Array.from(ids.startsContaining('req-0029'))).toEqual([starts[29]]);
    // Past a few KB the blocks stay as they are: only the last one gives back its room.
    const big = new IdText();
    const many = Array.from({ length: 5000 }, (_, i) => big.add(id(i)));
    big.trim();
    expect(big.blockCount).toBeGreaterThan(1);
    expect(Array.from(big.startsContaining('req-4999'))).toEqual([many[4999]]);
    expect(Array.from(big.startsContaining('req-0000'))).toEqual([many[0]]);
  });
});

describe('the host limit', () => {
  it('hosts the collector gains past the limit are named in a notice, each once, and not read', async () => {
    const dir = collector({ a: jsonl(request('a1')) });
    const engine = openFleetEngine(findCollectedHosts(dir), { follow: true, maxHosts: 2 }, [dir]);
    await engine.indexed();
    const notices: EngineNotice[] = [];
    engine.on('notice', (n: EngineNotice) => notices.push(n));
    const ship = (host: string) => {
      fs.mkdirSync(path.join(dir, host));
      fs.writeFileSync(path.join(dir, host, 'audit.log'), jsonl(request(`${host}1`)));
    };
    /** The hosts named as refused, in every limit notice so far. */
    const refused = () =>
      notices
        .filter((n) => n.kind === 'limit')
        .flatMap((n) => {
          const m = /^(\d+) new hosts? in the collector not read: a fleet holds at most 2 hosts: (.*)$/.exec(n.message);
          if (!m) throw new Error(`unexpected notice: ${n.message}`);
          const names = m[2].split(', ');
          expect(names).toHaveLength(Number(m[1]));
          return names;
        })
        .sort();
    ship('b');
    await expect.poll(() => engine.origins(), { timeout: 15_000 }).toEqual(['a', 'b']);
    for (const host of ['c', 'd', 'e']) ship(host);
    await expect.poll(refused, { timeout: 15_000 }).toEqual(['c', 'd', 'e']);
    // Looked at again later: each said once, not at every look.
    ship('f');
    await expect.poll(refused, { timeout: 15_000 }).toEqual(['c', 'd', 'e', 'f']);
    expect(engine.origins()).toEqual(['a', 'b']);
    await expect.poll(() => entriesOf(engine).map((e) => e.id), WAIT).toEqual(['a1', 'b1']);
    await engine.close();
  });

  it('a collector with more hosts than the limit is opened with as many as it holds, the rest named (test/hardening/fleet-host-flood.test.ts: which)', async () => {
    const dir = collector({ a: jsonl(request('a1')), b: jsonl(request('b1')), c: jsonl(request('c1')) });
    const engine = openFleetEngine(findCollectedHosts(dir), { follow: false, maxHosts: 2 });
    const notices: string[] = [];
    engine.on('notice', (n) => notices.push(n.message));
    await engine.indexed();
    expect(engine.origins()).toHaveLength(2);
    await expect.poll(() => notices, WAIT).toEqual([expect.stringMatching(/^1 host in the collector not read: a fleet holds at most 2 hosts \(those the collector had first are read\): [abc]$/)]);
    await engine.close();
  });
});
