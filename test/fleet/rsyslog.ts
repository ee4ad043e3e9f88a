/**
 * Runs the shipped rsyslog and logrotate configurations for the fleet test: finds the
 * binaries and the RELP module (test/helpers/system-tools.ts: a skip without them, a failure
 * under CI), renders the files of examples/rsyslog/, starts rsyslogd in the foreground and stops
 * it by its pid.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Tool, requireTool } from '../helpers/system-tools.js';
import { renderConfig } from './render.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const EXAMPLES_DIR = path.join(REPO_ROOT, 'examples/rsyslog');

/** Where Debian's rsyslogd loads its modules from (/usr/lib/<multiarch>/rsyslog). */
export function rsyslogModuleDirs(lib = '/usr/lib'): string[] {
  const multiarch = fs.existsSync(lib) ? fs.readdirSync(lib).filter((name) => name.includes('-linux-')) : [];
  return [...multiarch.map((name) => path.join(lib, name, 'rsyslog')), path.join(lib, 'rsyslog')];
}

export interface Tools {
  rsyslogd: string;
  logrotate: string;
}

/**
 * rsyslogd, its RELP modules (omrelp and imrelp, both in rsyslog-relp) and logrotate: what the
 * fleet test needs. `found` is false when one is missing (each says so); under CI that throws.
 */
export function requireFleetTools(): { found: boolean; tools: Tools } {
  const needed: Tool[] = [
    requireTool('rsyslogd', { package: 'rsyslog' }),
    requireTool('omrelp.so', { package: 'rsyslog-relp', dirs: rsyslogModuleDirs(), module: true }),
    requireTool('logrotate', { package: 'logrotate' }),
  ];
  const [rsyslogd, , logrotate] = needed;
  return { found: needed.every((t) => t.found), tools: { rsyslogd: rsyslogd.path, logrotate: logrotate.path } };
}

/** Renders examples/rsyslog/NAME into `dest`, mode 0600 (logrotate refuses writable configs). */
export function renderExample(name: string, dest: string, values: Record<string, string>): string {
  fs.writeFileSync(dest, renderedExample(name, values), { mode: 0o600 });
  return dest;
}

export function renderedExample(name: string, values: Record<string, string>): string {
  return renderConfig(fs.readFileSync(path.join(EXAMPLES_DIR, name), 'utf8'), values, name);
}

/** A port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Checks a rendered configuration with `rsyslogd -N1`; throws with rsyslogd's own words. */
export function validateConfig(tools: Tools, conf: string): void {
  const r = spawnSync(tools.rsyslogd, ['-N1', '-f', conf], { encoding: 'utf8', timeout: 20_000 });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  if (r.status !== 0) {
    const hint = /omrelp|imrelp/.test(out) ? ' (is rsyslog-relp installed? apt-get install rsyslog-relp)' : '';
    throw new Error(`rsyslogd -N1 -f ${conf} failed${hint}:\n${out}`);
  }
}

export interface Rsyslogd {
  readonly name: string;
  readonly pid: number;
  /** What rsyslogd printed (its own error messages go to stderr when run with -n). */
  output(): string;
  /** SIGTERM by pid, SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL by pid, as a crash or power cut would stop it; resolves once it has exited. */
  crash(): Promise<void>;
  readonly exited: boolean;
}

/** Sends a signal by pid; a process that already exited is not an error. */
function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
  }
}

/** Every daemon started and not yet known to have exited: stopped in afterAll, even on failure. */
const running = new Set<Rsyslogd>();

/** The value of `Key=` in a rendered systemd unit; throws when the unit has none. */
export function unitSetting(unit: string, key: string): string {
  const line = unit.split('\n').find((l) => l.startsWith(`${key}=`));
  if (line === undefined) throw new Error(`the unit has no ${key}=`);
  return line.slice(key.length + 1);
}

/** Runs a unit's ExecStartPre= command line as systemd would (through a shell here). */
export function runExecStartPre(unit: string): void {
  const r = spawnSync('/bin/sh', ['-c', unitSetting(unit, 'ExecStartPre')], { encoding: 'utf8', timeout: 10_000 });
  if (r.status !== 0) throw new Error(`ExecStartPre failed (${r.status}): ${r.stderr}`);
}

/**
 * Starts rsyslogd with the arguments of a unit's ExecStart= (a plain command line without
 * quotes), using the rsyslogd found on this machine in place of the unit's path.
 */
export function startFromUnit(tools: Tools, name: string, unit: string): Rsyslogd {
  const [bin, ...args] = unitSetting(unit, 'ExecStart').split(/\s+/).filter(Boolean);
  if (path.basename(bin) !== 'rsyslogd') throw new Error(`${name}: ExecStart= runs ${bin}, not rsyslogd`);
  return startRsyslogd(tools, name, args);
}

export function startRsyslogd(tools: Tools, name: string, args: readonly string[]): Rsyslogd {
  const child: ChildProcess = spawn(tools.rsyslogd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`${name}: could not start ${tools.rsyslogd}`);
  const pid = child.pid;
  let out = '';
  const keep = (d: Buffer) => {
    out = (out + d.toString('utf8')).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    child.on('exit', (code, signal) => {
      exited = true;
      running.delete(handle);
      if (code !== 0) out += `\n[${name} exited: ${signal ?? code}]`;
      resolve();
    });
    child.on('error', (e) => {
      out += `\n[${name}: ${e.message}]`;
      exited = true;
      running.delete(handle);
      resolve();
    });
  });
  const handle: Rsyslogd = {
    name,
    pid,
    output: () => out,
    get exited() {
      return exited;
    },
    async stop(graceMs = 10_000) {
      if (exited) return;
      signal(pid, 'SIGTERM');
      const timer = setTimeout(() => {
        if (!exited) signal(pid, 'SIGKILL');
      }, graceMs);
      await exit;
      clearTimeout(timer);
    },
    async crash() {
      if (exited) return;
      signal(pid, 'SIGKILL');
      await exit;
    },
  };
  running.add(handle);
  return handle;
}

/** Stops every daemon this module started that is still running. */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((d) => d.stop()));
}

/** Resolves once something accepts TCP connections on the port, or throws at the deadline. */
export async function waitForListener(port: number, what: string, deadlineMs = 15_000): Promise<void> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`${what} does not accept connections on 127.0.0.1:${port}`);
    await sleep(100);
  }
}

/** Runs `logrotate -f -s STATE CONF` asynchronously (so writers keep writing meanwhile). */
export function runLogrotate(tools: Tools, conf: string, stateFile: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(tools.logrotate, ['-f', '-s', stateFile, conf], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`logrotate -f -s ${stateFile} ${conf} exited ${code}:\n${out}`))));
  });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
