/**
 * The seal format and verdict (shared/seal.ts), fed by hand: key evolution, the canonical
 * line, and each failure the verdict names. The writer and verify tests run the same code on
 * real logs.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashLine } from '../../src/shared/chain.js';
import { parseLineText } from '../../src/shared/parse-line.js';
import { sealRecordSchema } from '../../src/shared/schema.js';
import { KEY_EVOLUTION_LABEL, keyAtEpoch, keyId, nextKey, parseSealLine, SealChecker, type SealInput, sealLine } from '../../src/shared/seal.js';
import { decodeSealState, encodeSealState } from '../../src/shared/seal-state.js';

const K0 = Buffer.alloc(32, 7);
const T = (min: number) => new Date(Date.parse('2026-12-01T10:00:00Z') + min * 60_000).toISOString();

/** A chain of `n` plain records with a seal after every `every`, as SealInput, the seals under k0's epochs. */
function sealedChain(n: number, every: number, k0 = K0): SealInput[] {
  const out: SealInput[] = [];
  let prev = '0'.repeat(64);
  let epoch = 0;
  for (let seq = 1; seq <= n; seq++) {
    const minute = seq;
    let text: string;
    let seal: string | null = null;
    if (seq % (every + 1) === 0) {
      const key = keyAtEpoch(k0, epoch) as Buffer;
      text = sealLine({ seq, prev, time: T(minute), epoch, keyId: keyId(k0) }, key);
      seal = text;
      epoch++;
    } else {
      text = `{"v":1,"type":"writer","seq":${seq},"prev":"${prev}","logged":"${T(minute)}","time":"${T(minute)}","event":"start","pid":1}`;
    }
    out.push({ seq, file: 'audit.log', line: seq, logged: T(minute), seal });
    prev = hashLine(text);
  }
  return out;
}

const verdictOf = (inputs: readonly SealInput[], k0: Buffer | null = K0, intervalMs?: number) => {
  const c = new SealChecker(k0, { intervalMs });
  for (const r of inputs) c.add(r);
  return c.finish();
};

describe('keys', () => {
  it('k_{i+1} = HMAC-SHA256(k_i, the label), and keyAtEpoch walks it', () => {
    const k1 = createHmac('sha256', K0).update(KEY_EVOLUTION_LABEL).digest();
    expect(nextKey(K0)).toEqual(k1);
    expect(keyAtEpoch(K0, 0)).toEqual(K0);
    expect(keyAtEpoch(K0, 2)).toEqual(nextKey(k1));
    expect(keyAtEpoch(K0, -1)).toBeNull();
    expect(keyAtEpoch(K0, 2 ** 40)).toBeNull();
  });

  it('a state file round-trips, and decoding overwrites the key digits in the bytes read', () => {
    const key = randomBytes(32);
    const line = sealLine({ seq: 3, prev: 'a'.repeat(64), time: T(0), epoch: 4, keyId: keyId(K0) }, key);
    const bytes = encodeSealState({ epoch: 5, key, keyId: keyId(K0), pending: line });
    expect(bytes.toString()).toContain(key.toString('hex'));
    const state = decodeSealState(bytes);
    expect(state).toEqual({ epoch: 5, key, keyId: keyId(K0), pending: line });
    expect(bytes.toString()).not.toContain(key.toString('hex'));
    expect(() => decodeSealState(Buffer.from('{"v":1,"epoch":0,"key":"zz"}'))).toThrow(/hex/);
  });
});

describe('the README\'s test vectors (for writers in other languages)', () => {
  it('k₀ = bytes 0…31: k₁, the key id, and two seal lines byte for byte', () => {
    const k0 = Buffer.from(Array.from({ length: 32 }, (_, i) => i));
    const prev = 'a62471eb71400d1191e1e8a5a4c7b6e9d1f2c3b4a5968778695a4b3c2d1e0f09';
    expect(nextKey(k0).toString('hex')).toBe('7e791983e021f9b27607d43c16821dc8ac4bff7060cafb7de79e862ed84a0a4f');
    expect(keyId(k0)).toBe('79311b9e1ede2751');
    expect(sealLine({ seq: 18, prev, time: '2026-12-01T10:16:00.000Z', epoch: 0, keyId: keyId(k0) }, k0)).toBe('{"v":1,"type":"seal","seq":18,"prev":"a62471eb71400d1191e1e8a5a4c7b6e9d1f2c3b4a5968778695a4b3c2d1e0f09","logged":"2026-12-01T10:16:00.000Z","time":"2026-12-01T10:16:00.000Z","epoch":0,"key_id":"79311b9e1ede2751","mac":"5e1314bd760fdcea04fff6a88462a825d27260810baef79b28d465d9d6ca2a3e"}');
    expect(sealLine({ seq: 34, prev, time: '2026-12-01T10:31:00.000Z', epoch: 1, keyId: keyId(k0) }, nextKey(k0))).toBe('{"v":1,"type":"seal","seq":34,"prev":"a62471eb71400d1191e1e8a5a4c7b6e9d1f2c3b4a5968778695a4b3c2d1e0f09","logged":"2026-12-01T10:31:00.000Z","time":"2026-12-01T10:31:00.000Z","epoch":1,"key_id":"79311b9e1ede2751","mac":"b19a128de1dfed9dc371386a93acc79d353435d4d108044a72a291096d34daa4"}');
  });
});

describe('the seal line', () => {
  it('is a valid record of the schema, read back by parseSealLine with the bytes its MAC covers', () => {
    const line = sealLine({ seq: 12, prev: 'b'.repeat(64), time: T(5), epoch: 3, keyId: keyId(K0) }, K0);
    const parsed = parseLineText(line);
    expect(parsed.ok).toBe(true);
    expect(sealRecordSchema.safeParse(JSON.parse(line)).success).toBe(true);
    const seal = parseSealLine(line);
    expect(seal).toMatchObject({ seq: 12, epoch: 3, time: T(5), keyId: keyId(K0) });
    expect(Buffer.from(seal?.content ?? []).toString()).toBe(line.slice(0, line.indexOf(',"mac":"')));
  });

  it('is refused in any other form: reordered keys, whitespace, logged ≠ time', () => {
    const line = sealLine({ seq: 12, prev: 'b'.repeat(64), time: T(5), epoch: 3, keyId: keyId(K0) }, K0);
    expect(parseSealLine(line.replace('{"v":1,"type":"seal"', '{"type":"seal","v":1'))).toBeNull();
    expect(parseSealLine(line.replace(',"epoch"', ', "epoch"'))).toBeNull();
    expect(parseSealLine(line.replace(`"time":"${T(5)}"`, `"time":"${T(6)}"`))).toBeNull();
  });
});

describe('the verdict', () => {
  it('a sealed chain: sealed through the last seal, the records after it counted as unsealed', () => {
    const v = verdictOf(sealedChain(20, 4));
    expect(v.failure).toBeNull();
    expect(v.seals).toBe(4);
    expect(v.last).toMatchObject({ seq: 20, epoch: 3 });
    expect(v.unsealed).toBe(0);
    const tail = verdictOf(sealedChain(23, 4));
    expect(tail.last?.seq).toBe(20);
    expect(tail.unsealed).toBe(3);
  });

  it('without a key: the seals described, nothing checked', () => {
    const v = verdictOf(sealedChain(12, 4), null);
    expect(v).toMatchObject({ keyed: false, seals: 2, failure: null, unsealed: 2 });
  });

  it('names a MAC that fails, a missing epoch, seals out of order, another log\'s seal, a malformed seal', () => {
    const chain = sealedChain(30, 4); // seals at seq 5, 10, 15, 20, 25, 30 (epochs 0–5)
    const tampered = chain.map((r) => (r.seq === 10 ? { ...r, seal: String(r.seal).replace(/"mac":"./, '"mac":"f') } : r));
    const mac = verdictOf(tampered).failure;
    expect(mac).toMatchObject({ kind: 'mac', line: 10 });

    expect(verdictOf(chain.filter((r) => r.seq !== 15)).failure).toMatchObject({ kind: 'missing-epoch', line: 20 });

    const swapped = chain.map((r) => (r.seq === 10 ? { ...r, seal: chain[14].seal } : r.seq === 15 ? { ...r, seal: chain[9].seal } : r));
    // The first seal out of place is named: here the later one, moved forward.
    expect(verdictOf(swapped).failure).toMatchObject({ kind: 'missing-epoch', line: 10, message: expect.stringMatching(/moved/) });
    const repeated = chain.map((r) => (r.seq === 15 ? { ...r, seal: chain[9].seal } : r));
    expect(verdictOf(repeated).failure).toMatchObject({ kind: 'reordered', line: 15 });

    const other = sealedChain(30, 4, Buffer.alloc(32, 9));
    const spliced = chain.map((r) => (r.seq === 20 ? other[19] : r));
    expect(verdictOf(spliced).failure).toMatchObject({ kind: 'other-log', line: 20 });

    expect(verdictOf(chain, Buffer.alloc(32, 1)).failure).toMatchObject({ kind: 'other-log', line: 5 });

    const odd = chain.map((r) => (r.seq === 5 ? { ...r, seal: '{"v":1,"type":"seal"}' } : r));
    expect(verdictOf(odd).failure).toMatchObject({ kind: 'malformed', line: 5 });
  });

  it('warns when the last record is more than an interval after the last seal', () => {
    const chain = sealedChain(10, 4); // last seal at minute 10
    const late = [...chain, { seq: 11, file: 'audit.log', line: 11, logged: T(40), seal: null }];
    expect(verdictOf(late, K0, 15 * 60_000).warnings).toEqual([expect.stringMatching(/30 min older than the last record/)]);
    expect(verdictOf(late, K0, 60 * 60_000).warnings).toEqual([]);
  });
});
