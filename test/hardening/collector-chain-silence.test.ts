/**
 * "Nothing in silence" (an attacker's review): one random tampering of a chain, then a random
 * rsyslog-like delivery into a collector dir, read once in every mode. Where `verify DIR` says
 * not ok, the fleet engine must say broken or count records it did not check; an untampered
 * chain is never broken, and every distinct record delivered is checked or counted.
 * More seeds: ATK_SEEDS=500 ATK_SEED0=1000 npx vitest run test/hardening/collector-chain-silence.test.ts -t random
 * (also ATK_KIND=<one tampering kind>, ATK_N=<n of chain(n)>, ATK_PLAIN=1: one file, no delivery; ATK_VERBOSE=1).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hashLine } from '../../src/shared/chain.js';
import { brief, chain, collector, fleet, open, settledFollow, status, verifyDir } from './collector-chain-harness.js';

afterEach(async () => {
  await Promise.all(open.splice(0).map((e) => e.close()));
});

function rng(seed: number) {
  let x = (seed * 2654435761) >>> 0 || 1;
  const next = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
  for (let i = 0; i < 4; i++) next();
  return next;
}

/** A delivery as collector-chain-fuzz.test.ts's: batches, late ones, resends, sender restarts, collector rotations. */
function delivery(L: string[], seed: number): Record<string, string[]> {
  const r = rng(seed ^ 0x5bd1e995);
  const batches: string[][] = [];
  const maxBatch = 1 + Math.floor(r() * 80);
  for (let i = 0; i < L.length; ) {
    const n = 1 + Math.floor(r() * maxBatch);
    batches.push(L.slice(i, i + n));
    i += n;
  }
  const pLate = r() * 0.3;
  const pResend = r() * 0.2;
  const pRestart = r() * 0.08;
  const pRotate = r() * 0.01;
  const arrivals: string[][] = [];
  const delayed: Array<{ at: number; b: string[] }> = [];
  let senderFileStart = 0;
  let sent = 0;
  batches.forEach((b, k) => {
    if (r() < 0.05) senderFileStart = sent;
    if (r() < pLate) delayed.push({ at: k + 1 + Math.floor(r() * 12), b });
    else arrivals.push(b);
    if (r() < pResend) arrivals.push(b);
    sent += b.length;
    if (r() < pRestart) arrivals.push(L.slice(senderFileStart, sent));
    for (const d of delayed.filter((x) => x.at === k)) arrivals.push(d.b);
  });
  for (const d of delayed.filter((x) => x.at >= batches.length)) arrivals.push(d.b);
  const lines = arrivals.flat();
  const cuts = [0];
  for (let i = 1; i < lines.length; i++) if (r() < pRotate) cuts.push(i);
  cuts.push(lines.length);
  const files: Record<string, string[]> = {};
  const n = cuts.length - 1;
  for (let f = 0; f < n; f++) {
    const age = n - 1 - f;
    const name = age === 0 ? 'audit.log' : age === 1 ? 'audit.log.1' : `audit.log.${age}.${r() < 0.5 ? 'gz' : 'x'}`.replace(/\.x$/, '');
    files[name] = lines.slice(cuts[f], cuts[f + 1]);
  }
  return files;
}

const setSeq = (line: string, seq: number) => line.replace(/"seq":\d+/, `"seq":${seq}`);
const setPrev = (line: string, prev: string) => line.replace(/"prev":"[0-9a-f]{64}"/, `"prev":"${prev}"`);
const prevOf = (line: string) => /"prev":"([0-9a-f]{64})"/.exec(line)![1];
/** A change of the record's bytes that keeps it valid JSON with the same seq and prev. */
function edit(line: string, r: () => number): string {
  const opts = [
    (l: string) => l.replace('"approved"', '"denied"'),
    (l: string) => l.replace(/"logged":"([^"]*)"/, (_m, t: string) => `"logged":"${t.replace(/\d(?=Z)/, (d) => String((Number(d) + 1) % 10))}"`),
    (l: string) => l.replace(/"time":"([^"]*)"/, '"time":"2024-01-01T00:00:00Z"'),
    (l: string) => l.replace('"v":1,', '"v":1, '),
    (l: string) => l.replace(/\}$/, ',"x":1}'),
  ];
  for (let t = 0; t < 10; t++) {
    const out = opts[Math.floor(r() * opts.length)](line);
    if (out !== line) return out;
  }
  return line.replace(/\}$/, ',"x":2}');
}

type Tamper = { kind: string; lines: string[] };
const KINDS = ['none', 'edit', 'delete', 'dupChange', 'move', 'forgeSeq', 'rewire', 'newChain', 'truncate', 'hugeSeq', 'editPrev', 'forgeAppend', 'deleteRun', 'forgeBelow', 'bogusCopy', 'unchainCopy', 'forgeGenesis', 'editLast', 'swapAdjacent'] as const;

function tamper(L: string[], seed: number, only?: string): Tamper {
  const r = rng(seed);
  const kind = only ?? KINDS[Math.floor(r() * KINDS.length)];
  const n = L.length;
  const k = Math.floor(r() * n); // 0-based index, seq k+1
  const out = [...L];
  const at = Math.floor(r() * (n + 1));
  switch (kind) {
    case 'none':
      break;
    case 'edit':
      out[k] = edit(L[k], r);
      break;
    case 'delete':
      out.splice(k, 1);
      break;
    case 'deleteRun':
      out.splice(k, 1 + Math.floor(r() * 20));
      break;
    case 'dupChange':
      out.splice(at, 0, edit(L[k], r));
      break;
    case 'move': {
      const len = 1 + Math.floor(r() * 30);
      const b = out.splice(k, len);
      out.splice(Math.floor(r() * (out.length + 1)), 0, ...b);
      break;
    }
    case 'forgeSeq': {
      // A forged record with seq s and the prev of the real seq s (so it links like it).
      const s = 2 + Math.floor(r() * (n - 1));
      const f = setPrev(setSeq(edit(L[Math.floor(r() * n)], r), s), hashLine(L[s - 2]));
      out.splice(at, 0, f);
      break;
    }
    case 'forgeBelow': {
      // A forged copy of an early record, put late (after the check has moved on).
      const s = 2 + Math.floor(r() * Math.min(n - 1, 60));
      out.splice(n - Math.floor(r() * 30), 0, edit(L[s - 1], r));
      break;
    }
    case 'rewire': {
      const j = Math.min(k, n - 2);
      out[j] = edit(L[j], r);
      out[j + 1] = setPrev(L[j + 1], hashLine(out[j]));
      break;
    }
    case 'editPrev':
      out[k] = setPrev(L[k], hashLine(L[Math.floor(r() * n)]));
      break;
    case 'newChain': {
      const fresh = chain(5 + Math.floor(r() * 30));
      if (r() < 0.5) out.splice(at, 0, ...fresh);
      else out.splice(at, n - at, ...fresh);
      break;
    }
    case 'truncate':
      out.splice(0, 1 + Math.floor(r() * 200));
      break;
    case 'hugeSeq':
      out.splice(at, 0, setSeq(edit(L[k], r), 1_000_000 + Math.floor(r() * 1e6)));
      break;
    case 'bogusCopy':
      // A copy with valid chain fields that the engine's record parser rejects (an unknown type).
      out.splice(at, 0, edit(L[k], r).replace(/"type":"[a-z]+"/, '"type":"bogus"'));
      break;
    case 'unchainCopy':
      // A record without chain fields (seq, prev) put among chained ones.
      out.splice(at, 0, edit(L[k], r).replace(/"seq":\d+,"prev":"[0-9a-f]{64}",/, ''));
      break;
    case 'forgeGenesis': {
      // A second chain from genesis, forged: a few records, linked among themselves.
      const m = 1 + Math.floor(r() * 5);
      const forged: string[] = [];
      for (let i = 0; i < m; i++) {
        const base = edit(L[1 + Math.floor(r() * (n - 1))], r);
        forged.push(setPrev(setSeq(base, i + 1), i === 0 ? '0'.repeat(64) : hashLine(forged[i - 1])));
      }
      out.splice(at, 0, ...forged);
      break;
    }
    case 'editLast': {
      const j = n - 1 - Math.floor(r() * 3);
      out[j] = edit(L[j], r);
      break;
    }
    case 'swapAdjacent': {
      const j = Math.min(k, n - 2);
      [out[j], out[j + 1]] = [out[j + 1], out[j]];
      out[j] = edit(out[j], r);
      break;
    }
    case 'forgeAppend': {
      const last = out[out.length - 1];
      out.push(setPrev(setSeq(edit(L[k], r), n + 1), r() < 0.5 ? hashLine(last) : prevOf(last)));
      break;
    }
  }
  return { kind, lines: out };
}

const MODES: Array<Record<string, unknown>> = [{}, { tailBytes: 2000 }, { tailBytes: 30000 }, { wholeHosts: true }];
const L = chain(Number(process.env.ATK_N ?? 300));
const SEEDS = Array.from({ length: Number(process.env.ATK_SEEDS ?? 12) }, (_, i) => i + 1 + Number(process.env.ATK_SEED0 ?? 0));

export async function judge(files: Record<string, string[]>, tampered: boolean, label: string): Promise<string[]> {
  const bad: string[] = [];
  const dir = collector(files);
  const v = verifyDir(dir);
  const distinct = new Set(Object.values(files).flat().filter((l) => /"seq":\d+/.test(l))).size;
  for (const m of MODES) {
    const engine = await fleet(dir, m);
    const st = status(engine);
    const say = () => `${label} ${JSON.stringify(m)} verify ${v.ok ? 'ok' : 'NOT ok'}: ${JSON.stringify({ ...brief(st), checked: st.checked, total: st.total, unchecked: st.unchecked })}`;
    if (!v.ok && st.state !== 'broken' && st.unchecked === 0) bad.push(`silent: ${say()} :: ${v.out.split('\n').slice(0, 3).join(' | ')}`);
    if (!tampered) {
      if (st.state === 'broken') bad.push(`false alarm: ${say()}`);
      if (st.checked + st.unchecked !== distinct) bad.push(`count ${st.checked}+${st.unchecked} != ${distinct}: ${say()}`);
    }
    await engine.close();
  }
  if (!tampered && !v.ok) bad.push(`${label}: verify NOT ok on an untampered chain: ${v.out.slice(0, 200)}`);
  if (bad.length === 0) fs.rmSync(dir, { recursive: true, force: true });
  else bad.push(`  (dir ${dir})`);
  return bad;
}

it('random tampering, random delivery: verify not ok is never a plain intact; untampered is never broken and every record counted', { timeout: 3_600_000 }, async () => {
  const bad: string[] = [];
  const stats: Record<string, number> = {};
  for (const seed of SEEDS) {
    const t = tamper(L, seed, process.env.ATK_KIND);
    stats[t.kind] = (stats[t.kind] ?? 0) + 1;
    const files = process.env.ATK_PLAIN ? { 'audit.log': t.lines } : delivery(t.lines, seed);
    bad.push(...(await judge(files, t.kind !== 'none', `seed ${seed} ${t.kind}`)));
  }
  if (process.env.ATK_VERBOSE) console.log(stats, bad.join('\n'));
  expect(bad).toEqual([]);
});

/** Verify's verdict and the engine's per mode, for the counterexamples below. */
async function verdicts(files: Record<string, string[]>) {
  const dir = collector(files);
  const v = verifyDir(dir);
  const engine: Record<string, { state: string; checked: number; unchecked: number; breaks: string[] }> = {};
  for (const m of MODES) {
    const e = await fleet(dir, m);
    const st = status(e);
    engine[JSON.stringify(m)] = { state: st.state, checked: st.checked, unchecked: st.unchecked, breaks: brief(st).breaks };
    await e.close();
  }
  return { verifyOk: v.ok, engine };
}

describe('false alarms found by this fuzz, fixed (chain-track.ts `copied`, `fillGap`)', () => {
  // An UNTAMPERED chain of more than 4,096 records after seq 5, and one RELP-style resend of
  // record 5 that lands at the end of the live file. verify DIR: ok (1 duplicate line dropped).
  // The engine reads the live file's tail first, so the resend is the first line of seq 5 it
  // sees and the ORIGINAL, in the history, is dropped as its duplicate. The history's check
  // waited for seq 5 with every later record held, the window (4,096) filled, seq 5 was judged
  // "deleted", and the tail's copy, replayed after the history, was counted unchecked: broken,
  // where nothing was tampered with. Now the history checks the copy in its turn, and the first,
  // replayed, is an exact copy of a record checked.
  const B = chain(2060); // 4,122 lines, seq = line number
  // More than 4,096 records after a gap of 100 at 1,001–1,100: the window fills before the batch comes.
  const F = chain(2600); // 5,202 lines
  const everyModeIntact = (r: Awaited<ReturnType<typeof verdicts>>, records = B.length) => {
    expect(r.verifyOk).toBe(true);
    for (const m of Object.keys(r.engine)) expect({ m, ...r.engine[m] }).toEqual({ m, state: 'intact', checked: records, unchecked: 0, breaks: [] });
  };
  it('C1a: a resend of record 5 at the end of the live file (one file): intact, every record checked', { timeout: 120_000 }, async () => {
    everyModeIntact(await verdicts({ 'audit.log': [...B, B[4]] }));
  });
  it('C1b: the same resend alone in a new live file, the chain in audit.log.1: intact, every record checked', { timeout: 120_000 }, async () => {
    everyModeIntact(await verdicts({ 'audit.log.1': B, 'audit.log': [B[4]] }));
  });
  // C2: record 5 itself delivered after the 4,117 records that follow it. verify DIR: ok (1
  // record arrived late). The engine judged seq 5 deleted once its window was full (4,096 held),
  // and the record, come after its turn, went unchecked. Now a late batch that fills a gap in
  // order and links both of its ends takes the deletion back (chain-track.ts fillGap).
  it('C2: record 5 delivered last, after more than 4,096 later records: intact, every record checked', { timeout: 120_000 }, async () => {
    everyModeIntact(await verdicts({ 'audit.log.1': [...B.slice(0, 4), ...B.slice(5)], 'audit.log': [B[4]] }));
  });
  it("C2 as bench:fleet delivers it: a batch of 100 about 4,100 records late, in one file: intact, every record checked", { timeout: 120_000 }, async () => {
    everyModeIntact(await verdicts({ 'audit.log': [...F.slice(0, 1000), ...F.slice(1100), ...F.slice(1000, 1100)] }), F.length);
  });
  it('following: the deletion said once the window is full is taken back when the late batch comes and fills the gap', { timeout: 120_000 }, async () => {
    const dir = collector({ 'audit.log': F.slice(0, 1000) });
    const live = path.join(dir, 'web', 'audit.log');
    const engine = await fleet(dir, { follow: true, sleepHostBytes: 0 });
    fs.appendFileSync(live, F.slice(1100).map((l) => `${l}\n`).join(''));
    const broken = await settledFollow(engine, (st) => st.state === 'broken');
    expect(brief(broken).breaks).toEqual([expect.stringMatching(/^deleted audit\.log:1001 100 records \(seq 1001–1100\) missing/)]);
    fs.appendFileSync(live, F.slice(1000, 1100).map((l) => `${l}\n`).join(''));
    const after = await settledFollow(engine, (st) => st.breakCount === 0 && st.checked === F.length);
    expect({ state: after.state, unchecked: after.unchecked, breaks: after.breaks }).toEqual({ state: 'intact', unchecked: 0, breaks: [] });
  });
  it('a late batch that does not fill its gap as the chain had it stays a break: a record of it edited (in the middle, or the last), or one missing', { timeout: 120_000 }, async () => {
    const denied = (line: string) => {
      const out = line.replace('"approved"', '"denied"');
      expect(out).not.toBe(line);
      return out;
    };
    // (Requests: seq 1050 in the middle, seq 1100 the last, which the record after the gap names.)
    const middleEdited = [...F.slice(1000, 1049), denied(F[1049]), ...F.slice(1050, 1100)];
    const lastEdited = [...F.slice(1000, 1099), denied(F[1099])];
    const oneMissing = [...F.slice(1000, 1049), ...F.slice(1050, 1100)];
    for (const late of [middleEdited, lastEdited, oneMissing]) {
      const r = await verdicts({ 'audit.log': [...F.slice(0, 1000), ...F.slice(1100), ...late] });
      expect(r.verifyOk).toBe(false);
      for (const m of Object.keys(r.engine)) expect({ m, state: r.engine[m].state }).toEqual({ m, state: 'broken' });
    }
  });
});

describe('targeted attacks on chain-track / collected-lines paths (the property holds; kept as regressions)', () => {
  const T = chain(300); // 602 lines, seq = line number
  const s = (a: number, b: number) => T.slice(a - 1, b);
  const bogus = (l: string) => l.replace('"approved"', '"denied"').replace(/"type":"[a-z]+"/, '"type":"bogus"');
  const cases: Array<[string, boolean, Record<string, string[]>]> = [
    // A forged copy the engine's record parser rejects (unknown type) but whose chain fields are
    // valid: it skips the duplicate check (record-intake's parse-failure path passes no `differs`),
    // so, unlike M4, it is not named `inserted`: only counted (intact, 1 not checked). Weaker, not silent.
    ['forged unparsable copy of record 100, in the live file (read first as the tail)', true, { 'audit.log.1': s(1, 300), 'audit.log': [bogus(T[99]), ...s(301, 602)] }],
    // dateext before numbered (orderRotated): the check starts at 301, and a forged copy of 100
    // hides among 300 genuine records counted unchecked (301). Not silent.
    ['forged copy of 100 in a numbered file, dateext file holding 301..602', true, { 'audit.log-20260101': s(301, 602), 'audit.log.1': [...s(1, 300), T[99].replace('"approved"', '"denied"')], 'audit.log': [] }],
    // A new chain, its old chain only seen from 301: all 42 of its records counted (M3's family).
    ['a new chain after an old one seen from its middle', true, { 'audit.log.1': s(301, 602), 'audit.log': chain(20) }],
    // A sender restart's resend of records 1..5 in the live file: the live file is read first, the
    // originals are dropped as its copies, and the history checks those copies in their turn
    // (`copied`); the resend, replayed behind it, is the copy. (Before: 1..5 counted unchecked.)
    ['untampered: a resend of records 1..5 in the live file', false, { 'audit.log.1': T, 'audit.log': s(1, 5) }],
  ];
  for (const [name, tampered, files] of cases) {
    it(name, { timeout: 60_000 }, async () => {
      expect(await judge(files, tampered, name)).toEqual([]);
    });
  }
  it('the resend of records 1..5, read first: every record checked, none counted unchecked', async () => {
    const r = await verdicts({ 'audit.log.1': T, 'audit.log': s(1, 5) });
    for (const m of Object.keys(r.engine)) expect({ m, ...r.engine[m] }).toEqual({ m, state: 'intact', checked: T.length, unchecked: 0, breaks: [] });
  });
});
