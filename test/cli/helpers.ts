/**
 * Runs the built CLI (dist/bin/cli.js) as a real child process, and writes fixture logs in
 * temp dirs with the real writer. `npm test` builds before vitest; run `npm run build` first
 * when running these files alone.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AuditLog, openAuditLog, type RequestInput, type ResponseInput } from '../../src/writer/index.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI = path.join(REPO_ROOT, 'dist/bin/cli.js');

if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Run as this uid/gid (tests that need a non-root user for permission errors). */
  uid?: number;
  gid?: number;
}

/** Environment for every child: UTC times, no colour, a private state dir (default log path). */
export function cliEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, TZ: 'UTC', NO_COLOR: '1', NODE_OPTIONS: '', XDG_STATE_HOME: path.join(os.tmpdir(), 'spa-cli-no-state'), ...extra };
}

export function spawnCli(args: readonly string[], options: RunOptions = {}): ChildProcess {
  return spawn(process.execPath, [CLI, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: options.env ?? cliEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
    uid: options.uid,
    gid: options.gid,
  });
}

export function collect(child: ChildProcess): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

export function runCli(args: readonly string[], options: RunOptions = {}): Promise<CliResult> {
  return collect(spawnCli(args, options));
}

/** stdout lines, without the final empty one. */
export const linesOf = (text: string): string[] => text.split('\n').filter((l, i, all) => !(l === '' && i === all.length - 1));

export { makeTempDirFactory } from '../helpers/temp-dir.js';

/** The file's lines without their newlines. */
export function readLines(file: string): string[] {
  return linesOf(fs.readFileSync(file, 'utf8'));
}

export function writeLines(file: string, lines: readonly string[]): void {
  fs.writeFileSync(file, lines.map((l) => `${l}\n`).join(''));
}

/** What a fixture request may set; the rest has plain defaults. */
export type FixtureRequest = Partial<RequestInput> & { id: string; time: string };

export function request(r: FixtureRequest): RequestInput {
  return {
    host: 'web-01',
    session: 's1',
    pipeline: [['uptime']],
    resolved: ['/usr/bin/uptime'],
    env: ['PATH'],
    reason: 'load check',
    privileged: false,
    decision: 'approved',
    via: 'operator',
    latencyMs: 1000,
    ...r,
  };
}

export function response(id: string, r: Partial<ResponseInput> = {}): ResponseInput {
  return { id, time: '2026-11-01T08:00:05.000Z', status: 'ok', error: null, stages: [{ exitCode: 0, stderr: 0 }], stdout: 100, durationMs: 250, ...r };
}

export type FixtureEvent = { request: FixtureRequest } | { response: ResponseInput };

/** An event's own time in ms, when it has a real one. */
function eventMs(e: FixtureEvent): number {
  const t = Date.parse(('request' in e ? e.request.time : e.response.time) ?? '');
  return Number.isFinite(t) ? t : Number.NaN;
}

/**
 * Writes events in order with the real writer, and leaves it open (a daemon still running).
 * The writer's clock reads each event's own time (a fixture where the client's clock agrees
 * with the writer's, so that time filters have known answers); an event without a real time
 * is written at the real time.
 */
export function openLog(file: string, events: readonly FixtureEvent[]): AuditLog {
  const warnings: string[] = [];
  const first = events.map(eventMs).find(Number.isFinite);
  let clock = first ?? Date.now();
  const log = openAuditLog({ path: file, warn: (m) => warnings.push(m), now: () => clock });
  for (const e of events) {
    const t = eventMs(e);
    clock = Number.isFinite(t) ? t : Date.now();
    if ('request' in e) log.request(request(e.request));
    else log.response(e.response);
  }
  if (warnings.length > 0) throw new Error(`writer warnings: ${warnings.join('; ')}`);
  return log;
}

/** Writes events in order with the real writer (start and stop records included, chained). */
export function writeLog(file: string, events: readonly FixtureEvent[]): void {
  openLog(file, events).close();
}

/**
 * Seven requests with known answers for every filter (see print.test.ts):
 * a1 ok · d2 denied · f3 failed (exit 1) · t4 timeout · r5 rejected · g6 running · e7 failed (spawn error).
 */
export const KNOWN: FixtureEvent[] = [
  { request: { id: 'a1', time: '2026-11-01T08:00:00Z', host: 'web-01', session: 's1', privileged: true, pipeline: [['systemctl', 'restart', 'nginx']], reason: 'apply the new config', latencyMs: 1000 } },
  { response: response('a1', { time: '2026-11-01T08:00:02.000Z', durationMs: 900, stdout: 2048 }) },
  { request: { id: 'd2', time: '2026-11-01T08:10:00Z', host: 'web-02', session: 's2', privileged: true, pipeline: [['rm', '-rf', '/srv/old']], reason: 'cleanup', decision: 'denied', latencyMs: 3000 } },
  { request: { id: 'f3', time: '2026-11-01T08:20:00Z', host: '', session: 's1', pipeline: [['journalctl', '-u', 'nginx'], ['grep', 'error']], reason: 'why did NGINX fail?', latencyMs: 1000 } },
  { response: response('f3', { time: '2026-11-01T08:20:02.000Z', stages: [{ exitCode: 0, stderr: 0 }, { exitCode: 1, stderr: 12 }], stdout: 0, durationMs: 120 }) },
  { request: { id: 't4', time: '2026-11-01T08:30:00Z', host: 'web-01', session: 's2', privileged: true, pipeline: [['reboot']], reason: 'kernel update', decision: 'timeout', latencyMs: 60000 } },
  { request: { id: 'r5', time: '2026-11-01T08:40:00Z', host: 'web-02', session: 's3', pipeline: [['curl', 'http://x']], reason: 'fetch', decision: 'rejected', via: 'policy', latencyMs: null, error: 'command not in the allow-list' } },
  { request: { id: 'g6', time: '2026-11-01T08:50:00Z', host: 'web-01', session: 's1', privileged: true, pipeline: [['tcpdump', '-i', 'eth0']], reason: 'capture DNS', latencyMs: 1000 } },
  { request: { id: 'e7', time: '2026-11-01T09:00:00Z', host: 'web-02', session: 's3', pipeline: [['df', '-h']], reason: 'disk usage', via: 'policy', latencyMs: null } },
  { response: response('e7', { time: '2026-11-01T09:00:00.003Z', status: 'error', error: 'spawn df: No such file or directory (os error 2)', stages: [], stdout: 0, durationMs: 3 }) },
];
