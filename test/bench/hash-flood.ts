/**
 * npm run bench:hash-flood [-- --ids N]
 *
 * Ids crafted by a log's writer to share the id table's buckets (test/hardening/id-hash-flood.test.ts)
 * against random ids, indexed and joined by the engine: CPU (user + system, worker threads
 * included) of openEngine → indexed → stats, each log twice, alternating. Once with the hash
 * as shipped (seeded per process), once with seed 0 — cyrb53's published constants, the hash
 * before it was seeded, which the ids were crafted against: the same-run before and after.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';
import { openEngine } from '../../src/engine/engine.js';
import { hashSeed, useHashSeed } from '../../src/engine/id-table.js';

const { values } = parseArgs({ options: { ids: { type: 'string', default: '50000' } } });
const count = Number(values.ids);

/** Low 32 bits of cyrb53 under the published constants, from a state after a common prefix. */
function crafted(n: number): string[] {
  const prefix = '0badc0de-5eed-4bad-8bad-';
  let p1 = 0xdeadbeef;
  let p2 = 0x41c6ce57;
  for (let i = 0; i < prefix.length; i++) {
    p1 = Math.imul(p1 ^ prefix.charCodeAt(i), 2654435761);
    p2 = Math.imul(p2 ^ prefix.charCodeAt(i), 1597334677);
  }
  const out: string[] = [];
  for (let k = 0; out.length < n; k++) {
    const tail = k.toString(16).padStart(12, '0');
    let h1 = p1;
    let h2 = p2;
    for (let i = 0; i < 12; i++) {
      h1 = Math.imul(h1 ^ tail.charCodeAt(i), 2654435761);
      h2 = Math.imul(h2 ^ tail.charCodeAt(i), 1597334677);
    }
    h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
    h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
    // Bits 12..19 zero: every id starts in the first 4,096 buckets of any table up to 2^20.
    if ((h1 & 0xff000) === 0) out.push(prefix + tail);
  }
  return out;
}

function writeLog(file: string, ids: readonly string[]): void {
  const lines: string[] = [];
  ids.forEach((id, i) => {
    const t = new Date(Date.UTC(2026, 11, 4) + i * 1000).toISOString();
    lines.push(JSON.stringify({ v: 1, type: 'request', logged: t, id, time: `${t.slice(0, 19)}Z`, host: 'h', session: 's', pipeline: [['ls', '-l']], resolved: ['/usr/bin/ls'], env_keys: ['HOME'], reason: 'r', privileged: false, decision: 'approved', via: 'operator', latency_ms: 5 }));
    lines.push(JSON.stringify({ v: 1, type: 'response', logged: t, id, time: t, status: 'ok', error: null, stages: [{ exit_code: 0, stderr_len: 0, stderr_truncated: false }], stdout_len: 1, stdout_truncated: false, duration_ms: 3 }));
  });
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
}

/** CPU seconds of indexing, joining and counting `file` (this process, its scan workers included). */
async function cpuOf(file: string): Promise<number> {
  const t = process.cpuUsage();
  const engine = openEngine([file], { follow: false });
  await engine.indexed();
  const stats = engine.stats();
  if (stats.total !== count) throw new Error(`${file}: ${stats.total} entries, not ${count}`);
  await engine.close();
  const u = process.cpuUsage(t);
  return (u.user + u.system) / 1e6;
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spa-hash-flood-'));
  try {
    const craftedIds = crafted(count);
    const attack = path.join(dir, 'attack.log');
    const normal = path.join(dir, 'normal.log');
    writeLog(attack, craftedIds);
    writeLog(normal, craftedIds.map(() => randomUUID()));
    const shipped = hashSeed();
    const rows: Array<[string, string, string]> = [];
    for (const [name, seed] of [['seeded (as shipped)', shipped], ['seed 0 (published constants, before)', [0, 0]]] as const) {
      useHashSeed(seed);
      const cpu = { normal: [] as number[], attack: [] as number[] };
      for (let round = 0; round < 2; round++) {
        cpu.normal.push(await cpuOf(normal));
        cpu.attack.push(await cpuOf(attack));
      }
      const best = (xs: number[]) => `${Math.min(...xs).toFixed(2)} s`;
      rows.push([name, best(cpu.normal), best(cpu.attack)]);
    }
    useHashSeed(shipped);
    console.log(`${count.toLocaleString('en')} requests and responses (${(fs.statSync(attack).size / 1e6).toFixed(0)} MB), CPU of index + join + stats, best of 2; load ${os.loadavg()[0].toFixed(1)}`);
    console.log(`| hash | random ids (baseline) | crafted ids |\n|---|---:|---:|`);
    for (const r of rows) console.log(`| ${r.join(' | ')} |`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
