/**
 * Attacks on chain-track.ts `fillGap` (an attacker's review): a collected host's gap, judged
 * `deleted` once the window (4,096 held) overflowed, is taken back when a late batch fills it in
 * seq order and links both ends. `verify DIR` (the collector order) is the reference.
 *
 * No silence found (engine intact with nothing unchecked where verify says not ok): a fill has to
 * end on the hash the record after the gap names, so only the original records complete one.
 * Its findings, each failing before its fix: three false alarms on untampered deliveries
 * (verify: ok, the engine: broken in every mode) and one forged record in a filled gap only
 * counted, not named. The regressions after them passed as they were.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { brief, chain, collector, fleet, open, status, verifyDir } from './collector-chain-harness.js';

afterEach(async () => {
  await Promise.all(open.splice(0).map((e) => e.close()));
});

const MODES: Array<Record<string, unknown>> = [{}, { tailBytes: 2000 }, { tailBytes: 30000 }, { wholeHosts: true }];

async function verdicts(files: Record<string, string[]>) {
  const dir = collector(files);
  const v = verifyDir(dir);
  const engine: Record<string, { state: string; breakCount: number; checked: number; unchecked: number; breaks: string[] }> = {};
  for (const m of MODES) {
    const e = await fleet(dir, m);
    const st = status(e);
    engine[JSON.stringify(m)] = { state: st.state, breakCount: st.breakCount, checked: st.checked, unchecked: st.unchecked, breaks: brief(st).breaks };
    await e.close();
  }
  return { verifyOk: v.ok, verify: v.out, engine };
}

const F = chain(2600); // 5,202 lines, seq = line number
const s = (a: number, b: number) => F.slice(a - 1, b); // seqs a..b
/** A forged record: the same seq and prev, other bytes. */
const edit = (l: string) => l.replace(/\}$/, ',"x":1}');
/** The chain with seqs 1,001–1,100 held back: more than 4,096 records follow, so the window overflows first. */
const base = [...s(1, 1000), ...s(1101, F.length)];

const everyModeIntact = (r: Awaited<ReturnType<typeof verdicts>>, records: number) => {
  expect(r.verifyOk).toBe(true);
  for (const m of Object.keys(r.engine)) expect({ m, ...r.engine[m] }).toEqual({ m, state: 'intact', breakCount: 0, checked: records, unchecked: 0, breaks: [] });
};

describe('findings, fixed', () => {
  // F1, false alarm. Untampered: the writer crashed mid-append after record 1001 (a torn line,
  // which the chain tolerates), and record 1001's batch came last, after the 4,201 lines behind
  // it. verify DIR: ok (1 malformed line). Engine, every mode: broken, `modified
  // audit.log:1001 (seq 1001) was modified`: when the window overflowed the checker saw the torn
  // line where seq 1001 should be, so it called the gap `modified`, not `deleted`, and
  // fillGap retracted only `deleted` breaks, although the late record filled the gap and linked
  // both ends. Now a jump's break carries the record after it (FoundBreak.after), either kind.
  it('F1: a torn line where a record delivered more than 4,096 records late belongs: intact once it comes (verify: ok)', { timeout: 60_000 }, async () => {
    everyModeIntact(await verdicts({ 'audit.log': [...s(1, 1000), '{"torn', ...s(1002, F.length), F[1000]] }), F.length);
  });

  // F2, false alarm. Untampered: the late 100 records (1,001–1,100) come as two resent batches
  // in the wrong order, 1,051–1,100 and then 1,001–1,050. verify DIR: ok. Engine, every mode:
  // broken, `deleted … 100 records (seq 1001–1100) missing`, 5,152 checked, 50 unchecked:
  // fillGap took only the gap's next seq, so the second half, come first, was passed over and
  // never looked at again. Now a gap keeps its records that come before their turn (keepEarly).
  it('F2: a late gap delivered as two batches in swapped order: intact (verify: ok)', { timeout: 60_000 }, async () => {
    everyModeIntact(await verdicts({ 'audit.log': [...base, ...s(1051, 1100), ...s(1001, 1050)] }), F.length);
  });

  // F3, false alarm. Untampered: 80 records (every tenth of 1,001–1,800) each delivered after
  // the rest of the log. verify DIR: ok (80 arrived late). Engine, every mode: broken,
  // breakCount 16, 16 unchecked: only the last GAPS_KEPT (64) gaps were remembered, so the first
  // 16 could no longer be filled. GAPS_KEPT is now 1,024.
  it('F3: more than 64 gaps, each filled late: intact (verify: ok)', { timeout: 60_000 }, async () => {
    const G = chain(3500); // 7,002 lines
    const rest: string[] = [];
    const late: string[] = [];
    for (let q = 1; q <= G.length; q++) (q >= 1001 && q <= 1800 && q % 10 === 1 ? late : rest).push(G[q - 1]);
    everyModeIntact(await verdicts({ 'audit.log': [...rest, ...late] }), G.length);
  });

  // F4, a break not said. Tampered: a forged record of seq 1,050 (the same seq and prev, other
  // bytes) delivered after the late batch that filled the gap 1,001–1,100. verify DIR: NOT ok
  // (`inserted`: two records of seq 1,050). Engine, every mode: intact, breakCount 0, 1
  // unchecked. Outside a gap the same forged record is named `inserted` (seqTaken); in a gap
  // it was only counted (`gap === null` gated seqTaken), although the gap, filled, is known to
  // hold its own seq 1,050. (Before fillGap the gap's own `deleted` break stood: broken.) The
  // same held for a forged 1,100 (the gap's last record) and for a forged one come before the
  // fill. Now a record of a seq filled, or filling it, beside another of its seq is `inserted`.
  it('F4: a forged copy of a record of a filled gap, after the fill or before it: broken (verify: inserted)', { timeout: 60_000 }, async () => {
    for (const files of [
      { 'audit.log': [...base, ...s(1001, 1100), edit(F[1049])] },
      { 'audit.log': [...base, ...s(1001, 1100), edit(F[1099])] },
      { 'audit.log': [...base, edit(F[1049]), ...s(1001, 1100)] },
    ]) {
      const r = await verdicts(files);
      expect(r.verifyOk).toBe(false);
      for (const m of Object.keys(r.engine)) expect({ m, state: r.engine[m].state }).toEqual({ m, state: 'broken' });
    }
  });
});

describe('a gap its late batch cannot fill', () => {
  it('short of its first record: broken, and the 99 kept for their turn, which never comes, counted unchecked', { timeout: 60_000 }, async () => {
    const r = await verdicts({ 'audit.log': [...base, ...s(1002, 1100)] });
    expect(r.verifyOk).toBe(false);
    for (const m of Object.keys(r.engine)) expect({ m, ...r.engine[m], breaks: r.engine[m].breaks.length }).toEqual({ m, state: 'broken', breakCount: 1, checked: base.length, unchecked: 99, breaks: 1 });
  });
});

describe('regressions: fills that must retract, and tampering that must stay broken', () => {
  const intact: Array<[string, Record<string, string[]>]> = [
    ['the late batch delivered twice', { 'audit.log': [...base, ...s(1001, 1100), ...s(1001, 1100)] }],
    ['the late batch, each line twice in a row', { 'audit.log': [...base, ...s(1001, 1100).flatMap((l) => [l, l])] }],
    ['the late batch split: half in a rotated .gz, half in the live file', { 'audit.log.1.gz': [...base, ...s(1001, 1050)], 'audit.log': s(1051, 1100) }],
    ['the late batch alone in the live file', { 'audit.log.1': base, 'audit.log': s(1001, 1100) }],
    ['two gaps, the second one filled first', { 'audit.log': [...s(1, 1000), ...s(1101, 1200), ...s(1301, F.length), ...s(1201, 1300), ...s(1001, 1100)] }],
    ['half the batch in the window, half after it overflowed', { 'audit.log': [...s(1, 1000), ...s(1101, 3000), ...s(1001, 1050), ...s(3001, F.length), ...s(1051, 1100)] }],
    ['a torn line inside the late batch', { 'audit.log': [...base, ...s(1001, 1050), '{"torn', ...s(1051, 1100)] }],
  ];
  for (const [name, files] of intact) {
    it(`intact: ${name}`, { timeout: 60_000 }, async () => {
      const r = await verdicts(files);
      const distinct = new Set(Object.values(files).flat().filter((l) => /"seq":\d+/.test(l))).size;
      everyModeIntact(r, distinct);
    });
  }
  const broken: Array<[string, Record<string, string[]>]> = [
    ['a forged twin of the record after the gap (arrived before it)', { 'audit.log': [...s(1, 1000), edit(F[1100]), ...s(1101, F.length), ...s(1001, 1100)] }],
    ['a forged twin of the record after the gap, at the very end', { 'audit.log': [...base, ...s(1001, 1100), edit(F[1100])] }],
    ['a record without chain fields inside the late batch', { 'audit.log': [...base, ...s(1001, 1050), '{"hello":1}', ...s(1051, 1100)] }],
    ['a forged first record of the fill (links to 1,000), then the genuine batch', { 'audit.log': [...base, edit(F[1000]), ...s(1001, 1100)] }],
    ['record 1,050 replaced by a forged one (its prev right) in the late batch', { 'audit.log': [...base, ...s(1001, 1049), edit(F[1049]), ...s(1051, 1100)] }],
  ];
  for (const [name, files] of broken) {
    it(`broken: ${name}`, { timeout: 60_000 }, async () => {
      const r = await verdicts(files);
      expect(r.verifyOk).toBe(false);
      for (const m of Object.keys(r.engine)) expect({ m, state: r.engine[m].state }).toEqual({ m, state: 'broken' });
    });
  }
});
