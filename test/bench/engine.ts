/**
 * npm run bench:engine [-- --records N] [--seed S] [--runs R] [--workers N|auto] [--operator] [--dist] [--clean] [--json]
 *
 * Indexes a deterministic audit log (generateLog: the demo daemon's traffic, 1,000,000 records
 * ≈ 0.4 GB by default; cached under the OS temp dir by seed and count) and prints the engine's
 * figures beside same-run baselines: a bare read-split-JSON.parse loop over the same file, and
 * `jq -c .` (and lnav when installed). Each measurement runs in a fresh child process, R times;
 * the table shows the median and the best, because a shared machine is noisy. `--json` adds a
 * last line of figures for `npm run bench` (test/bench/all.ts). `--workers` overrides how many
 * scan workers the engine starts (default: as many as idle cores allow, see scanWorkerCount);
 * `--dist` runs the engine as built by `npm run build` (dist/engine), not the sources through
 * tsx, whose loader a scan worker boots again (≈ 0.35 s of CPU a built engine does not spend).
 * `--operator` indexes a log whose request lines carry an `operator` object, as a real daemon's
 * do (generated logs have none by default; cached under another name). `print --json` of every
 * entry to /dev/null is timed as a whole process beside the loop's whole process (with `--dist`,
 * the shipped `dist/bin/cli.js`).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { bestOf } from './best-of.js';

const SELF = fileURLToPath(import.meta.url);

interface EngineRun {
  /** Scan worker threads the engine used (0: one thread). */
  workers: number;
  /** CPU seconds while indexing: all threads, the main thread, the busiest thread. */
  cpuTotal: number;
  cpuMain: number;
  cpuMax: number;
  readyMs: number;
  readyEntries: number;
  indexedMs: number;
  entries: number;
  malformed: number;
  maxBlockMs: number;
  maxBusyBlockMs: number;
  p99BlockMs: number;
  rssMb: number;
  heapMb: number;
  /** V8's heap as reserved (young generation included), and typed arrays (the columns, id text, id table). */
  heapTotalMb: number;
  arrayBuffersMb: number;
  textQueryMs: number;
  textMatches: number;
  stateQueryMs: number;
  comboQueryMs: number;
  statsMs: number;
  entry1000Ms: number;
  /** The chain's verdict once indexed, and the records it checked ('off' when not checked). */
  chainState: string;
  chainChecked: number;
}

interface BareRun {
  ms: number;
  lines: number;
  rssMb: number;
}

/** A whole process (Node's start-up included), its stdout to /dev/null. */
interface WholeRun {
  wallMs: number;
  cpuS: number;
  code: number;
}

// ---- children ----

/** CPU seconds per thread of this process (Linux /proc), keyed by thread id. */
function threadCpu(): Map<string, number> {
  const out = new Map<string, number>();
  try {
    for (const tid of fs.readdirSync('/proc/self/task')) {
      const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(tid, (Number(fields[11]) + Number(fields[12])) / 100); // utime + stime, in clock ticks of 1/100 s
    }
  } catch {
    // not Linux: no per-thread figures
  }
  return out;
}

async function engineChild(file: string, oneThread: boolean, workers: string, checkChain = true): Promise<EngineRun> {
  // As the CLI runs the engine: its entry point keeps V8's young generation small (RSS).
  ((await import(process.env.BENCH_ENGINE_DIST ? '../../dist/cli/young-generation.js' : '../../src/cli/young-generation.js')) as typeof import('../../src/cli/young-generation.js')).keepYoungGenerationSmall();
  const { openEngine } = (await import(process.env.BENCH_ENGINE_DIST ? '../../dist/engine/engine.js' : '../../src/engine/engine.js')) as typeof import('../../src/engine/engine.js');
  let usedWorkers = 0;
  const tuning = {
    checkChain,
    ...(oneThread ? { parallelMinBytes: Number.POSITIVE_INFINITY } : workers !== 'auto' ? { scanWorkers: Number(workers) } : {}),
    onScanWorkers: (threads: number) => (usedWorkers = threads),
  };
  const cpuBefore = threadCpu();
  const peak = new Map<string, number>();
  const sampler = setInterval(() => {
    for (const [tid, cpu] of threadCpu()) peak.set(tid, cpu);
  }, 50);
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
  // Probes of the event loop: the histogram, and the longest gap between 1 ms timer ticks. On
  // a shared machine a gap is also time the process was not scheduled at all; the CPU time the
  // process used during the gap tells its own blocking from that.
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  let last = performance.now();
  let lastCpu = process.cpuUsage();
  let maxGap = 0;
  let maxBusyGap = 0;
  const probe = setInterval(() => {
    const now = performance.now();
    const cpu = process.cpuUsage(lastCpu);
    const gap = now - last;
    maxGap = Math.max(maxGap, gap);
    maxBusyGap = Math.max(maxBusyGap, Math.min(gap, (cpu.user + cpu.system) / 1000));
    last = now;
    lastCpu = process.cpuUsage();
  }, 1);
  histogram.enable();
  const t0 = performance.now();
  const engine = openEngine([file], { follow: false, ...tuning });
  await engine.ready();
  const readyMs = performance.now() - t0;
  const readyEntries = engine.size();
  await engine.indexed();
  const indexedMs = performance.now() - t0;
  histogram.disable();
  clearInterval(probe);
  clearInterval(sampler);
  const cpuAfter = threadCpu();
  const mainAfter = cpuAfter.get(String(process.pid)) ?? 0;
  // Threads that ended (the scan workers) are gone from /proc: the peak seen while they ran counts.
  for (const [tid, cpu] of peak) if (!cpuAfter.has(tid)) cpuAfter.set(tid, cpu);
  let cpuTotal = 0;
  let cpuMax = 0;
  for (const [tid, after] of cpuAfter) {
    const used = after - (cpuBefore.get(tid) ?? 0);
    cpuTotal += used;
    cpuMax = Math.max(cpuMax, used);
  }
  const cpuMain = mainAfter - (cpuBefore.get(String(process.pid)) ?? 0);
  gc();
  gc();
  const mem = process.memoryUsage();
  const best = (fn: () => void) => bestOf(fn);
  let textMatches = 0;
  const textQueryMs = best(() => {
    textMatches = engine.query({ text: 'NGINX' }).length;
  });
  const stateQueryMs = best(() => engine.query({ states: ['failed', 'denied'] }));
  const comboQueryMs = best(() => engine.query({ hosts: ['web-01', 'db-primary'], privileged: true, sinceMs: Date.parse('2026-11-05T00:00:00Z'), regex: /rm -rf|kill/ }));
  const statsMs = best(() => engine.stats());
  // Different entries each time, so that none comes from the engine's cache of recent entries.
  let round = 0;
  const entry1000Ms = best(() => {
    const n = engine.size();
    round++;
    for (let i = 0; i < 1000; i++) engine.entry((i * 7919 + round * 104_729) % n);
  });
  const run: EngineRun = {
    workers: usedWorkers,
    cpuTotal,
    cpuMain,
    cpuMax,
    readyMs,
    readyEntries,
    indexedMs,
    entries: engine.size(),
    malformed: engine.malformedCount(),
    maxBlockMs: Math.max(0, maxGap - 1),
    maxBusyBlockMs: Math.max(0, maxBusyGap - 1),
    p99BlockMs: histogram.percentile(99) / 1e6,
    rssMb: mem.rss / 1e6,
    heapMb: mem.heapUsed / 1e6,
    heapTotalMb: mem.heapTotal / 1e6,
    arrayBuffersMb: mem.arrayBuffers / 1e6,
    textQueryMs,
    textMatches,
    stateQueryMs,
    comboQueryMs,
    statsMs,
    entry1000Ms,
    chainState: checkChain ? (engine.chainStatus?.().state ?? '?') : 'off',
    chainChecked: checkChain ? (engine.chainStatus?.().checked ?? 0) : 0,
  };
  await engine.close();
  return run;
}

interface FollowRun {
  appends: number;
  p50: number;
  p95: number;
  max: number;
}

/** Append → entry delivered: the real writer appends one request every 20 ms to a followed file. */
async function followChild(): Promise<FollowRun> {
  const { openEngine } = await import('../../src/engine/engine.js');
  const { openAuditLog } = await import('../../src/writer/audit-log.js');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sudo-proxy-audit-bench-follow-'));
  const file = path.join(dir, 'audit.log');
  const log = openAuditLog({ path: file, warn: () => {} });
  const engine = openEngine([file]);
  await engine.ready();
  const appends = 200;
  const latencies: number[] = [];
  let sentAt = 0;
  let expected = 0;
  let resolveSeen: () => void = () => {};
  engine.on('change', () => {
    if (engine.size() >= expected && sentAt > 0) {
      latencies.push(performance.now() - sentAt);
      sentAt = 0;
      resolveSeen();
    }
  });
  for (let i = 0; i < appends; i++) {
    await new Promise((r) => setTimeout(r, 20));
    const seen = new Promise<void>((r) => (resolveSeen = r));
    expected = engine.size() + 1;
    sentAt = performance.now();
    log.request({ id: `f${i}`, time: new Date().toISOString().slice(0, 19) + 'Z', session: 'bench', pipeline: [['uptime']], privileged: false, decision: 'approved', via: 'policy' });
    await seen;
  }
  log.close();
  await engine.close();
  fs.rmSync(dir, { recursive: true, force: true });
  latencies.sort((a, b) => a - b);
  const at = (p: number) => latencies[Math.max(0, Math.ceil((p / 100) * latencies.length) - 1)];
  return { appends, p50: at(50), p95: at(95), max: latencies[latencies.length - 1] };
}

/** What the issue calls a bare read-split-JSON.parse loop: no validation, nothing kept. */
function bareChild(file: string): BareRun {
  const t0 = performance.now();
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.allocUnsafe(1024 * 1024);
  let position = 0;
  let rest = '';
  let lines = 0;
  for (;;) {
    const n = fs.readSync(fd, buf, 0, buf.length, position);
    if (n === 0) break;
    position += n;
    const parts = (rest + buf.toString('utf8', 0, n)).split('\n');
    rest = parts.pop() ?? '';
    for (const line of parts) {
      JSON.parse(line);
      lines++;
    }
  }
  fs.closeSync(fd);
  return { ms: performance.now() - t0, lines, rssMb: process.memoryUsage().rss / 1e6 };
}

/** `print --json` of every entry, as the CLI runs it (stdout is /dev/null); the figures go to stderr. */
async function printChild(file: string): Promise<void> {
  const { printCommand } = await import('../../src/cli/commands/print.js');
  const code = await printCommand.run(['--json', file]);
  reportWhole(code);
}

/** The JSON.parse loop as a whole process, beside `print`'s. */
function bareWholeChild(file: string): void {
  bareChild(file);
  reportWhole(0);
}

/** Wall time since this process started, and all the CPU it used. */
function reportWhole(code: number): void {
  const cpu = process.cpuUsage();
  const run: WholeRun = { wallMs: performance.now(), cpuS: (cpu.user + cpu.system) / 1e6, code };
  process.stderr.write(`${JSON.stringify(run)}\n`);
}

// ---- the parent ----

/** A child whose stdout goes to /dev/null and whose figures come on stderr. */
/**
 * `print` as shipped (dist/bin/cli.js) with `--dist`, reported at its exit by a preload: from
 * the sources, tsx's loader slowed it and booted again in its scan worker (#17: the row said
 * 11.1 s where the CLI took 7.2 s).
 */
const REPORT_AT_EXIT = fileURLToPath(new URL('./report-at-exit.cjs', import.meta.url));

function runWhole(mode: string, file: string): WholeRun {
  const devNull = fs.openSync('/dev/null', 'w');
  try {
    const cli = fileURLToPath(new URL('../../dist/bin/cli.js', import.meta.url));
    const args = mode === 'print' && process.env.BENCH_ENGINE_DIST ? ['-r', REPORT_AT_EXIT, cli, 'print', '--json', file] : ['--import', 'tsx', SELF, '--child', mode, file];
    const r = spawnSync(process.execPath, args, { stdio: ['ignore', devNull, 'pipe'], encoding: 'utf8', maxBuffer: 1 << 24 });
    if (r.status !== 0) throw new Error(`${mode} failed (${r.status}): ${r.stderr}`);
    return JSON.parse(r.stderr.trim().split('\n').pop() as string) as WholeRun;
  } finally {
    fs.closeSync(devNull);
  }
}

function runChild<T>(mode: string, file: string, ...extra: string[]): T {
  return runChildWith<T>(process.env, mode, file, ...extra);
}

/** The engine's own JavaScript scanner only: the native one (native/) turned off, as where it is not built. */
const JAVASCRIPT_ONLY = { ...process.env, SUDO_PROXY_AUDIT_NATIVE: '0' };

function runChildWith<T>(env: NodeJS.ProcessEnv, mode: string, file: string, ...extra: string[]): T {
  const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', SELF, '--child', mode, file, ...extra], { encoding: 'utf8', maxBuffer: 1 << 24, env });
  return JSON.parse(out.trim().split('\n').pop() as string) as T;
}

/** The operator a `--operator` log's requests carry (fixed: the same bytes on every machine). */
const BENCH_OPERATOR = { uid: 1000, user: 'alice', tty: '/dev/pts/3', hostname: 'build-01' };

function ensureLog(records: number, seed: number, withOperator: boolean): string {
  const dir = path.join(os.tmpdir(), 'sudo-proxy-audit-bench');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `engine-seed${seed}-${records}${withOperator ? '-operator' : ''}.log`);
  if (fs.existsSync(file)) return file;
  process.stderr.write(`generating ${records.toLocaleString('en')} records into ${file} (once; cached) …\n`);
  const t0 = performance.now();
  const tmp = `${file}.partial`;
  fs.rmSync(tmp, { force: true });
  execFileSync(process.execPath, ['--import', 'tsx', SELF, '--child', 'generate', tmp, String(records), String(seed), String(withOperator)], { stdio: 'inherit' });
  fs.renameSync(tmp, file);
  process.stderr.write(`generated in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  return file;
}

/** jq over the whole file, or over a slice (extrapolated) when the whole would take over a minute. */
function timeJq(file: string, size: number): { mbPerS: number; seconds: number; note: string } | null {
  const jq = ['/usr/bin/jq', 'jq'].find((j) => spawnSync(j, ['--version']).status === 0);
  if (!jq) return null;
  const sliceBytes = Math.min(size, 32 * 1024 * 1024);
  const slice = `${file}.slice`;
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.allocUnsafe(sliceBytes);
  const n = fs.readSync(fd, buf, 0, sliceBytes, 0);
  fs.closeSync(fd);
  const cut = buf.subarray(0, n).lastIndexOf(0x0a) + 1;
  fs.writeFileSync(slice, buf.subarray(0, cut));
  const timeOne = (target: string) => {
    const t0 = performance.now();
    const r = spawnSync('sh', ['-c', `${jq} -c . < "$1" > /dev/null`, 'sh', target]);
    if (r.status !== 0) throw new Error(`jq failed: ${r.stderr}`);
    return (performance.now() - t0) / 1000;
  };
  try {
    const sliceSeconds = timeOne(slice);
    const estimate = (sliceSeconds * size) / cut;
    if (estimate <= 60 && cut < size) {
      const seconds = timeOne(file);
      return { mbPerS: size / 1e6 / seconds, seconds, note: 'whole file' };
    }
    return { mbPerS: cut / 1e6 / sliceSeconds, seconds: estimate, note: `timed on the first ${(cut / 1e6).toFixed(0)} MB (whole file ≈ ${estimate.toFixed(0)} s, over a minute)` };
  } finally {
    fs.rmSync(slice, { force: true });
  }
}

/** Seconds for lnav to load the file headless and quit, or null when lnav is not installed (or fails). */
function timeLnav(file: string): number | null {
  if (spawnSync('sh', ['-c', 'command -v lnav']).status !== 0) return null;
  const t0 = performance.now();
  const r = spawnSync('lnav', ['-n', '-c', ':quit', file], { stdio: 'ignore', timeout: 300_000 });
  return r.status === 0 ? (performance.now() - t0) / 1000 : null;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = (s.length - 1) / 2;
  return (s[Math.floor(mid)] + s[Math.ceil(mid)]) / 2;
};
const fmt = (n: number, digits = 0) => n.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      records: { type: 'string', default: '1000000' },
      seed: { type: 'string', default: '1' },
      runs: { type: 'string', default: '3' },
      clean: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      workers: { type: 'string', default: 'auto' },
      operator: { type: 'boolean', default: false },
      dist: { type: 'boolean', default: false },
      child: { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  });
  const records = Number(values.records);
  const seed = Number(values.seed);
  const runs = Math.max(1, Number(values.runs));
  const workersArg = values.workers ?? 'auto';
  if (workersArg !== 'auto' && !/^\d+$/.test(workersArg)) throw new Error(`--workers takes a number or auto, got ${workersArg}`);
  if (!Number.isInteger(records) || records < 10) throw new Error(`--records takes a whole number ≥ 10, got ${values.records}`);

  if (values.dist) {
    if (!fs.existsSync(new URL('../../dist/engine/engine.js', import.meta.url))) throw new Error('--dist: no dist/engine/engine.js; run npm run build first');
    process.env.BENCH_ENGINE_DIST = '1'; // the children inherit it
  }
  const file = ensureLog(records, seed, values.operator === true);
  const size = fs.statSync(file).size;
  const mb = size / 1e6;
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  process.stderr.write(`${fmt(records)} records, ${fmt(mb)} MB: ${runs} run(s) of each measurement …\n`);

  const loadBefore = os.loadavg().map((l) => l.toFixed(1)).join(' ');
  const bare: BareRun[] = [];
  const engine: EngineRun[] = [];
  const single: EngineRun[] = [];
  const noChain: EngineRun[] = [];
  const engineJs: EngineRun[] = [];
  const singleJs: EngineRun[] = [];
  for (let i = 0; i < runs; i++) {
    // Interleaved, so that all see the same moments of a shared machine.
    bare.push(runChild<BareRun>('bare', file));
    engine.push(runChild<EngineRun>('engine', file, workersArg));
    noChain.push(runChild<EngineRun>('engine-nochain', file, workersArg));
    single.push(runChild<EngineRun>('engine-1t', file));
    engineJs.push(runChildWith<EngineRun>(JAVASCRIPT_ONLY, 'engine', file, workersArg));
    singleJs.push(runChildWith<EngineRun>(JAVASCRIPT_ONLY, 'engine-1t', file));
  }
  // print --json of every entry to /dev/null beside the JSON.parse loop, both whole processes, interleaved.
  const printRuns: WholeRun[] = [];
  const bareWhole: WholeRun[] = [];
  for (let i = 0; i < runs; i++) {
    bareWhole.push(runWhole('bare-whole', file));
    printRuns.push(runWhole('print', file));
  }
  const follow = runChild<FollowRun>('follow', file);
  const jq = timeJq(file, size);
  const lnav = timeLnav(file);

  const m = (pick: (r: EngineRun) => number) => median(engine.map(pick));
  const b = (pick: (r: EngineRun) => number) => Math.min(...engine.map(pick));
  const both = (pick: (r: EngineRun) => number, digits = 0, unit = '') => `${fmt(m(pick), digits)}${unit} (best ${fmt(b(pick), digits)}${unit})`;
  const engineMbs = engine.map((r) => mb / (r.indexedMs / 1000));
  const bareMbs = bare.map((r) => mb / (r.ms / 1000));
  const singleMbs = single.map((r) => mb / (r.indexedMs / 1000));
  const engineMbsMedian = median(engineMbs);
  const bareMbsMedian = median(bareMbs);

  const rows: string[][] = [
    ['figure', 'engine: median (best)', 'baseline, same run', 'ratio', 'target'],
    ['newest entries after open', `${both((r) => r.readyMs, 0, ' ms')}, ${fmt(m((r) => r.readyEntries))} entries`, '—', '—', '≤ 500 ms'],
    [
      'full index',
      `${fmt(engineMbsMedian)} MB/s (best ${fmt(Math.max(...engineMbs))}); ${both((r) => r.indexedMs / 1000, 2, ' s')}`,
      `JSON.parse loop ${fmt(bareMbsMedian)} MB/s (best ${fmt(Math.max(...bareMbs))})`,
      `${(engineMbsMedian / bareMbsMedian).toFixed(2)}×`,
      '≥ 150 MB/s',
    ],
    ['', '', jq ? `jq -c . ${fmt(jq.mbPerS, 1)} MB/s (${jq.note})` : 'jq: not installed', jq ? `${fmt(engineMbsMedian / jq.mbPerS, 1)}×` : '—', 'faster than jq'],
    ['', '', lnav ? `lnav ${fmt(mb / lnav, 1)} MB/s (headless load, ${fmt(lnav, 1)} s)` : 'lnav: not installed', lnav ? `${fmt(engineMbsMedian / (mb / lnav), 1)}×` : '—', '—'],
    [
      '  scan workers used; CPU',
      `${engine.map((r) => r.workers).join('/')} worker(s); CPU ${fmt(m((r) => r.cpuTotal), 2)} s all threads, ${fmt(m((r) => r.cpuMax), 2)} s busiest`,
      `JSON.parse loop CPU ≈ its time`,
      `${fmt(mb / m((r) => r.cpuMax))} MB per busiest-thread CPU s`,
      '—',
    ],
    [
      '  … JavaScript scanner only',
      `${fmt(median(engineJs.map((r) => mb / (r.indexedMs / 1000))))} MB/s; ${engineJs.map((r) => r.workers).join('/')} worker(s); CPU ${fmt(median(engineJs.map((r) => r.cpuTotal)), 2)} s all threads, ${fmt(median(engineJs.map((r) => r.cpuMax)), 2)} s busiest`,
      `JSON.parse loop ${fmt(bareMbsMedian)} MB/s`,
      `${(median(engineJs.map((r) => mb / (r.indexedMs / 1000))) / bareMbsMedian).toFixed(2)}×`,
      '(SUDO_PROXY_AUDIT_NATIVE=0)',
    ],
    [
      'full index, one thread',
      `${fmt(median(singleMbs))} MB/s (best ${fmt(Math.max(...singleMbs))}); CPU ${fmt(median(single.map((r) => r.cpuMain)), 2)} s`,
      `JSON.parse loop ${fmt(bareMbsMedian)} MB/s`,
      `${(median(singleMbs) / bareMbsMedian).toFixed(2)}×`,
      '≥ 2.5× the loop',
    ],
    [
      '  … JavaScript scanner only',
      `${fmt(median(singleJs.map((r) => mb / (r.indexedMs / 1000))))} MB/s; CPU ${fmt(median(singleJs.map((r) => r.cpuMain)), 2)} s`,
      `JSON.parse loop ${fmt(bareMbsMedian)} MB/s`,
      `${(median(singleJs.map((r) => mb / (r.indexedMs / 1000))) / bareMbsMedian).toFixed(2)}×`,
      '(SUDO_PROXY_AUDIT_NATIVE=0)',
    ],
    (() => {
      // What checking the chain costs: the same engine, the same file, the same run, with no line hashed.
      const wall = m((r) => r.indexedMs / 1000);
      const alone = median(noChain.map((r) => r.indexedMs / 1000));
      const cpuWith = m((r) => r.cpuTotal);
      const cpuAlone = median(noChain.map((r) => r.cpuTotal));
      return [
        '  chain check: index + check vs alone',
        `${fmt(wall, 2)} s wall, CPU ${fmt(cpuWith, 2)} s, first screen ${fmt(m((r) => r.readyMs))} ms; ${engine[0].chainState}, ${fmt(engine[0].chainChecked)} records checked`,
        `index alone ${fmt(alone, 2)} s wall (best ${fmt(Math.min(...noChain.map((r) => r.indexedMs / 1000)), 2)}), CPU ${fmt(cpuAlone, 2)} s, first screen ${fmt(median(noChain.map((r) => r.readyMs)))} ms`,
        `wall +${fmt((100 * (wall - alone)) / alone, 0)} %, CPU +${fmt(cpuWith - cpuAlone, 2)} s`,
        '≤ +25 % wall',
      ];
    })(),
    ['RSS, all entries indexed', `${both((r) => r.rssMb, 0, ' MB')}: typed arrays ${fmt(m((r) => r.arrayBuffersMb))} MB, V8 heap ${fmt(m((r) => r.heapTotalMb))} MB (${fmt(m((r) => r.heapMb))} used)`, `JSON.parse loop (keeps nothing) ${fmt(median(bare.map((r) => r.rssMb)))} MB`, '—', '≤ 150 MB'],
    ['text search over all (NGINX)', both((r) => r.textQueryMs, 1, ' ms'), '—', '—', '≤ 300 ms'],
    ['filter by state over all', both((r) => r.stateQueryMs, 1, ' ms'), '—', '—', '≤ 300 ms'],
    ['hosts+privileged+since+regex', both((r) => r.comboQueryMs, 1, ' ms'), '—', '—', '≤ 300 ms'],
    ['stats over all', both((r) => r.statsMs, 0, ' ms'), '—', '—', '—'],
    ['1000 random entry() (re-read)', both((r) => r.entry1000Ms, 1, ' ms'), '—', '—', '—'],
    (() => {
      const wall = median(printRuns.map((r) => r.wallMs / 1000));
      const loop = median(bareWhole.map((r) => r.wallMs / 1000));
      return [
        `print --json, all entries > /dev/null${values.dist ? ' (dist/bin/cli.js)' : ''}`,
        `${fmt(wall, 2)} s (best ${fmt(Math.min(...printRuns.map((r) => r.wallMs / 1000)), 2)}), CPU ${fmt(median(printRuns.map((r) => r.cpuS)), 2)} s; whole process`,
        `JSON.parse loop, whole process ${fmt(loop, 2)} s, CPU ${fmt(median(bareWhole.map((r) => r.cpuS)), 2)} s`,
        `${(loop / wall).toFixed(2)}× the loop's speed; by CPU ${(median(bareWhole.map((r) => r.cpuS)) / median(printRuns.map((r) => r.cpuS))).toFixed(2)}×`,
        '≥ 2× the loop',
      ];
    })(),
    ['append → entry delivered (following)', `p50 ${fmt(follow.p50, 1)} ms, p95 ${fmt(follow.p95, 1)} ms, max ${fmt(follow.max, 0)} ms`, `${follow.appends} appends by the writer, 20 ms apart`, '—', 'p95 ≤ 50 ms'],
    ['longest event-loop block, indexing', `${both((r) => r.maxBusyBlockMs, 0, ' ms')} busy; ${both((r) => r.maxBlockMs, 0, ' ms')} wall`, `p99 delay ${fmt(m((r) => r.p99BlockMs), 0)} ms`, '—', '≤ ~50 ms'],
  ];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r: string[]) => `| ${r.map((cell, c) => cell.padEnd(widths[c])).join(' | ')} |`;
  const out = [
    `Engine benchmark: ${fmt(engine[0].entries)} entries from ${fmt(records)} records (${fmt(mb)} MB), ${engine[0].malformed} malformed; ${runs} run(s) each`,
    `Machine: ${os.availableParallelism()} × ${cpu.trim()}, ${fmt(os.totalmem() / 1e9, 0)} GB RAM, Node ${process.version}${values.dist ? ', the built engine (dist)' : ''}; load average ${loadBefore} before, ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} after`,
    '',
    line(rows[0]),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.slice(1).map(line),
  ];
  process.stdout.write(`${out.join('\n')}\n`);
  if (values.json) {
    // One last line for `npm run bench` (test/bench/all.ts): the medians, in plain units.
    const figures = {
      bench: 'engine',
      records,
      mb,
      runs,
      entries: engine[0].entries,
      readyMs: m((r) => r.readyMs),
      indexMbPerS: engineMbsMedian,
      oneThreadMbPerS: median(singleMbs),
      javascriptOnlyMbPerS: median(engineJs.map((r) => mb / (r.indexedMs / 1000))),
      javascriptOnlyOneThreadMbPerS: median(singleJs.map((r) => mb / (r.indexedMs / 1000))),
      bareMbPerS: bareMbsMedian,
      jqMbPerS: jq?.mbPerS ?? null,
      lnavMbPerS: lnav ? mb / lnav : null,
      scanWorkers: median(engine.map((r) => r.workers)),
      cpuBusiestS: m((r) => r.cpuMax),
      rssMb: m((r) => r.rssMb),
      textQueryMs: m((r) => r.textQueryMs),
      stateQueryMs: m((r) => r.stateQueryMs),
      comboQueryMs: m((r) => r.comboQueryMs),
      statsMs: m((r) => r.statsMs),
      entry1000Ms: m((r) => r.entry1000Ms),
      printJsonS: median(printRuns.map((r) => r.wallMs / 1000)),
      printJsonCpuS: median(printRuns.map((r) => r.cpuS)),
      bareWholeS: median(bareWhole.map((r) => r.wallMs / 1000)),
      followP50Ms: follow.p50,
      followP95Ms: follow.p95,
      maxBusyBlockMs: m((r) => r.maxBusyBlockMs),
      maxBlockMs: m((r) => r.maxBlockMs),
      chainCheckWallPercent: (100 * (m((r) => r.indexedMs) - median(noChain.map((r) => r.indexedMs)))) / median(noChain.map((r) => r.indexedMs)),
    };
    process.stdout.write(`${JSON.stringify(figures)}\n`);
  }
  if (values.clean) fs.rmSync(file, { force: true });
  else process.stderr.write(`(the log stays cached at ${file}; --clean removes it)\n`);
}

async function child(mode: string, args: string[]): Promise<void> {
  if (mode === 'generate') {
    const { generateLog } = await import('../../src/demo/generate.js');
    generateLog({ path: args[0], count: Number(args[1]), seed: Number(args[2]), ...(args[3] === 'true' ? { operator: BENCH_OPERATOR } : {}) });
    return;
  }
  if (mode === 'print') return printChild(args[0]);
  if (mode === 'bare-whole') return bareWholeChild(args[0]);
  const result =
    mode === 'engine' || mode === 'engine-1t' || mode === 'engine-nochain'
      ? await engineChild(args[0], mode === 'engine-1t', args[1] ?? 'auto', mode !== 'engine-nochain')
      : mode === 'follow'
        ? await followChild()
        : bareChild(args[0]);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

const childAt = process.argv.indexOf('--child');
if (childAt !== -1) {
  await child(process.argv[childAt + 1], process.argv.slice(childAt + 2));
} else {
  await main();
}
