/**
 * `npm run bench`: the writer, engine, TUI, fleet, start-up and verify benchmarks, each in its own process (their own
 * tables pass through as they run), then one summary table: figure, value, the same-run
 * baseline, ratio, target, PASS/FAIL. Each benchmark ends its output with one line of JSON
 * figures (`--json`), which is what this reads.
 *
 *   BENCH_RECORDS=N   engine log size (default 1,000,000: the size the targets are set for)
 *   BENCH_RUNS=R      engine runs per measurement (default: the engine benchmark's own)
 * NODE_ENV defaults to production for the children: the viewer sets it so (React's development
 * build records a performance mark per render).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const FULL_RECORDS = 1_000_000;

type Figures = Record<string, number | string | null>;

interface BenchResult {
  name: string;
  /** The JSON figures, or why there are none. */
  figures: Figures | null;
  problem: string | null;
  seconds: number;
}

/** Runs one benchmark script with --json; its stdout passes through, the last JSON line is kept. */
function runBench(name: string, script: string, args: string[]): Promise<BenchResult> {
  const file = path.join(HERE, script);
  if (!fs.existsSync(file)) return Promise.resolve({ name, figures: null, problem: 'not available', seconds: 0 });
  const t0 = performance.now();
  process.stdout.write(`\n━━ ${name}: tsx test/bench/${script} ${[...args, '--json'].join(' ')}\n`);
  // React's production build, as the viewer runs it (its development build times every render).
  const env = { ...process.env, NODE_ENV: process.env.NODE_ENV ?? 'production' };
  const child = spawn(process.execPath, ['--import', 'tsx', file, ...args, '--json'], { stdio: ['ignore', 'pipe', 'inherit'], env });
  let last = '';
  let partial = '';
  child.stdout.on('data', (d: Buffer) => {
    const text = partial + d.toString('utf8');
    const lines = text.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (line.startsWith('{')) last = line;
      else process.stdout.write(`${line}\n`);
    }
  });
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      if (partial.startsWith('{')) last = partial;
      const seconds = (performance.now() - t0) / 1000;
      if (code !== 0) return resolve({ name, figures: null, problem: `failed (${signal ?? `exit ${code}`})`, seconds });
      try {
        resolve({ name, figures: JSON.parse(last) as Figures, problem: null, seconds });
      } catch {
        resolve({ name, figures: null, problem: 'printed no JSON figures (--json)', seconds });
      }
    });
  });
}

// ---- the summary ----

interface Row {
  figure: string;
  value: string;
  baseline: string;
  ratio: string;
  target: string;
  verdict: string;
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const num = (f: Figures, key: string): number | null => (typeof f[key] === 'number' && Number.isFinite(f[key]) ? (f[key] as number) : null);
const verdict = (ok: boolean | null) => (ok === null ? '—' : ok ? 'PASS' : 'FAIL');

/** A figure with a target: `atMost` or `atLeast` the bound. */
function row(figure: string, value: number | null, unit: string, digits: number, target: { atMost?: number; atLeast?: number } | null, baseline?: { label: string; value: number | null }): Row {
  const shown = value === null ? 'n/a' : `${fmt(value, digits)} ${unit}`.trim();
  let ratio = '—';
  let baseShown = '—';
  if (baseline) {
    baseShown = baseline.value === null ? `${baseline.label}: n/a` : `${baseline.label} ${fmt(baseline.value, digits)} ${unit}`.trim();
    if (value !== null && baseline.value !== null && baseline.value > 0) ratio = `${(value / baseline.value).toFixed(2)}×`;
  }
  let targetShown = '—';
  let ok: boolean | null = null;
  if (target?.atMost !== undefined) {
    targetShown = `≤ ${fmt(target.atMost)} ${unit}`.trim();
    ok = value === null ? false : value <= target.atMost;
  } else if (target?.atLeast !== undefined) {
    targetShown = `≥ ${fmt(target.atLeast)} ${unit}`.trim();
    ok = value === null ? false : value >= target.atLeast;
  }
  return { figure, value: shown, baseline: baseShown, ratio, target: targetShown, verdict: verdict(ok) };
}

function missing(name: string, problem: string): Row {
  return { figure: `${name}`, value: problem, baseline: '—', ratio: '—', target: '—', verdict: problem === 'not available' ? '—' : 'FAIL' };
}

function writerRows(r: BenchResult): Row[] {
  const f = r.figures;
  if (!f) return [missing('writer', r.problem ?? '?')];
  const ratio = num(f, 'ratio');
  return [
    row('writer: records/s, no fsync', num(f, 'writerPerS'), '/s', 0, { atLeast: num(f, 'targetPerS') ?? 100_000 }, { label: 'writeSync O_APPEND', value: num(f, 'baselinePerS') }),
    {
      figure: 'writer: share of the raw-write floor',
      value: ratio === null ? 'n/a' : `${ratio.toFixed(2)}×`,
      baseline: '—',
      ratio: '—',
      target: `≥ ${num(f, 'targetRatio') ?? 0.5}×`,
      verdict: verdict(ratio === null ? false : ratio >= (num(f, 'targetRatio') ?? 0.5)),
    },
    row('writer: append latency p99', num(f, 'writerP99Us'), 'µs', 1, null, { label: 'writeSync', value: num(f, 'baselineP99Us') }),
    row('writer: records/s, fsync per record', num(f, 'fsyncPerS'), '/s', 0, null),
    row('Rust writer: records/s, no fsync', num(f, 'rustPerS'), '/s', 0, null, { label: 'TS writer', value: num(f, 'writerPerS') }),
    row('Rust writer: append latency p50', num(f, 'rustP50Us'), 'µs', 2, null, { label: 'TS writer', value: num(f, 'writerP50Us') }),
    row('Rust: clean cargo build --release', num(f, 'rustBuildS'), 's', 1, null),
  ];
}

function engineRows(r: BenchResult): Row[] {
  const f = r.figures;
  if (!f) return [missing('engine', r.problem ?? '?')];
  const index = num(f, 'indexMbPerS');
  const jq = num(f, 'jqMbPerS');
  return [
    row('engine: newest entries after open', num(f, 'readyMs'), 'ms', 0, { atMost: 500 }),
    row('engine: full index', index, 'MB/s', 0, { atLeast: 150 }, { label: 'JSON.parse loop', value: num(f, 'bareMbPerS') }),
    {
      figure: 'engine: full index vs jq -c .',
      value: index === null ? 'n/a' : `${fmt(index)} MB/s`,
      baseline: jq === null ? 'jq: not installed' : `jq ${fmt(jq, 1)} MB/s`,
      ratio: index !== null && jq !== null ? `${(index / jq).toFixed(1)}×` : '—',
      target: 'faster than jq',
      verdict: jq === null ? '—' : verdict(index !== null && index > jq),
    },
    row('engine: full index, one thread', num(f, 'oneThreadMbPerS'), 'MB/s', 0, null, { label: 'JSON.parse loop', value: num(f, 'bareMbPerS') }),
    row('engine: RSS, all entries indexed', num(f, 'rssMb'), 'MB', 0, { atMost: 250 }),
    row('engine: text search over all', num(f, 'textQueryMs'), 'ms', 1, { atMost: 300 }),
    row('engine: filter by state over all', num(f, 'stateQueryMs'), 'ms', 1, { atMost: 300 }),
    row('engine: hosts+privileged+since+regex', num(f, 'comboQueryMs'), 'ms', 1, { atMost: 300 }),
    row('engine: longest event-loop block (busy)', num(f, 'maxBusyBlockMs'), 'ms', 0, { atMost: 50 }),
  ];
}

function tuiRows(r: BenchResult): Row[] {
  const f = r.figures;
  if (!f) return [missing('tui: keypress → frame', r.problem ?? '?')];
  return [
    row('tui: keypress → frame, worst median, 1M, 80×24', num(f, 'worst1MMedianMs'), 'ms', 2, { atMost: num(f, 'targetMs') ?? 16 }, { label: 'Ink floor', value: num(f, 'inkFloorMedianMs') }),
    row('tui: keypress → frame, worst median, 1M, 160×48', num(f, 'worst1MMedianMs160x48'), 'ms', 2, null),
    row('tui: j/k median, 1M entries, 80×24', num(f, 'jk1MMedianMs'), 'ms', 2, null, { label: '1k entries', value: num(f, 'jk1kMedianMs') }),
  ];
}

function fleetRows(r: BenchResult): Row[] {
  const f = r.figures;
  if (!f) return [missing('fleet', r.problem ?? '?')];
  const size = `${num(f, 'hosts')} hosts × ${fmt(num(f, 'records') ?? 0)}`;
  return [
    row(`fleet (${size}): newest entries after open`, num(f, 'firstScreenMs'), 'ms', 0, { atMost: 500 }, { label: 'one file', value: num(f, 'plainReadyMs') }),
    row('fleet: viewer first screen (tmux, from spawn)', num(f, 'viewerFirstScreenMs'), 'ms', 0, null, { label: 'one file', value: num(f, 'plainViewerFirstScreenMs') }),
    row('fleet: everything indexed', num(f, 'indexedMs'), 'ms', 0, null, { label: 'one file', value: num(f, 'plainIndexedMs') }),
    row('fleet: RSS per million records', num(f, 'rssPerMillionRecordsMb'), 'MB', 0, { atMost: 250 }, { label: 'one file, all', value: num(f, 'plainRssMb') }),
    row('fleet: CLI stats over the directory', num(f, 'cliStatsMs'), 'ms', 0, null, { label: 'one file', value: num(f, 'plainCliStatsMs') }),
  ];
}

function startRows(r: BenchResult): Row[] {
  const f = r.figures;
  if (!f) return [missing('start-up', r.problem ?? '?')];
  return [
    row(`start-up: viewer first screen (tmux, from spawn), ${fmt(num(f, 'records') ?? 0)} records`, num(f, 'viewerFirstScreenMs'), 'ms', 0, null, { label: 'unbundled', value: num(f, 'unbundledViewerFirstScreenMs') }),
    row('start-up: `stats` over 20 records', num(f, 'statsStartMs'), 'ms', 0, null, { label: 'unbundled', value: num(f, 'unbundledStatsStartMs') }),
  ];
}

function verifyRows(r: BenchResult): Row[] {
  const f = r.figures;
  if (!f) return [missing('verify', r.problem ?? '?')];
  const size = `${fmt(num(f, 'records') ?? 0)} records`;
  return [
    row(`verify DIR: one host of ${size}, wall`, num(f, 'verifyDirMs'), 'ms', 0, null, { label: 'verify FILE', value: num(f, 'verifyFileMs') }),
    row('verify DIR: peak RSS', num(f, 'verifyDirRssMb'), 'MB', 0, null, { label: 'ordering in memory', value: num(f, 'inMemoryRssMb') }),
  ];
}

function table(rows: Row[]): string {
  const header: Row = { figure: 'figure', value: 'value', baseline: 'baseline (same run)', ratio: 'ratio', target: 'target', verdict: '' };
  const keys = Object.keys(header) as Array<keyof Row>;
  const all = [header, ...rows];
  const widths = keys.map((k) => Math.max(...all.map((r) => r[k].length)));
  const line = (r: Row) => `| ${keys.map((k, i) => r[k].padEnd(widths[i])).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

function machine(): string {
  const cpuinfo = fs.existsSync('/proc/cpuinfo') ? fs.readFileSync('/proc/cpuinfo', 'utf8') : '';
  const cpu = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? 'unknown CPU';
  return `${os.availableParallelism()} × ${cpu.trim()}, ${fmt(os.totalmem() / 1e9)} GB RAM, ${os.type()} ${os.release()}, Node ${process.version}`;
}

const load = () => os.loadavg().map((l) => l.toFixed(1)).join(' ');

async function main(): Promise<void> {
  const records = Number(process.env.BENCH_RECORDS ?? FULL_RECORDS);
  if (!Number.isInteger(records) || records < 10) throw new Error(`BENCH_RECORDS takes a whole number ≥ 10, got ${process.env.BENCH_RECORDS}`);
  const engineArgs = ['--records', String(records), ...(process.env.BENCH_RUNS ? ['--runs', process.env.BENCH_RUNS] : [])];
  const loadBefore = load();
  const started = new Date();

  // One after another: they would skew each other on a small machine.
  const writer = await runBench('writer', 'writer.ts', []);
  const engine = await runBench('engine', 'engine.ts', engineArgs);
  const tui = await runBench('tui', 'tui.ts', []);
  const fleet = await runBench('fleet', 'fleet.ts', []);
  const start = await runBench('start', 'start.ts', []);
  const verify = await runBench('verify', 'verify.ts', []);

  const took = (r: BenchResult) => (r.figures ? `${r.seconds.toFixed(0)} s` : r.problem);
  const out = [
    '',
    `━━ Summary (npm run bench, ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC)`,
    `Machine: ${machine()}; load average ${loadBefore} before, ${load()} after`,
    `Engine log: ${fmt(records)} records${records < FULL_RECORDS ? ` (BENCH_RECORDS; the engine targets are set for ${fmt(FULL_RECORDS)})` : ''}. Took: writer ${took(writer)}, engine ${took(engine)}, tui ${took(tui)}, fleet ${took(fleet)}, start-up ${took(start)}, verify ${took(verify)}.`,
    '',
    table([...writerRows(writer), ...engineRows(engine), ...tuiRows(tui), ...fleetRows(fleet), ...startRows(start), ...verifyRows(verify)]),
    '',
  ];
  process.stdout.write(out.join('\n'));
}

await main();
