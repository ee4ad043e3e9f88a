/**
 * One host's folder of a collector directory is written by whoever controls that host (or its
 * shipper). Its `seq` values are its own choice: two records, seq 1 and seq 2^40, made the
 * duplicate check's table by seq (collected-lines.ts) span 2^40 slots, and the whole fleet —
 * every other host with it — failed ("Invalid typed array length"; a span of 2^30 asks for
 * gigabytes). A seq far from the others costs that record its duplicate check, nothing more.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findCollectedHosts } from '../../src/engine/collector-dir.js';
import { openFleetEngine } from '../../src/engine/fleet-engine.js';
import { entriesOf, jsonl, request, tempDir } from '../engine/helpers.js';

const chained = (id: string, seq: number) => ({ ...request(id), seq, prev: '0'.repeat(64) });

function collector(hosts: Record<string, object[]>): string {
  const dir = tempDir('seq-span');
  for (const [host, records] of Object.entries(hosts)) {
    fs.mkdirSync(path.join(dir, host), { mode: 0o700 });
    fs.writeFileSync(path.join(dir, host, 'audit.log'), jsonl(...records));
  }
  return dir;
}

describe('a collected host whose seqs are far apart', () => {
  it.each([2 ** 40, 2 ** 31, Number.MAX_SAFE_INTEGER])('seq 1 then %d: every host is still shown, and a resent copy is still dropped', async (far) => {
    const dir = collector({
      web1: [chained('a', 1), chained('b', 2)],
      evil: [chained('x', 1), chained('y', far), chained('z', 2), chained('z', 2), chained('y', far)],
    });
    const engine = openFleetEngine(findCollectedHosts(dir), { follow: true });
    await engine.indexed();
    const shown = entriesOf(engine).map((e) => `${e.origin}:${e.id}`).sort();
    // The resent z (seq 2, next to the others) is dropped as a copy; the far y's copy may be shown twice.
    expect(shown.filter((s) => s !== 'evil:y')).toEqual(['evil:x', 'evil:z', 'web1:a', 'web1:b']);
    expect(engine.duplicateLines()).toBeGreaterThanOrEqual(1);
    await engine.close();
  });
});
