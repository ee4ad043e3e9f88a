/** Shared helpers for the writer and chain tests: temp dirs, reading logs, child writers. */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChainLine } from '../../src/shared/chain.js';
import type { RequestInput, ResponseInput } from '../../src/writer/index.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CHILD_SCRIPT = path.join(REPO_ROOT, 'test/writer/fixtures/writer-child.ts');

export { makeTempDirFactory } from '../helpers/temp-dir.js';

/** The file's lines without their newlines; a final fragment (no newline) is the last entry. */
export function readLines(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

export function parseLines(file: string): Array<Record<string, unknown>> {
  return readLines(file).map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Lines of files (oldest first) as input for `verifyChain`. */
export function chainLinesOf(files: readonly string[]): ChainLine[] {
  return files.flatMap((file) => readLines(file).map((text, i) => ({ file, line: i + 1, text })));
}

export function sampleRequest(i: number, overrides: Partial<RequestInput> = {}): RequestInput {
  return {
    id: `req-${i}`,
    time: '2025-03-04T05:06:07Z',
    host: '',
    session: 'sess-1',
    pipeline: [['journalctl', '-u', 'nginx', '--since', 'today'], ['grep', 'error']],
    resolved: ['/usr/bin/journalctl', '/usr/bin/grep'],
    env: { PATH: '/usr/bin', LANG: 'C' },
    reason: `record ${i}: check why nginx failed to reload after the cert renewal`,
    privileged: true,
    decision: 'approved',
    via: 'operator',
    latencyMs: 1500,
    ...overrides,
  };
}

export function sampleResponse(i: number, overrides: Partial<ResponseInput> = {}): ResponseInput {
  return {
    id: `req-${i}`,
    time: '2025-03-04T05:06:09.123Z',
    status: 'ok',
    error: null,
    stages: [
      { exitCode: 0, stderr: 0 },
      { exitCode: 1, stderr: 'nothing matched\n' },
    ],
    stdout: 1234,
    durationMs: 42.5,
    ...overrides,
  };
}

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts `writer-child.ts` under tsx in its own Node process. */
export function spawnWriter(mode: 'count' | 'loop' | 'rotate' | 'big', file: string, tag: string, n: number): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', CHILD_SCRIPT, mode, file, tag, String(n)], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
}

export function waitForExit(child: ChildProcess): Promise<ChildResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Resolves when the child prints `word` on a line of stdout; rejects if it exits first. */
export function waitForLine(child: ChildProcess, word: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let buf = '';
    let err = '';
    const onData = (d: Buffer) => {
      buf += d.toString();
      if (buf.split('\n').includes(word)) {
        child.stdout?.off('data', onData);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code, signal) => reject(new Error(`child exited (${code ?? signal}) before "${word}": ${err}`)));
  });
}

export async function runWriter(mode: 'count' | 'rotate' | 'big', file: string, tag: string, n: number): Promise<ChildResult> {
  return waitForExit(spawnWriter(mode, file, tag, n));
}
