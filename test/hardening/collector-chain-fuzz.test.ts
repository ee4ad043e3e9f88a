/** False alarms (an attacker's review, session 20): random rsyslog-like deliveries of an untampered chain, read once. */
import fs from 'node:fs';
import { afterEach, expect, it } from 'vitest';
import { brief, chain, collector, fleet, open, status, verifyDir } from './collector-chain-harness.js';

afterEach(async () => {
  await Promise.all(open.splice(0).map((e) => e.close()));
});

function rng(seed: number) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

/** A delivery: the chain cut in batches, some late, some twice, sender restarts resending its file, collector rotations. */
export function delivery(L: string[], seed: number): Record<string, string[]> {
  const r = rng(seed);
  const batches: string[][] = [];
  for (let i = 0; i < L.length; ) {
    const n = 1 + Math.floor(r() * 60);
    batches.push(L.slice(i, i + n));
    i += n;
  }
  const arrivals: string[][] = [];
  const delayed: Array<{ at: number; b: string[] }> = [];
  let senderFileStart = 0; // index into L where the sender's current file starts
  let sent = 0;
  batches.forEach((b, k) => {
    if (r() < 0.05) senderFileStart = sent; // sender's log rotated
    if (r() < 0.15) delayed.push({ at: k + 1 + Math.floor(r() * 8), b });
    else arrivals.push(b);
    if (r() < 0.1) arrivals.push(b); // RELP resend
    sent += b.length;
    if (r() < 0.04) arrivals.push(L.slice(senderFileStart, sent)); // sender restart resends its current file
    for (const d of delayed.filter((x) => x.at === k)) arrivals.push(d.b);
  });
  for (const d of delayed.filter((x) => x.at >= batches.length)) arrivals.push(d.b);
  const lines = arrivals.flat();
  // collector rotations
  const cuts = [0];
  for (let i = 1; i < lines.length; i++) if (r() < 0.004) cuts.push(i);
  cuts.push(lines.length);
  const files: Record<string, string[]> = {};
  const n = cuts.length - 1;
  for (let f = 0; f < n; f++) {
    const age = n - 1 - f;
    const name = age === 0 ? 'audit.log' : age === 1 ? 'audit.log.1' : `audit.log.${age}.gz`;
    files[name] = lines.slice(cuts[f], cuts[f + 1]);
  }
  return files;
}

const L = chain(400);
const SEEDS = Array.from({ length: Number(process.env.ATK_SEEDS ?? 12) }, (_, i) => i + 1 + Number(process.env.ATK_SEED0 ?? 0));
const MODES: Array<Record<string, unknown>> = [{}, { tailBytes: 2000 }, { tailBytes: 30000 }, { wholeHosts: true }];

it('random deliveries: never broken where verify DIR says ok', { timeout: 600_000 }, async () => {
  const bad: string[] = [];
  for (const seed of SEEDS) {
    const files = delivery(L, seed);
    const dir = collector(files);
    const v = verifyDir(dir);
    if (!v.ok) {
      bad.push(`seed ${seed}: verify not ok: ${v.out.slice(0, 300)}`);
      continue;
    }
    for (const m of MODES) {
      const engine = await fleet(dir, m);
      const st = status(engine);
      if (st.state === 'broken' || st.breakCount > 0) bad.push(`seed ${seed} ${JSON.stringify(m)}: ${JSON.stringify(brief(st))}`);
      await engine.close();
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
  expect(bad).toEqual([]);
});
