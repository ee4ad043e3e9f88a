/**
 * Seals across real processes: a writer SIGKILLed inside a seal (its state written but not in
 * place; in place but its seal not appended), and writers on one log sealing at once. No key
 * may seal twice, no writer may stop, and every seal must verify.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { keyAtEpoch } from '../../src/shared/seal.js';
import { sealStatePath } from '../../src/shared/seal-state.js';
import { openAuditLog } from '../../src/writer/index.js';
import { makeTempDirFactory, REPO_ROOT, sampleRequest, waitForExit } from './helpers.js';
import { everySealVerifies, initSealState, sealsIn, sealVerdictOf } from './seal-helpers.js';

const tempDir = makeTempDirFactory('spa-seal-procs');
const CHILD = path.join(REPO_ROOT, 'test/writer/fixtures/seal-child.ts');

const runChild = (mode: string, file: string, tag: string, n: number) =>
  waitForExit(spawn(process.execPath, ['--import', 'tsx', CHILD, mode, file, tag, String(n)], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } }));

/** The state's epoch and key as hex, read back. */
function stateOf(file: string): { epoch: number; key: string } {
  const text = fs.readFileSync(sealStatePath(file), 'utf8');
  return { epoch: Number(/"epoch":(\d+)/.exec(text)?.[1]), key: /"key":"([0-9a-f]{64})"/.exec(text)?.[1] ?? '' };
}

describe('seals and crashes', () => {
  for (const step of ['state-written', 'state-replaced'] as const) {
    it(`SIGKILL at ${step} in the 3rd seal: the next writer goes on with no epoch lost and no key used twice; every seal verifies`, async () => {
      const file = path.join(tempDir(), 'audit.log');
      const k0 = initSealState(file);
      const killed = await runChild(`kill-at-${step}`, file, 'k', 3);
      expect(killed.signal).toBe('SIGKILL');
      const before = stateOf(file);
      // state-written: the old state (k_2) is still in place, unused; state-replaced: k_3 is, and seal 2 is pending.
      expect(before.epoch).toBe(step === 'state-written' ? 2 : 3);
      expect(before.key).toBe((keyAtEpoch(k0, before.epoch) as Buffer).toString('hex'));
      expect(sealsIn([file]).map((s) => s.epoch)).toEqual([0, 1]);

      const warnings: string[] = [];
      const next = openAuditLog({ path: file, sealInterval: 1, warn: (m) => warnings.push(m) });
      for (let i = 0; i < 3; i++) next.request(sampleRequest(i));
      next.close();
      expect(warnings).toEqual([]);
      const epochs = sealsIn([file]).map((s) => s.epoch);
      expect(epochs).toEqual([...epochs.keys()]); // 0, 1, 2, … each once
      expect(sealVerdictOf([file], k0)).toMatchObject({ chainOk: true, failure: null, unsealed: 0 });
      expect(stateOf(file).epoch).toBe(epochs.length);
    }, 30_000);
  }

  it('3 processes sealing one log at once: no epoch sealed twice, every seal verifies under its own epoch\'s key', async () => {
    const file = path.join(tempDir(), 'audit.log');
    const k0 = initSealState(file);
    const results = await Promise.all(['a', 'b', 'c'].map((tag) => runChild('count', file, tag, 150)));
    for (const r of results) expect(r).toMatchObject({ code: 0, stderr: '', stdout: 'done 150\n' });
    const epochs = sealsIn([file]).map((s) => s.epoch);
    expect(epochs.length).toBeGreaterThan(3);
    expect(new Set(epochs).size).toBe(epochs.length);
    expect(everySealVerifies([file], k0)).toBe(true);
    expect(stateOf(file).epoch).toBe(Math.max(...epochs) + 1);
    expect(fs.readdirSync(path.dirname(file)).sort()).toEqual(['.audit.log.seal', 'audit.log']);
  }, 60_000);
});
