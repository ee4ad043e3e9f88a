/**
 * The seal vectors (schema/vectors/seals.json): what both writers must make of a sealing
 * state — the keys it evolves into, the seal lines, the state file's bytes, and writer
 * sessions on a sealed log (the interval rule, the seal at close, a seal a crash kept out of
 * the log appended first, or not when it no longer fits). Written by `npm run vectors`
 * (generate.ts) from the TypeScript writer; checked by test/vectors/seals.test.ts and
 * rust/tests/seal_vectors.rs.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { keyAtEpoch, keyId, sealLine } from '../../src/shared/seal.js';
import { encodeSealState, sealStatePath } from '../../src/shared/seal-state.js';
import { GENESIS_HASH } from '../../src/shared/format-constants.js';
import { hashLine } from '../../src/shared/chain.js';
import { openAuditLog } from '../../src/writer/audit-log.js';
import { type RawRequest, requestInput, type SessionStep } from './vector-input.js';

const T0 = Date.UTC(2026, 0, 15, 9, 30, 0, 123);
const MIN = 60_000;
/** A fixed k₀: 00 01 02 … 1f. */
export const K0 = Buffer.from(Array.from({ length: 32 }, (_, i) => i));
const EPOCHS = 4;

export interface SealStateInput {
  epoch: number;
  pending: string | null;
}

export interface SealSession {
  name: string;
  pid: number;
  open_at: number;
  seal_interval_ms: number;
  /** The state beside the log at open (its key: `keys[epoch]`); absent: an unsealed log. */
  state?: SealStateInput;
  existing?: string;
  steps: SessionStep[];
  expected: string;
  /** The state file afterwards (null: none). */
  expected_state: string | null;
  /** How many warnings the writer gave. */
  warnings: number;
}

export interface SealVectors {
  about: string;
  k0: string;
  key_id: string;
  /** k_0 … k_3 as hex. */
  keys: string[];
  seal_lines: { seq: number; prev: string; logged_ms: number; epoch: number; line: string }[];
  states: { epoch: number; pending: string | null; bytes: string }[];
  sessions: SealSession[];
}

const keyOf = (epoch: number): Buffer => keyAtEpoch(K0, epoch) as Buffer;

const request = (id: string, over: Partial<RawRequest> = {}): RawRequest => ({
  id,
  time: '2026-01-15T09:29:58Z',
  session: 'sess-1',
  pipeline: [['systemctl', 'restart', 'nginx']],
  resolved: ['/usr/bin/systemctl'],
  env: ['PATH'],
  reason: '',
  privileged: true,
  decision: 'approved',
  via: 'operator',
  latency_ms: 900,
  ...over,
});

/** Runs the writer on a sealed (or unsealed) log as a session says: the log and the state afterwards. */
export function runSealSession(v: Omit<SealSession, 'expected' | 'expected_state' | 'warnings'>, dir: string): Pick<SealSession, 'expected' | 'expected_state' | 'warnings'> {
  const file = path.join(dir, 'audit.log');
  const statePath = sealStatePath(file);
  if (v.existing !== undefined) fs.writeFileSync(file, v.existing, { mode: 0o600 });
  if (v.state) fs.writeFileSync(statePath, encodeSealState({ epoch: v.state.epoch, key: keyOf(v.state.epoch), keyId: keyId(K0), pending: v.state.pending }), { mode: 0o600 });
  let clock = v.open_at;
  let warnings = 0;
  const log = openAuditLog({ path: file, now: () => clock, pid: v.pid, warn: () => warnings++, settleMs: 0, sealInterval: v.seal_interval_ms, operator: false });
  for (const step of v.steps) {
    clock = step.at;
    if (step.request) log.request(requestInput(step.request));
    if (step.close) log.close();
  }
  log.close();
  const state = fs.existsSync(statePath) ? fs.readFileSync(statePath, 'utf8') : null;
  return { expected: fs.readFileSync(file, 'utf8'), expected_state: state, warnings };
}

function sessions(): SealSession[] {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'seal-vectors-'));
  const run = (v: Omit<SealSession, 'expected' | 'expected_state' | 'warnings'>): SealSession => ({ ...v, ...runSealSession(v, fs.mkdtempSync(path.join(tmp, 's-'))) });
  try {
    /** A log sealed from epoch `epoch`, opened at T0 by pid 4242, sealed every 15 min. */
    const sealed = (name: string, epoch: number, steps: SessionStep[]) => run({ name, pid: 4242, open_at: T0, seal_interval_ms: 15 * MIN, state: { epoch, pending: null }, steps });
    const atClose = sealed('sealed at close: start, records and stop within the interval, then one seal', 0, [
      { at: T0 + 10, request: request('r1') },
      { at: T0 + 2 * MIN, request: request('r2', { decision: 'denied' }) },
      { at: T0 + 3 * MIN, close: true },
    ]);
    // A record a minute for 40 minutes: a seal with the first record at or past each due time.
    const steady = sealed('the interval: a seal with the first record once 15 min have passed since the last seal, and at close', 2, [
      ...Array.from({ length: 40 }, (_, i) => ({ at: T0 + (i + 1) * MIN - 7, request: request(`r${i}`) })),
      { at: T0 + 41 * MIN, close: true },
    ]);
    // The crash: the state moved on (its pending line) but the seal never reached the log.
    const crashed = atClose.expected.split('\n').slice(0, -2);
    const crashedState = JSON.parse(atClose.expected_state as string) as { epoch: number; pending: string };
    const afterCrash = crashed.map((l) => `${l}\n`).join('');
    // Another writer's record in the place of the one the seal follows: the seal's `prev` names a line no longer there.
    const other = JSON.stringify({ v: 1, type: 'writer', seq: crashed.length, prev: hashLine(crashed[crashed.length - 2]), logged: '2026-01-15T09:33:00.123Z', time: '2026-01-15T09:33:00.123Z', event: 'stop', pid: 999 });
    const lost = [...crashed.slice(0, -1), other].map((l) => `${l}\n`).join('');
    /** The log `existing` reopened 10 min later by another process, with the crashed state beside it. */
    const reopened = (name: string, existing: string) =>
      run({ name, pid: 4343, open_at: T0 + 10 * MIN, seal_interval_ms: 15 * MIN, state: { epoch: crashedState.epoch, pending: crashedState.pending }, existing, steps: [{ at: T0 + 10 * MIN + 5, request: request('after') }, { at: T0 + 11 * MIN, close: true }] });
    return [
      atClose,
      steady,
      reopened('a seal a crash kept out of the log is appended first at the next open', afterCrash),
      reopened('a pending seal that no longer fits (another record took its place) is not appended, and warned of', lost),
      reopened('a pending seal already in the log is not appended again', atClose.expected),
      run({ name: 'no state file: no seal', pid: 4242, open_at: T0, seal_interval_ms: 15 * MIN, steps: [{ at: T0 + 20 * MIN, request: request('r1') }, { at: T0 + 40 * MIN, close: true }] }),
      run({ name: 'sealing off (interval 0) with a state: no seal, the state untouched', pid: 4242, open_at: T0, seal_interval_ms: 0, state: { epoch: 0, pending: null }, steps: [{ at: T0 + 20 * MIN, request: request('r1') }, { at: T0 + 40 * MIN, close: true }] }),
    ];
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

export function sealVectors(about: string): SealVectors {
  const keys = Array.from({ length: EPOCHS }, (_, e) => keyOf(e).toString('hex'));
  const id = keyId(K0);
  const positions = [
    { seq: 1, prev: GENESIS_HASH, logged_ms: T0, epoch: 0 },
    { seq: 42, prev: hashLine('a line before'), logged_ms: T0 + 15 * MIN, epoch: 1 },
    { seq: 9007199254740991, prev: hashLine('the last line'), logged_ms: Date.UTC(2999, 11, 31, 23, 59, 59, 999), epoch: 3 },
  ];
  const sealLines = positions.map((p) => ({ ...p, line: sealLine({ seq: p.seq, prev: p.prev, time: new Date(p.logged_ms).toISOString(), epoch: p.epoch, keyId: id }, keyOf(p.epoch)) }));
  const states = [
    { epoch: 0, pending: null },
    { epoch: 2, pending: sealLines[1].line },
  ].map((s) => ({ ...s, bytes: encodeSealState({ epoch: s.epoch, key: keyOf(s.epoch), keyId: id, pending: s.pending }).toString('utf8') }));
  return { about, k0: K0.toString('hex'), key_id: id, keys, seal_lines: sealLines, states, sessions: sessions() };
}

const ABOUT =
  'Seal vectors of the sudo-proxy audit log: both writers (TypeScript: test/vectors/seals.test.ts; Rust: rust/tests/seal_vectors.rs) must make these keys, seal lines, state files and sealed sessions. Generated by `npm run vectors` (test/vectors/seal-vectors.ts); see README.md here.';

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const out = path.join(import.meta.dirname, '../../schema/vectors/seals.json');
  const v = sealVectors(ABOUT);
  const { sessions: s, seal_lines: l, states, ...head } = v;
  // One vector per line: a change to one shows as a change to its line.
  const list = (items: object[]) => `[\n${items.map((i) => JSON.stringify(i)).join(',\n')}\n]`;
  const text = `${JSON.stringify(head).slice(0, -1)},\n"seal_lines":${list(l)},\n"states":${list(states)},\n"sessions":${list(s)}}\n`;
  fs.writeFileSync(out, text);
  console.log(`wrote ${out}`);
}
