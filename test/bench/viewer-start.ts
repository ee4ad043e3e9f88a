/**
 * The real viewer in a real terminal (tmux, 120×32 unless told): ms from spawning `CLI view
 * --no-follow TARGET` until the table's selected (newest) row and the footer's count are on
 * screen — the first screen an operator sees. Null without tmux or without that CLI built.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

export function viewerFirstScreenMs(cli: string, target: string, size?: PaneSize): number | null {
  return viewerFirstScreen(cli, target, size)?.ms ?? null;
}

/** viewerFirstScreenMs, with the CPU time the viewer had used by then; `unset`: environment variables the viewer runs without. */
export function viewerFirstScreen(cli: string, target: string, size?: PaneSize, unset: readonly string[] = []): FirstScreen | null {
  if (!fs.existsSync(cli)) return null;
  // (env execs: the pane's process is still the viewer, whose CPU is counted.)
  const without = unset.length === 0 ? [] : ['env', ...unset.flatMap((name) => ['-u', name])];
  // The selected (newest) row starts with the cursor mark, and the footer counts entries.
  return firstScreen([...without, process.execPath, cli, 'view', '--no-follow', target], (screen) => /^› /m.test(screen) && /\d+\/\d+\s*$/m.test(screen), size);
}

export interface PaneSize {
  columns: number;
  rows: number;
}

export interface FirstScreen {
  /** From spawn to the first screen, wall time. */
  ms: number;
  /** CPU time of the program by then, all its threads (/proc schedstat, ns; else user + system at the clock tick's 10 ms), or NaN without /proc. */
  cpuMs: number;
}

/** ms from spawning `argv` in a fresh 120×32 tmux until `ready(screen)`; null without tmux. */
export function firstScreenMs(argv: readonly string[], ready: (screen: string) => boolean, size?: PaneSize): number | null {
  return firstScreen(argv, ready, size)?.ms ?? null;
}

const CLOCK_TICK_MS = 1000 / (Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100);

/**
 * CPU time of process `pid` so far, in ms: the sum of its threads' run time (/proc schedstat, in
 * ns: a first screen takes ~100 ms of CPU, which the clock tick's 10 ms would blur), or else user
 * + system from /proc/PID/stat; NaN when /proc cannot say.
 */
export function cpuMsOf(pid: number): number {
  try {
    let ns = 0;
    for (const task of fs.readdirSync(`/proc/${pid}/task`)) ns += Number(fs.readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
    if (Number.isFinite(ns) && ns > 0) return ns / 1e6;
  } catch {
    // No schedstat (a kernel without it): the clock ticks below.
  }
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * CLOCK_TICK_MS; // utime, stime (fields 14 and 15)
  } catch {
    return Number.NaN;
  }
}

/** firstScreenMs, with the CPU time the program (the pane's process: argv[0] exec'd by env) had used by then. */
export function firstScreen(argv: readonly string[], ready: (screen: string) => boolean, size: PaneSize = { columns: 120, rows: 32 }): FirstScreen | null {
  if (spawnSync('tmux', ['-V']).status !== 0) return null;
  const socket = `bench-start-${process.pid}`;
  const tmux = (...args: string[]) => spawnSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
  const t0 = performance.now();
  tmux('new-session', '-d', '-x', String(size.columns), '-y', String(size.rows), 'env', 'NODE_ENV=production', ...argv);
  try {
    const pid = Number((tmux('list-panes', '-F', '#{pane_pid}').stdout ?? '').trim());
    while (performance.now() - t0 < 30_000) {
      const screen = tmux('capture-pane', '-p').stdout ?? '';
      if (ready(screen)) return { ms: performance.now() - t0, cpuMs: cpuMsOf(pid) };
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    }
    throw new Error(`${argv.join(' ')} showed no first screen within 30 s:\n${tmux('capture-pane', '-p').stdout}`);
  } finally {
    const socketPath = (tmux('display-message', '-p', '#{socket_path}').stdout ?? '').trim();
    const session = sessionOf(Number((tmux('list-panes', '-F', '#{pane_pid}').stdout ?? '').trim()));
    tmux('kill-server');
    if (socketPath !== '') fs.rmSync(socketPath, { force: true }); // kill-server leaves it behind
    if (session !== null) reapSession(session, argv);
  }
}

/** The session id of process `pid` (field 6 of /proc/PID/stat), or null. */
function sessionOf(pid: number): number | null {
  try {
    return Number(fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[3]);
  } catch {
    return null;
  }
}

/**
 * Waits (5 s at most) for every process of the pane's session to end after its terminal closed:
 * one left running (a viewer or `npm start`'s demo daemon that missed the hang-up) would load
 * the machine under every later round. Killed then, and said on stderr: a finding, not noise.
 */
function reapSession(session: number, argv: readonly string[]): void {
  const members = () =>
    fs
      .readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name) && Number(name) !== process.pid)
      .map(Number)
      .filter((pid) => sessionOf(pid) === session);
  const deadline = performance.now() + 5_000;
  let left = members();
  while (left.length > 0 && performance.now() < deadline) {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    left = members();
  }
  if (left.length === 0) return;
  for (const pid of left) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone meanwhile.
    }
  }
  process.stderr.write(`bench: ${left.length} process(es) of \`${argv.join(' ')}\` still ran 5 s after their terminal closed (killed): a hang-up is missed\n`);
}

/**
 * The real viewer following TARGET in a real terminal (tmux, 120×32): once its first screen
 * is up, everything is indexed (neither its footer nor its chain badge says so) and it has
 * settled (two `windowMs` windows in a row under half a core and within 5 points of each
 * other), the share of one core it uses over `sampleMs` while nothing is written (user +
 * system time from /proc), and its RSS then. Null without tmux, that CLI or /proc.
 */
export function viewerIdleCpu(cli: string, target: string, windowMs = 5_000, sampleMs = 10_000): { cpu: number; rssMb: number; peakRssMb: number } | null {
  if (!fs.existsSync(cli) || !fs.existsSync('/proc/self/stat') || spawnSync('tmux', ['-V']).status !== 0) return null;
  const socket = `bench-idle-${process.pid}`;
  const tmux = (...args: string[]) => spawnSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
  const pause = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  const t0 = performance.now();
  // (exec: the pane's process is the viewer itself.)
  tmux('new-session', '-d', '-x', '120', '-y', '32', 'sh', '-c', `NODE_ENV=production exec "${process.execPath}" "${cli}" view "${target}"`);
  try {
    const pid = Number((tmux('list-panes', '-F', '#{pane_pid}').stdout ?? '').trim());
    while (!/^› /m.test(tmux('capture-pane', '-p').stdout ?? '')) {
      if (performance.now() - t0 > 120_000) throw new Error(`the following viewer showed no rows within 120 s:\n${tmux('capture-pane', '-p').stdout}`);
      pause(50);
    }
    // Indexed first: on a loaded machine indexing gets a steady small share of a core, which
    // the settling below took for idle (10,000 hosts: "25 %" while 2 % indexed). The chain
    // badge checks until every host is read (the progress bar is not up before the tails are).
    while (/indexing history|chain checking/.test(tmux('capture-pane', '-p').stdout ?? '')) {
      if (performance.now() - t0 > 1_200_000) throw new Error(`the following viewer was still indexing after 20 min:\n${tmux('capture-pane', '-p').stdout}`);
      pause(500);
    }
    const ticks = () => {
      const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
    };
    const hz = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
    const share = (ms: number) => {
      const before = ticks();
      const w0 = performance.now();
      pause(ms);
      return (ticks() - before) / hz / ((performance.now() - w0) / 1000);
    };
    const indexedAt = performance.now();
    for (let last = Number.POSITIVE_INFINITY; performance.now() - indexedAt < 300_000; ) {
      const now = share(windowMs);
      if (now < 0.5 && Math.abs(now - last) < 0.05) break;
      last = now;
    }
    const cpu = share(sampleMs);
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
    return { cpu, rssMb: kb('VmRSS') / 1024, peakRssMb: kb('VmHWM') / 1024 };
  } finally {
    const socketPath = (tmux('display-message', '-p', '#{socket_path}').stdout ?? '').trim();
    tmux('kill-server');
    if (socketPath !== '') fs.rmSync(socketPath, { force: true });
  }
}
