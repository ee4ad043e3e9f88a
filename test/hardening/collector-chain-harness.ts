/** The collector-chain tests' harness: a collector dir from arranged lines, verify DIR's verdict, the fleet engine's. */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { vi } from 'vitest';
import type { AuditEngine, ChainStatus } from '../../src/shared/entry.js';
import { answeredLog, linesOf, writeLines } from '../helpers/integrity-logs.js';
import { tempDir, WAIT } from '../engine/helpers.js';

const CLI = path.resolve(__dirname, '../../dist/bin/cli.js');

export function chain(n: number): string[] {
  return linesOf(answeredLog(tempDir('atk2src'), n));
}

/** files: name → lines (name ending .gz is gzipped). Returns DIR. */
export function collector(files: Record<string, string[]>, host = 'web', dir = tempDir('atk2')): string {
  fs.mkdirSync(path.join(dir, host), { recursive: true });
  for (const [name, lines] of Object.entries(files)) {
    const file = path.join(dir, host, name);
    if (name.endsWith('.gz')) fs.writeFileSync(file, zlib.gzipSync(lines.map((l) => `${l}\n`).join('')));
    else writeLines(file, lines);
  }
  return dir;
}

export function verifyDir(dir: string): { ok: boolean; out: string } {
  const r = spawnSync(process.execPath, [CLI, 'verify', dir], { encoding: 'utf8' });
  return { ok: r.status === 0, out: `${r.stdout}${r.stderr}` };
}

export function printJsonStderr(dir: string): string {
  const r = spawnSync(process.execPath, [CLI, 'print', '--json', dir], { encoding: 'utf8', maxBuffer: 1 << 28 });
  return r.stderr;
}

/** `stats DIR`'s line on the hash chain. */
export function statsChainLine(dir: string): string {
  const r = spawnSync(process.execPath, [CLI, 'stats', dir], { encoding: 'utf8' });
  return r.stdout.split('\n').find((l) => l.startsWith('Hash chain:')) ?? `(no chain line) ${r.stdout}${r.stderr}`;
}

/** `stats --json DIR`'s chain. */
export function statsJsonChain(dir: string): Record<string, unknown> {
  const r = spawnSync(process.execPath, [CLI, 'stats', '--json', dir], { encoding: 'utf8' });
  return (JSON.parse(r.stdout) as { chain: Record<string, unknown> }).chain;
}

export const status = (engine: AuditEngine) => engine.chainStatus?.() as ChainStatus;

export const open: AuditEngine[] = [];

export async function fleet(dir: string, options: object = {}): Promise<AuditEngine> {
  const { openFleetEngine } = await import('../../src/engine/fleet-engine.js');
  const { findCollectedHosts } = await import('../../src/engine/collector-dir.js');
  const engine = openFleetEngine(findCollectedHosts(dir), { follow: false, ...options });
  open.push(engine);
  await engine.indexed();
  return engine;
}

export const brief = (s: ChainStatus) => ({ state: s.state, breakCount: s.breakCount, breaks: s.breaks.map((b) => `${b.kind} ${path.basename(b.file)}:${b.line} ${b.message}`) });

export const READ_MODES: Array<[string, Record<string, unknown>]> = [
  ['default', {}],
  ['tailBytes 2000', { tailBytes: 2000 }],
  ['wholeHosts', { wholeHosts: true }],
];

export async function settledFollow(engine: AuditEngine, pred: (s: ChainStatus) => boolean): Promise<ChainStatus> {
  await vi.waitFor(() => {
    if (!pred(status(engine))) throw new Error(`not yet: ${JSON.stringify(brief(status(engine)))}`);
  }, WAIT);
  return status(engine);
}

export { execFileSync, linesOf, writeLines, tempDir, WAIT };
