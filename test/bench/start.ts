/**
 * npm run bench:start [-- --records N] [--runs R] [--against OTHER/dist/bin/cli.js] [--json]
 *
 * Start-up of the shipped CLI, the esbuild bundle (dist/bin/cli.js), against the same-run
 * baseline of tsc's unbundled output of the same sources (dist/cli/cli.js), alternating, R
 * rounds (default 7, median shown):
 * - the viewer's first screen in a real terminal (tmux, 120×30), from spawn, over a log of N
 *   records (default 1,000,000, generateLog; cached under the OS temp dir);
 * - `stats` over a 20-record log: what every command pays before its work;
 * and, beside the same-run baselines `node -e 0` (whole process) and `less` (its first screen
 * in the same tmux), the targets of issue #17: `print`/`stats`/`verify` over 20 records
 * (≤ 1.5× `node -e 0`), the viewer's first rows over 20 records and over N (≤ 250 ms), with
 * the CPU time it had used by then (all threads, /proc schedstat; beside it a bare Node's when
 * its code starts), and the CPU of `print`/`stats`/`verify` by exit beside `node -e 0`'s — and, with `--against`, the same of another build's CLI
 * (say, main's) in the same rounds; `npm start` (the demo under the viewer, on a new log) to its
 * first live rows in the same tmux, beside npm's own start-up (`npm run` of a no-op script)
 * (target ≤ 1.5 s);
 * when NODE_EXTRA_CA_CERTS is set (as on the machine these figures come from), the same
 * rounds also time `node -e 0` and this build's first rows without it: Node 20 reads that file,
 * and builds its store of bundled root certificates, before any JavaScript runs (~45 ms of CPU a
 * start here), which no program it runs can avoid and an operator's machine seldom pays;
 * and what linking the writer costs a daemon: `import 'sudo-proxy-audit/writer'` (tsc's
 * dist/writer, through the package's exports) against bare Node (`node -e 0`), time and
 * peak RSS, against the budget of 1.3× the time and +8 MB.
 * Needs `npm run build` (both outputs) and tmux.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateLog } from '../../src/demo/generate.js';
import { firstScreenMs, viewerFirstScreen, viewerFirstScreenMs } from './viewer-start.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BUNDLE = path.join(ROOT, 'dist/bin/cli.js');
const UNBUNDLED = path.join(ROOT, 'dist/cli/cli.js');

function logOf(records: number): string {
  // A private directory: the writer will not open a log in a world-writable one.
  const dir = path.join(os.tmpdir(), `spa-bench-start-${process.getuid?.() ?? 'user'}`);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, `${records}.log`);
  if (!fs.existsSync(file)) generateLog({ path: file, count: records, seed: 7 });
  return file;
}

function commandMs(cli: string, args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [cli, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`${cli} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return performance.now() - t0;
}

/**
 * CPU time (user + system, all threads, ms) of `node ARGS` by its exit, which a CommonJS
 * preload writes to fd 3: wall times on a shared machine are mostly the queue for a core.
 */
function cpuAtExitMs(preload: string, args: string[]): number {
  const r = spawnSync(process.execPath, ['-r', preload, ...args], { stdio: ['ignore', 'ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return Number(r.output[3]);
}
const CPU_AT_EXIT = "process.on('exit', () => { const c = process.cpuUsage(); require('node:fs').writeSync(3, String((c.user + c.system) / 1000)); });\n";

/** Time from spawn to exit and peak RSS (MB) of a Node that runs `code` as a module, then reports its RSS. */
function moduleStart(code: string): { ms: number; rssMb: number } {
  const t0 = performance.now();
  const report = 'process.stdout.write(String(process.resourceUsage().maxRSS))';
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', `${code}${report}`], { cwd: ROOT, encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`node -e ${code} exited ${r.status}: ${r.stderr}`);
  return { ms, rssMb: Number(r.stdout) / 1024 };
}

/** Printed by a Node child: the CPU time of all its threads so far, in ms (/proc schedstat, as viewer-start.ts counts the viewer's). */
const CPU_SO_FAR =
  "const fs = require('node:fs'); let ns = 0; for (const t of fs.readdirSync('/proc/self/task')) ns += Number(fs.readFileSync('/proc/self/task/' + t + '/schedstat', 'utf8').split(' ')[0]); process.stdout.write(String(ns / 1e6));";

/** Through the package's own name and exports, as a daemon imports it (needs dist/writer). */
const IMPORT_WRITER = "await import('sudo-proxy-audit/writer');";
const WRITER_TIME_BUDGET = 1.3;
const WRITER_RSS_BUDGET_MB = 8;

/**
 * `npm start` on a new demo log (the quick start, bundle up to date) → its first rows in tmux,
 * and beside it `npm run` of a no-op script in a scratch project: npm's own start-up.
 */
const npmStart = { start: [] as number[], noop: [] as number[] };
function measureNpmStart(dir: string): void {
  const noop = path.join(dir, 'npm-noop');
  fs.mkdirSync(noop, { recursive: true });
  fs.writeFileSync(path.join(noop, 'package.json'), '{ "private": true, "scripts": { "noop": "true" } }\n');
  const t0 = performance.now();
  if (spawnSync('npm', ['run', 'noop', '--silent'], { cwd: noop, stdio: 'ignore' }).status !== 0) throw new Error('npm run noop failed');
  npmStart.noop.push(performance.now() - t0);
  const log = path.join(dir, `npm-start-${npmStart.start.length}.log`);
  npmStart.start.push(firstScreenMs(['npm', '--prefix', ROOT, 'start', '--', '--audit-log', log], (screen) => /^› /m.test(screen) && /\d+\/\d+\s*$/m.test(screen)) as number);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function printTable(rows: string[][]): void {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  for (const r of rows) process.stdout.write(`${r.map((cell, c) => cell.padEnd(widths[c])).join('  ')}\n`);
}

function main(): void {
  const { values } = parseArgs({
    options: { records: { type: 'string', default: '1000000' }, runs: { type: 'string', default: '7' }, against: { type: 'string' }, json: { type: 'boolean' } },
  });
  const against = values.against === undefined ? null : path.resolve(values.against);
  if (against !== null && !fs.existsSync(against)) throw new Error(`--against: ${against} is missing`);
  for (const cli of [BUNDLE, UNBUNDLED]) if (!fs.existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` first`);
  if (spawnSync('tmux', ['-V']).status !== 0) throw new Error('the start-up benchmark needs tmux (apt-get install -y tmux)');
  const records = Number(values.records);
  const runs = Number(values.runs);
  const big = logOf(records);
  const small = logOf(20);
  const view = { bundle: [] as number[], unbundled: [] as number[] };
  const stats = { bundle: [] as number[], unbundled: [] as number[] };
  const start = { bare: { ms: [] as number[], rssMb: [] as number[] }, writer: { ms: [] as number[], rssMb: [] as number[] } };
  const target = { bare: [] as number[], print: [] as number[], stats: [] as number[], verify: [] as number[], less: [] as number[], viewSmall: [] as number[] };
  /** The viewer's first rows (120×30, the size): wall and CPU ms, this build's and --against's, over 20 and N records. */
  const firstRowsOf = { this: { small: { ms: [] as number[], cpu: [] as number[] }, big: { ms: [] as number[], cpu: [] as number[] } }, against: { small: { ms: [] as number[], cpu: [] as number[] }, big: { ms: [] as number[], cpu: [] as number[] } } };
  const SIZE = { columns: 120, rows: 30 };
  const bareNode = () => {
    const t0 = performance.now();
    spawnSync(process.execPath, ['-e', '0']);
    return performance.now() - t0;
  };
  /** CPU a bare Node has used when its code starts (all threads, as the viewer's is counted): the floor under every first frame. */
  const bareNodeCpu = () => Number(spawnSync(process.execPath, ['-e', CPU_SO_FAR], { encoding: 'utf8' }).stdout);
  const bareCpu: number[] = [];
  const npmDir = fs.mkdtempSync(path.join(path.dirname(small), 'npm-start-'));
  const preload = path.join(npmDir, 'cpu-at-exit.cjs');
  fs.writeFileSync(preload, CPU_AT_EXIT);
  const cpu = { bare: [] as number[], print: [] as number[], stats: [] as number[], verify: [] as number[] };
  // Node's start-up cost that comes from the environment, not from the program (see above).
  const EXTRA_CA = 'NODE_EXTRA_CA_CERTS';
  const extraCa = process.env[EXTRA_CA] !== undefined;
  const withoutCa = { bare: [] as number[], bareCpu: [] as number[], small: { ms: [] as number[], cpu: [] as number[] }, big: { ms: [] as number[], cpu: [] as number[] } };
  const envWithoutCa = () => Object.fromEntries(Object.entries(process.env).filter(([name]) => name !== EXTRA_CA));
  const cpuAgainst = { print: [] as number[], stats: [] as number[], verify: [] as number[] };
  for (let i = 0; i < runs; i++) {
    target.bare.push(bareNode());
    bareCpu.push(bareNodeCpu());
    measureNpmStart(npmDir);
    for (const c of ['print', 'stats', 'verify'] as const) target[c].push(commandMs(BUNDLE, [c, small]));
    cpu.bare.push(cpuAtExitMs(preload, ['-e', '0']));
    for (const c of ['print', 'stats', 'verify'] as const) {
      cpu[c].push(cpuAtExitMs(preload, [BUNDLE, c, small]));
      if (against) cpuAgainst[c].push(cpuAtExitMs(preload, [against, c, small]));
    }
    target.less.push(firstScreenMs(['less', small], (screen) => screen.includes('"type":"writer"'), SIZE) as number);
    // Alternating, so a change in the machine's load falls on each.
    for (const [kind, cli] of [['this', BUNDLE], ...(against ? [['against', against] as const] : [])] as const) {
      for (const [which, log] of [['small', small], ['big', big]] as const) {
        const first = viewerFirstScreen(cli, log, SIZE);
        if (first === null) throw new Error(`no first screen from ${cli}`);
        firstRowsOf[kind][which].ms.push(first.ms);
        firstRowsOf[kind][which].cpu.push(first.cpuMs);
      }
    }
    target.viewSmall.push(firstRowsOf.this.small.ms.at(-1) as number);
    if (extraCa) {
      const t0 = performance.now();
      spawnSync(process.execPath, ['-e', '0'], { env: envWithoutCa() });
      withoutCa.bare.push(performance.now() - t0);
      withoutCa.bareCpu.push(Number(spawnSync(process.execPath, ['-e', CPU_SO_FAR], { encoding: 'utf8', env: envWithoutCa() }).stdout));
      for (const [which, log] of [['small', small], ['big', big]] as const) {
        const first = viewerFirstScreen(BUNDLE, log, SIZE, [EXTRA_CA]);
        if (first === null) throw new Error(`no first screen from ${BUNDLE} without ${EXTRA_CA}`);
        withoutCa[which].ms.push(first.ms);
        withoutCa[which].cpu.push(first.cpuMs);
      }
    }
    for (const [kind, cli] of [['bundle', BUNDLE], ['unbundled', UNBUNDLED]] as const) {
      view[kind].push(kind === 'bundle' ? (firstRowsOf.this.big.ms.at(-1) as number) : (viewerFirstScreenMs(cli, big, SIZE) as number));
      stats[kind].push(commandMs(cli, ['stats', small]));
    }
    for (const [kind, code] of [['bare', ''], ['writer', IMPORT_WRITER]] as const) {
      const { ms, rssMb } = moduleStart(code);
      start[kind].ms.push(ms);
      start[kind].rssMb.push(rssMb);
    }
  }
  const rows = [
    ['', 'bundle (dist/bin)', 'unbundled (dist/cli, baseline)', 'ratio'],
    [`viewer first screen, ${records.toLocaleString('en')} records`, ...[view.bundle, view.unbundled].map((xs) => `${median(xs).toFixed(0)} ms`), `${(median(view.bundle) / median(view.unbundled)).toFixed(2)}×`],
    ['`stats` over 20 records', ...[stats.bundle, stats.unbundled].map((xs) => `${median(xs).toFixed(0)} ms`), `${(median(stats.bundle) / median(stats.unbundled)).toFixed(2)}×`],
  ];
  const load = os.loadavg()[0].toFixed(1);
  process.stdout.write(`start-up from spawn: median of ${runs}, alternating; load ${load}; ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? '?'}\n\n`);
  printTable(rows);
  const bare = { ms: median(start.bare.ms), rssMb: median(start.bare.rssMb) };
  const writer = { ms: median(start.writer.ms), rssMb: median(start.writer.rssMb) };
  const writerRows = [
    ['', 'time', 'peak RSS'],
    ['bare Node (`node -e 0`)', `${bare.ms.toFixed(0)} ms`, `${bare.rssMb.toFixed(1)} MB`],
    [
      "`import 'sudo-proxy-audit/writer'`",
      `${writer.ms.toFixed(0)} ms (${(writer.ms / bare.ms).toFixed(2)}×; budget ≤ ${WRITER_TIME_BUDGET}×)`,
      `${writer.rssMb.toFixed(1)} MB (+${(writer.rssMb - bare.rssMb).toFixed(1)} MB; budget ≤ +${WRITER_RSS_BUDGET_MB} MB)`,
    ],
  ];
  process.stdout.write('\n');
  printTable(writerRows);
  const m = Object.fromEntries(Object.entries(target).map(([k, xs]) => [k, median(xs)])) as Record<keyof typeof target, number>;
  const ratio = (ms: number, base: number, budget: string) => `${ms.toFixed(0)} ms (${(ms / base).toFixed(2)}× ${budget})`;
  process.stdout.write('\nissue #17 targets, beside same-run baselines:\n');
  printTable([
    ['', 'time', 'baseline'],
    ['`node -e 0`, whole process', `${m.bare.toFixed(0)} ms`, ''],
    ...(['print', 'stats', 'verify'] as const).map((c) => [`\`${c}\` over 20 records, whole process`, ratio(m[c], m.bare, '`node -e 0`; target ≤ 1.5×'), '']),
    ['`less` over 20 records, first screen', `${m.less.toFixed(0)} ms`, ''],
    ['viewer first rows, 20 records (tmux 120×30)', `${m.viewSmall.toFixed(0)} ms`, `${(m.viewSmall / m.less).toFixed(1)}× less; target ≤ 250 ms`],
    [`viewer first rows, ${records.toLocaleString('en')} records`, `${median(view.bundle).toFixed(0)} ms`, `${(median(view.bundle) / m.less).toFixed(1)}× less; target ≤ 250 ms`],
    ['`npm start` → first live rows (new demo log)', `${median(npmStart.start).toFixed(0)} ms`, `\`npm run\` of a no-op ${median(npmStart.noop).toFixed(0)} ms; target ≤ 1.5 s`],
  ]);
  fs.rmSync(npmDir, { recursive: true, force: true });
  process.stdout.write('\n`print`/`stats`/`verify` over 20 records, CPU by exit (all threads), same rounds:\n');
  const cpuCell = (xs: number[]) => `${median(xs).toFixed(0)} ms (${(median(xs) / median(cpu.bare)).toFixed(2)}×)`;
  printTable([
    ['', 'print', 'stats', 'verify'],
    ['this build', ...(['print', 'stats', 'verify'] as const).map((c) => cpuCell(cpu[c]))],
    ...(against ? [['--against', ...(['print', 'stats', 'verify'] as const).map((c) => cpuCell(cpuAgainst[c]))]] : []),
    ['`node -e 0` (the 1×)', `${median(cpu.bare).toFixed(0)} ms`, '', ''],
  ]);
  const firstRows = (kind: 'this' | 'against', which: 'small' | 'big') => `${median(firstRowsOf[kind][which].ms).toFixed(0)} ms (CPU ${median(firstRowsOf[kind][which].cpu).toFixed(0)} ms)`;
  process.stdout.write('\nviewer first rows from spawn (tmux 120×30), wall (CPU used by then), same rounds:\n');
  printTable([
    ['', '20 records', `${records.toLocaleString('en')} records`],
    [`this build (${path.relative(process.cwd(), BUNDLE)})`, firstRows('this', 'small'), firstRows('this', 'big')],
    ...(against ? [[`--against (${against})`, firstRows('against', 'small'), firstRows('against', 'big')]] : []),
    ['`less`, first screen of 20 records', `${m.less.toFixed(0)} ms`, ''],
    ['`node -e 0`, whole process', `${m.bare.toFixed(0)} ms (CPU ${median(bareCpu).toFixed(0)} ms when its code starts)`, ''],
  ]);
  const cell = (xs: { ms: number[]; cpu: number[] }) => `${median(xs.ms).toFixed(0)} ms (CPU ${median(xs.cpu).toFixed(0)} ms)`;
  if (extraCa) {
    process.stdout.write(`\n${EXTRA_CA} is set: Node loads it and its root certificates before any code runs. Without it, same rounds:\n`);
    printTable([
      ['', '20 records', `${records.toLocaleString('en')} records`],
      [`viewer first rows, this build, no ${EXTRA_CA}`, cell(withoutCa.small), cell(withoutCa.big)],
      [`\`node -e 0\`, whole process, no ${EXTRA_CA}`, `${median(withoutCa.bare).toFixed(0)} ms (CPU ${median(withoutCa.bareCpu).toFixed(0)} ms when its code starts)`, ''],
    ]);
  }
  if (values.json) {
    const figures = {
      records,
      load: Number(load),
      viewerFirstScreenMs: median(view.bundle),
      unbundledViewerFirstScreenMs: median(view.unbundled),
      statsStartMs: median(stats.bundle),
      unbundledStatsStartMs: median(stats.unbundled),
      bareNodeStartMs: bare.ms,
      bareNodeCpuMs: median(bareCpu),
      bareNodeRssMb: bare.rssMb,
      writerImportStartMs: writer.ms,
      writerImportRssMb: writer.rssMb,
      printSmallMs: m.print,
      statsSmallMs: m.stats,
      verifySmallMs: m.verify,
      bareNodeCpuAtExitMs: median(cpu.bare),
      printSmallCpuMs: median(cpu.print),
      statsSmallCpuMs: median(cpu.stats),
      verifySmallCpuMs: median(cpu.verify),
      lessFirstScreenMs: m.less,
      smallViewerFirstScreenMs: m.viewSmall,
      smallViewerFirstScreenCpuMs: median(firstRowsOf.this.small.cpu),
      viewerFirstScreenCpuMs: median(firstRowsOf.this.big.cpu),
      ...(extraCa
        ? {
            withoutExtraCaCerts: {
              bareNodeStartMs: median(withoutCa.bare),
              bareNodeCpuMs: median(withoutCa.bareCpu),
              smallViewerFirstScreenMs: median(withoutCa.small.ms),
              smallViewerFirstScreenCpuMs: median(withoutCa.small.cpu),
              viewerFirstScreenMs: median(withoutCa.big.ms),
              viewerFirstScreenCpuMs: median(withoutCa.big.cpu),
            },
          }
        : {}),
      ...(against
        ? {
            againstSmallViewerFirstScreenMs: median(firstRowsOf.against.small.ms),
            againstViewerFirstScreenMs: median(firstRowsOf.against.big.ms),
            againstSmallViewerFirstScreenCpuMs: median(firstRowsOf.against.small.cpu),
            againstViewerFirstScreenCpuMs: median(firstRowsOf.against.big.cpu),
          }
        : {}),
    };
    process.stdout.write(`${JSON.stringify(figures)}\n`);
  }
}

main();
