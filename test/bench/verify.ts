/**
 * npm run bench:verify [-- --records N] [--runs R] [--json]
 *
 * `verify DIR` over a collector directory holding one big host: N records (default 1,000,000,
 * generateLog), shipped as RELP delivers after a reconnect (a batch of 1,000 lines late, 1,000
 * resent). Wall time and peak RSS, median of R runs (default 3), in fresh processes, against
 * two same-run baselines: the in-memory ordering (orderCollected, every line held) over the same
 * directory, and `verify FILE` over the same records written in order as one file (the
 * streaming verifier, no ordering). Cached under the OS temp dir. Needs `npm run build`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { verifyChain } from '../../src/shared/chain.js';
import { orderCollected } from '../../src/shared/chain-order.js';
import { chainLinesOfFiles } from '../../src/cli/commands/lines.js';
import { generateLog } from '../../src/demo/generate.js';

const SELF = fileURLToPath(import.meta.url);
const ROOT = path.resolve(path.dirname(SELF), '../..');
const CLI = path.join(ROOT, 'dist/bin/cli.js');
const BATCH = 1_000;
/** Prints the process's peak RSS (kB) on stderr as it exits: pipes are written synchronously on Linux. */
const REPORT_RSS = `data:text/javascript,process.on('exit',()=>process.stderr.write('maxrss='+process.resourceUsage().maxRSS+'\\n'))`;

interface Run {
  ms: number;
  rssMb: number;
}

function fixture(records: number): { dir: string; file: string } {
  const base = path.join(os.tmpdir(), `spa-bench-verify-${records}`);
  const file = path.join(base, 'in-order.log');
  const dir = path.join(base, 'collector');
  const shipped = path.join(dir, 'web', 'audit.log');
  if (fs.existsSync(shipped)) return { dir, file };
  fs.mkdirSync(path.join(dir, 'web'), { recursive: true });
  generateLog({ path: file, count: records, seed: 3 });
  const lines = fs.readFileSync(file, 'utf8').split('\n').slice(0, -1);
  const lateAt = Math.floor(lines.length / 3);
  const late = lines.slice(lateAt, lateAt + BATCH);
  const resent = lines.slice(lateAt * 2, lateAt * 2 + BATCH);
  const order = [...lines.slice(0, lateAt), ...lines.slice(lateAt + BATCH, lateAt * 2 + BATCH), ...resent, ...late, ...lines.slice(lateAt * 2 + BATCH)];
  fs.writeFileSync(shipped, `${order.join('\n')}\n`, { mode: 0o600 });
  return { dir, file };
}

function timed(args: string[]): Run {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--import', REPORT_RSS, ...args], { encoding: 'utf8', maxBuffer: 1 << 24 });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stdout}${r.stderr}`);
  const kb = Number(/maxrss=(\d+)/.exec(r.stderr)?.[1]);
  return { ms, rssMb: kb / 1024 };
}

/** The child for the in-memory baseline: every line read, ordered and verified at once. */
function inMemory(dir: string): void {
  const { lines, duplicates } = orderCollected(chainLinesOfFiles([path.join(dir, 'web', 'audit.log')]));
  const report = verifyChain(lines);
  if (!report.ok || duplicates !== BATCH) throw new Error(`in-memory ordering: ${JSON.stringify(report.break)}, ${duplicates} duplicates`);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function main(): void {
  const { values } = parseArgs({ options: { records: { type: 'string', default: '1000000' }, runs: { type: 'string', default: '3' }, json: { type: 'boolean' } } });
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
  const records = Number(values.records);
  const runs = Number(values.runs);
  const { dir, file } = fixture(records);
  const collected: Run[] = [];
  const memory: Run[] = [];
  const single: Run[] = [];
  for (let i = 0; i < runs; i++) {
    collected.push(timed([CLI, 'verify', dir]));
    memory.push(timed(['--import', 'tsx', SELF, '--child', dir]));
    single.push(timed([CLI, 'verify', file]));
  }
  const m = (rs: Run[], k: keyof Run) => median(rs.map((r) => r[k]));
  const mib = (fs.statSync(file).size / 2 ** 20).toFixed(0);
  process.stdout.write(
    `verify: one collected host of ${records.toLocaleString('en')} records (${mib} MiB, ${BATCH} lines late, ${BATCH} resent); median of ${runs}; load ${os.loadavg()[0].toFixed(1)}\n\n`,
  );
  const rows = [
    ['', 'wall', 'peak RSS'],
    ['verify DIR (plan, then in order)', `${(m(collected, 'ms') / 1000).toFixed(2)} s`, `${m(collected, 'rssMb').toFixed(0)} MB`],
    ['baseline: ordering in memory', `${(m(memory, 'ms') / 1000).toFixed(2)} s`, `${m(memory, 'rssMb').toFixed(0)} MB`],
    ['baseline: verify FILE, in order', `${(m(single, 'ms') / 1000).toFixed(2)} s`, `${m(single, 'rssMb').toFixed(0)} MB`],
  ];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  for (const r of rows) process.stdout.write(`${r.map((cell, c) => cell.padEnd(widths[c])).join('  ')}\n`);
  if (values.json) {
    const figures = {
      records,
      verifyDirMs: m(collected, 'ms'),
      verifyDirRssMb: m(collected, 'rssMb'),
      inMemoryMs: m(memory, 'ms'),
      inMemoryRssMb: m(memory, 'rssMb'),
      verifyFileMs: m(single, 'ms'),
      verifyFileRssMb: m(single, 'rssMb'),
    };
    process.stdout.write(`${JSON.stringify(figures)}\n`);
  }
}

const childAt = process.argv.indexOf('--child');
if (childAt !== -1) inMemory(process.argv[childAt + 1]);
else main();
