/** Misses (an attacker's review, session 20): tampered collected hosts the fleet engine once read as intact, where verify DIR says not ok. */
import { afterEach, describe, expect, it } from 'vitest';
import { hashLine } from '../../src/shared/chain.js';
import fs from 'node:fs';
import path from 'node:path';
import { brief, chain, collector, fleet, open, printJsonStderr, statsChainLine, statsJsonChain, status, verifyDir } from './collector-chain-harness.js';

afterEach(async () => {
  await Promise.all(open.splice(0).map((e) => e.close()));
});

const L = chain(300); // 602 lines, seq = line number
const s = (a: number, b: number) => L.slice(a - 1, b);
const denied = (line: string) => {
  const out = line.replace('"approved"', '"denied"');
  if (out === line) throw new Error('nothing to change');
  return out;
};
const MODES: Array<[string, Record<string, unknown>]> = [
  ['default', {}],
  ['tailBytes 2000', { tailBytes: 2000 }],
  ['wholeHosts', { wholeHosts: true }],
];

async function verdicts(dir: string) {
  const v = verifyDir(dir);
  const engine: Record<string, unknown> = {};
  const unchecked: Record<string, number> = {};
  for (const [name, options] of MODES) {
    const e = await fleet(dir, options);
    engine[name] = brief(status(e));
    unchecked[name] = status(e).unchecked;
  }
  return { verifyOk: v.ok, unchecked, verify: v.out.split('\n').find((l) => /break|modified|deleted|inserted|restart|reorder/i.test(l)), engine, printStderr: printJsonStderr(dir).slice(0, 300) };
}

describe('misses', () => {
  // (Its M3 and M5, a new chain or a forged record below the seq the check started from, arriving
  // after it started, are the documented limits: README, fleet, "Duplicates and late batches".
  // The engine cannot link them; it says how many records it did not check, and `stats` says so.)
  it('M5: a forged record below the oldest kept one, in the live file: not intact without a word (unchecked, and stats says so)', async () => {
    const dir = collector({ 'audit.log.1': s(301, 500), 'audit.log': [...s(501, 602), denied(L[99])] });
    const r = await verdicts(dir);
    expect(r.verifyOk).toBe(false);
    expect(Object.values(r.unchecked)).toEqual(MODES.map(() => 1));
    expect(statsChainLine(dir)).toMatch(/1 record not checked here \(web 1; it arrived after its turn: `verify DIR` checks it\)/);
    expect(statsJsonChain(dir)).toMatchObject({ state: 'intact', unchecked: 1, unchecked_in: [{ origin: 'web', count: 1 }] });
    expect(printJsonStderr(dir)).toContain('warning: 1 record of a collected host arrived after its turn and was not checked against the hash chain here (web 1); `verify DIR` checks it');
  });

  it('M5 in a fleet: the host with records not checked is named, and only it (its name escaped)', async () => {
    const dir = collector({ 'audit.log.1': s(301, 500), 'audit.log': [...s(501, 602), denied(L[99])] }, 'web\u001b[2J');
    collector({ 'audit.log': L }, 'db', dir);
    const e = await fleet(dir);
    expect(status(e)).toMatchObject({ state: 'intact', checked: 2 * L.length - 301 + 1, unchecked: 1, uncheckedIn: [{ origin: 'web\u001b[2J', count: 1 }] });
    expect(statsChainLine(dir)).toContain('1 record not checked here (web\\e[2J 1; it arrived');
  });

  it('M3: a new chain after the old files were rotated away, its first batch late: not intact without a word', async () => {
    const fresh = chain(20);
    const dir = collector({ 'audit.log.1': s(301, 602), 'audit.log': fresh.slice(10) });
    fs.appendFileSync(path.join(dir, 'web', 'audit.log'), `${fresh.slice(0, 10).join('\n')}\n`);
    const r = await verdicts(dir);
    expect(r.verifyOk).toBe(false);
    // Below the seq the check started from (301): the new chain's records, every one, are counted.
    expect(Object.values(r.unchecked)).toEqual(MODES.map(() => fresh.length));
  });

  it('M1: the last record moved to the front of the oldest file, and a request edited approved -> denied: broken', async () => {
    // (Record 20 is a request: line 20 = request 10.)
    const tampered = [...s(1, 19), denied(L[19]), ...s(21, 601)];
    const dir = collector({ 'audit.log': [L[601], ...tampered] });
    const r = await verdicts(dir);
    expect(r.verifyOk).toBe(false);
    expect(Object.values(r.engine).map((b) => (b as { state: string }).state)).toEqual(MODES.map(() => 'broken'));
  });

  it('M2: one forged record with a huge seq at the front, and the same edit: broken', async () => {
    const forged = L[601].replace(/"seq":\d+/, '"seq":1000000');
    const dir = collector({ 'audit.log': [forged, ...s(1, 19), denied(L[19]), ...s(21, 602)] });
    const r = await verdicts(dir);
    expect(r.verifyOk).toBe(false);
    expect(Object.values(r.engine).map((b) => (b as { state: string }).state)).toEqual(MODES.map(() => 'broken'));
  });


  it('M4: a forged copy of an old record in the live file (read first as the tail), its original in audit.log.1: broken', async () => {
    const dir = collector({ 'audit.log.1': s(1, 300), 'audit.log': [...s(301, 602), denied(L[99])] });
    const r = await verdicts(dir);
    expect(r.verifyOk).toBe(false);
    expect(Object.values(r.engine).map((b) => (b as { state: string }).state)).toEqual(MODES.map(() => 'broken'));
  });


  it('M6: a forged twin right after its record in the live file with history: broken', async () => {
    const dir = collector({ 'audit.log.1': s(1, 300), 'audit.log': [...s(301, 400), denied(L[399]), ...s(401, 602)] });
    const r = await verdicts(dir);
    expect(r.verifyOk).toBe(false);
    expect(Object.values(r.engine).map((b) => (b as { state: string }).state)).toEqual(MODES.map(() => 'broken'));
  });

  it('M7: a record edited and its successor\'s prev rewritten to match, in the live file: broken', async () => {
    // Edit request 10 (line 20) and fix line 21's prev: the break moves to 21/22 — control.
    const e20 = denied(L[19]);
    const l21 = L[20].replace(/"prev":"[0-9a-f]{64}"/, `"prev":"${hashLine(e20)}"`);
    const dir = collector({ 'audit.log.1': s(1, 300), 'audit.log': [...s(301, 602), e20, l21] });
    const r = await verdicts(dir);
    expect(r.verifyOk).toBe(false);
    expect(Object.values(r.engine).map((b) => (b as { state: string }).state)).toEqual(MODES.map(() => 'broken'));
  });
});
