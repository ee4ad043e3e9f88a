/**
 * The Rust side for vitest: builds the crate's example daemon (rust/examples/demo_daemon.rs)
 * offline with cargo, runs it, and reads back what it decided. cargo is required under CI
 * (.ci/run installs it and the Debian-packaged crates) and skips these tests elsewhere.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import path from 'node:path';
import { type CliResult, collect, REPO_ROOT } from '../cli/helpers.js';
import { requireTool } from '../helpers/system-tools.js';

export const RUST_DIR = path.join(REPO_ROOT, 'rust');
/** The engine's optional native scanner (a crate of its own, no dependencies). */
export const NATIVE_DIR = path.join(REPO_ROOT, 'native');
export const cargo = requireTool('cargo', { package: 'cargo' });
export const DAEMON = path.join(RUST_DIR, 'target/debug/examples/demo_daemon');

/** A finished process: the same shape as a CLI run. */
export type Run = CliResult;

/** `cargo ARGS` in rust/, offline (rust/.cargo/config.toml); rejects with its output on failure. */
export function runCargo(args: readonly string[], cwd = RUST_DIR): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(cargo.path, [...args], { cwd, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, CARGO_TERM_COLOR: 'never' } }, (error, stdout, stderr) => {
      const run = { code: error ? Number(error.code ?? 1) : 0, signal: null, stdout, stderr };
      if (error) reject(new Error(`cargo ${args.join(' ')} failed:\n${stderr}`));
      else resolve(run);
    });
  });
}

export const buildDaemon = (): Promise<Run> => runCargo(['build', '--offline', '--example', 'demo_daemon']);

export function spawnDaemon(args: readonly string[]): ChildProcess {
  return spawn(DAEMON, [...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Waits for a process to end, with what it printed. */
export const collectRun = (child: ChildProcess): Promise<Run> => collect(child);

export const runDaemon = (args: readonly string[]): Promise<Run> => collectRun(spawnDaemon(args));

/** What the daemon decided for request n (`n % 8`, rust/examples/demo_daemon.rs), as an entry's state. */
const STATES = ['ok', 'ok', 'ok', 'failed', 'denied', 'timeout', 'rejected', 'ok'] as const;

/** The request number in an id `<pid>-0000-4000-8000-<n>`. */
export const requestNumber = (id: string): number => Number.parseInt(id.slice(-12), 16);
export const pidOf = (id: string): number => Number.parseInt(id.slice(0, 8), 16);
export const expectedState = (id: string): string => STATES[requestNumber(id) % 8];
/** Approved requests run: their entry stays `running` until the completion record. */
export const runs = (id: string): boolean => ['ok', 'failed'].includes(expectedState(id));
