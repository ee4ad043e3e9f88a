/**
 * npm run bench:start [-- --records N] [--runs R] [--json]
 *
 * Start-up of the shipped CLI, the esbuild bundle (dist/bin/cli.js), against the same-run
 * baseline of tsc's unbundled output of the same sources (dist/cli/cli.js), alternating, R
 * rounds (default 7, median shown):
 * - the viewer's first screen in a real terminal (tmux), from spawn, over a log of N records
 *   (default 200,000, generateLog; cached under the OS temp dir);
 * - `stats` over a 20-record log: what every command pays before its work.
 * Needs `npm run build` (both outputs) and tmux.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateLog } from '../../src/demo/generate.js';
import { viewerFirstScreenMs } from './viewer-start.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BUNDLE = path.join(ROOT, 'dist/bin/cli.js');
const UNBUNDLED = path.join(ROOT, 'dist/cli/cli.js');

function logOf(records: number): string {
  const file = path.join(os.tmpdir(), `spa-bench-start-${records}.log`);
  if (!fs.existsSync(file)) generateLog({ path: file, count: records, seed: 7 });
  return file;
}

function commandMs(cli: string, args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [cli, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`${cli} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return performance.now() - t0;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function main(): void {
  const { values } = parseArgs({ options: { records: { type: 'string', default: '200000' }, runs: { type: 'string', default: '7' }, json: { type: 'boolean' } } });
  for (const cli of [BUNDLE, UNBUNDLED]) if (!fs.existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` first`);
  if (spawnSync('tmux', ['-V']).status !== 0) throw new Error('the start-up benchmark needs tmux (apt-get install -y tmux)');
  const records = Number(values.records);
  const runs = Number(values.runs);
  const big = logOf(records);
  const small = logOf(20);
  const view = { bundle: [] as number[], unbundled: [] as number[] };
  const stats = { bundle: [] as number[], unbundled: [] as number[] };
  for (let i = 0; i < runs; i++) {
    // Alternating, so a change in the machine's load falls on both.
    for (const [kind, cli] of [['bundle', BUNDLE], ['unbundled', UNBUNDLED]] as const) {
      view[kind].push(viewerFirstScreenMs(cli, big) as number);
      stats[kind].push(commandMs(cli, ['stats', small]));
    }
  }
  const rows = [
    ['', 'bundle (dist/bin)', 'unbundled (dist/tui, baseline)', 'ratio'],
    [`viewer first screen, ${records.toLocaleString('en')} records`, ...[view.bundle, view.unbundled].map((xs) => `${median(xs).toFixed(0)} ms`), `${(median(view.bundle) / median(view.unbundled)).toFixed(2)}×`],
    ['`stats` over 20 records', ...[stats.bundle, stats.unbundled].map((xs) => `${median(xs).toFixed(0)} ms`), `${(median(stats.bundle) / median(stats.unbundled)).toFixed(2)}×`],
  ];
  const load = os.loadavg()[0].toFixed(1);
  process.stdout.write(`start-up from spawn: median of ${runs}, alternating; load ${load}; ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? '?'}\n\n`);
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  for (const r of rows) process.stdout.write(`${r.map((cell, c) => cell.padEnd(widths[c])).join('  ')}\n`);
  if (values.json) {
    const figures = {
      records,
      load: Number(load),
      viewerFirstScreenMs: median(view.bundle),
      unbundledViewerFirstScreenMs: median(view.unbundled),
      statsStartMs: median(stats.bundle),
      unbundledStatsStartMs: median(stats.unbundled),
    };
    process.stdout.write(`${JSON.stringify(figures)}\n`);
  }
}

main();
