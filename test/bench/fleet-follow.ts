/**
 * tsx test/bench/fleet-follow.ts [--hosts 10000] [--baseline DIST] [--windows 4]
 *
 * The real viewer FOLLOWING a collector directory (bench:fleet's fixture, H hosts × 100
 * records; run bench:fleet once to make it) in tmux: ms from spawn to the first screen, then
 * the process's CPU in consecutive 10 s windows (indexing, then idle while following), and
 * its RSS and how much of the history it has indexed at the end. With --baseline, the same for another build (e.g. main's dist, copied
 * inside the repo so its packages resolve), in the same run, first.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const WINDOW_MS = 10_000;
const TICK_S = 1 / 100; // USER_HZ on Linux

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** utime + stime of a process, in seconds. */
function cpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_S;
}

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

interface Run {
  firstScreenMs: number;
  cpuPercent: number[];
  rssMb: number;
  /** The footer's indexing percentage at the end (100: indexing done). */
  indexedPercent: number;
}

function follow(cli: string, target: string, windows: number): Run {
  const socket = `bench-fleet-follow-${process.pid}`;
  const tmux = (...args: string[]) => spawnSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
  const t0 = performance.now();
  tmux('new-session', '-d', '-x', '120', '-y', '32', 'env', 'NODE_ENV=production', process.execPath, cli, 'view', target);
  try {
    let firstScreenMs = Number.POSITIVE_INFINITY;
    while (performance.now() - t0 < 60_000) {
      const screen = tmux('capture-pane', '-p').stdout ?? '';
      if (/^› /m.test(screen) && /\d+\/\d+\s*$/m.test(screen)) {
        firstScreenMs = performance.now() - t0;
        break;
      }
      sleep(5);
    }
    const pid = Number(tmux('display-message', '-p', '#{pane_pid}').stdout.trim());
    const cpuPercent: number[] = [];
    for (let w = 0; w < windows; w++) {
      const c0 = cpuSeconds(pid);
      const at = performance.now();
      sleep(WINDOW_MS);
      cpuPercent.push(((cpuSeconds(pid) - c0) / ((performance.now() - at) / 1000)) * 100);
    }
    const footer = /indexing history .*?(\d+)%/.exec(tmux('capture-pane', '-p').stdout ?? '');
    return { firstScreenMs, cpuPercent, rssMb: rssMb(pid), indexedPercent: footer ? Number(footer[1]) : 100 };
  } finally {
    const socketPath = (tmux('display-message', '-p', '#{socket_path}').stdout ?? '').trim();
    tmux('kill-server');
    if (socketPath !== '') fs.rmSync(socketPath, { force: true });
  }
}

const { values } = parseArgs({ options: { hosts: { type: 'string', default: '10000' }, baseline: { type: 'string' }, windows: { type: 'string', default: '4' } } });
const dir = path.join(os.tmpdir(), 'sudo-proxy-audit-bench', `fleet-${values.hosts}x100`, 'collected');
if (!fs.existsSync(dir)) throw new Error(`${dir} is missing: run npm run bench:fleet first (it makes the 10,000 × 100 fixture)`);
const builds: Array<[string, string]> = [];
if (values.baseline) builds.push(['baseline', path.resolve(values.baseline, 'bin/cli.js')]);
builds.push(['this', path.join(ROOT, 'dist/bin/cli.js')]);
const windows = Number(values.windows);
const results = builds.map(([name, cli]) => [name, follow(cli, dir, windows)] as const);
const head = ['', ...results.map(([name]) => name)];
const rows = [
  ['first screen (from spawn)', ...results.map(([, r]) => `${r.firstScreenMs.toFixed(0)} ms`)],
  ...Array.from({ length: windows }, (_, w) => [`CPU ${(w * WINDOW_MS) / 1000}–${((w + 1) * WINDOW_MS) / 1000} s after`, ...results.map(([, r]) => `${r.cpuPercent[w].toFixed(0)} %`)]),
  ['history indexed at the end', ...results.map(([, r]) => `${r.indexedPercent} %`)],
  ['RSS at the end', ...results.map(([, r]) => `${r.rssMb.toFixed(0)} MB`)],
];
console.log(`viewer following ${values.hosts} hosts × 100 records`);
for (const row of [head, ...rows]) console.log(row.map((c, i) => (i === 0 ? c.padEnd(28) : c.padStart(12))).join(''));
