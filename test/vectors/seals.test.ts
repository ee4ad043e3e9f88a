/**
 * The seal vectors (schema/vectors/seals.json): the TypeScript writer must still make the keys,
 * seal lines, state files and sealed sessions they hold — the Rust writer is held to the same
 * file by rust/tests/seal_vectors.rs. After a deliberate change: `npm run vectors`, review, commit.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { keyAtEpoch, keyId, sealLine } from '../../src/shared/seal.js';
import { encodeSealState } from '../../src/shared/seal-state.js';
import { makeTempDirFactory } from '../helpers/temp-dir.js';
import { K0, runSealSession, type SealVectors } from './seal-vectors.js';

const v = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, '../../schema/vectors/seals.json'), 'utf8')) as SealVectors;
const tempDir = makeTempDirFactory('seal-vectors');
const key = (epoch: number) => Buffer.from(v.keys[epoch], 'hex');

describe('seal vectors', () => {
  it('keys: k₀, its id, and each epoch’s key evolved from the last', () => {
    expect(v.k0).toBe(K0.toString('hex'));
    expect(keyId(K0)).toBe(v.key_id);
    v.keys.forEach((hex, e) => expect(keyAtEpoch(K0, e)?.toString('hex')).toBe(hex));
  });

  it.each(v.seal_lines.map((s) => [s.seq, s] as const))('the seal line at seq %d', (_seq, s) => {
    expect(sealLine({ seq: s.seq, prev: s.prev, time: new Date(s.logged_ms).toISOString(), epoch: s.epoch, keyId: v.key_id }, key(s.epoch))).toBe(s.line);
  });

  it.each(v.states.map((s) => [s.epoch, s] as const))('the state file at epoch %d', (_e, s) => {
    expect(encodeSealState({ epoch: s.epoch, key: key(s.epoch), keyId: v.key_id, pending: s.pending }).toString('utf8')).toBe(s.bytes);
  });

  it('cover the seal at close, the interval, a pending seal that fits, one that is lost, one already written, no state, sealing off', () => {
    expect(v.sessions.map((s) => s.expected.split('"type":"seal"').length - 1)).toEqual([1, 3, 2, 1, 2, 0, 0]);
    expect(v.sessions.map((s) => s.warnings)).toEqual([0, 0, 0, 1, 0, 0, 0]);
  });

  it.each(v.sessions.map((s) => [s.name, s] as const))('%s', (_name, s) => {
    expect(runSealSession(s, tempDir())).toEqual({ expected: s.expected, expected_state: s.expected_state, warnings: s.warnings });
  });
});
