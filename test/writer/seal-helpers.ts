/** Sealing fixtures for writer and CLI tests: a state as `seal init` makes it, and a log's seals checked. */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { ChainLine } from '../../src/shared/chain.js';
import { verifyChain } from '../../src/shared/chain.js';
import { keyAtEpoch, keyId, parseSealLine, SealChecker, sealMac, type SealVerdict } from '../../src/shared/seal.js';
import { encodeSealState, sealStatePath } from '../../src/shared/seal-state.js';
import { openAuditLog } from '../../src/writer/index.js';
import { sampleRequest } from './helpers.js';

/** A log file's lines, a .gz one inflated. */
export function logLines(file: string): string[] {
  const bytes = fs.readFileSync(file);
  const text = (file.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

const chainLinesOf = (files: readonly string[]): ChainLine[] => files.flatMap((file) => logLines(file).map((text, i) => ({ file, line: i + 1, text })));

/** Writes an epoch-0 state beside `logPath` (0600, its directory made 0700) and returns k₀. */
export function initSealState(logPath: string, k0: Buffer = randomBytes(32)): Buffer {
  const statePath = sealStatePath(logPath);
  fs.mkdirSync(statePath.slice(0, statePath.lastIndexOf('/')), { recursive: true, mode: 0o700 });
  fs.writeFileSync(statePath, encodeSealState({ epoch: 0, key: k0, keyId: keyId(k0), pending: null }), { mode: 0o600 });
  return Buffer.from(k0);
}

/** A log sealed by the real writer and closed (sealed at close): 12 requests a minute apart, sealed every 5 minutes. Returns k₀. */
export function sealedClosedLog(file: string): Buffer {
  const k0 = initSealState(file);
  let t = Date.parse('2026-12-01T10:00:00Z');
  const log = openAuditLog({ path: file, now: () => t, sealInterval: 5 * 60_000, warn: () => {} });
  for (let i = 0; i < 12; i++) {
    log.request(sampleRequest(i));
    t += 60_000;
  }
  log.close();
  return k0;
}

/** The seal verdict of files read in order (the chain must hold too). */
export function sealVerdictOf(files: readonly string[], k0: Buffer | null, intervalMs?: number): SealVerdict & { chainOk: boolean } {
  const checker = new SealChecker(k0, { intervalMs });
  const report = verifyChain(chainLinesOf(files), { onRecord: (r) => checker.add(r) });
  return { ...checker.finish(), chainOk: report.ok };
}

/** Every seal line of the files, parsed. */
export function sealsIn(files: readonly string[]) {
  return files.flatMap((f) => logLines(f)).flatMap((l) => {
    const s = parseSealLine(l);
    return s ? [s] : [];
  });
}

/** Whether each seal's MAC verifies under its own epoch's key (for logs whose chain forks: concurrent writers). */
export function everySealVerifies(files: readonly string[], k0: Buffer): boolean {
  return sealsIn(files).every((s) => sealMac(keyAtEpoch(k0, s.epoch) as Buffer, s.content) === s.mac);
}
