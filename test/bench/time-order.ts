/**
 * npm run bench:time-order [-- --file LOG] [--records N]
 *
 * The viewer's `S` (issue #16): how long engine.timeOrder() takes over every entry of a large
 * log, beside same-run baselines — the engine's own queries over the same entries. Then the
 * sort alone (positionsByTime) over N synthetic times in the three cases it tells apart: in
 * order already, whole milliseconds out of order (packed, native sort), fractions (comparator).
 * Each figure is the best of 3 (a shared machine is noisy). The log defaults to the engine
 * bench's cached 1M-record file (npm run bench:engine makes it).
 */
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openEngine } from '../../src/engine/engine.js';
import { positionsByTime } from '../../src/engine/time-order.js';
import { bestOf } from './best-of.js';

const { values } = parseArgs({
  options: {
    file: { type: 'string', default: path.join(os.tmpdir(), 'sudo-proxy-audit-bench', 'engine-seed1-1000000.log') },
    records: { type: 'string', default: '1000000' },
  },
});

const best = (fn: () => void): number => bestOf(fn);
const ms = (x: number) => `${x.toFixed(1)} ms`;

async function main(): Promise<void> {
  const engine = openEngine([values.file], { follow: false });
  const t0 = performance.now();
  await engine.indexed();
  const n = engine.size();
  console.log(`${values.file}: ${n.toLocaleString('en')} entries indexed in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const some = engine.query({ states: ['failed', 'denied'] });
  const timeOrder = engine.timeOrder?.bind(engine);
  if (!timeOrder) throw new Error('this engine has no timeOrder()');
  const rows: Array<[string, string]> = [
    ['query, state filter (baseline)', ms(best(() => engine.query({ states: ['failed', 'denied'] })))],
    ['query, text NGINX (baseline)', ms(best(() => engine.query({ text: 'NGINX' })))],
    [`timeOrder(), every entry (${n.toLocaleString('en')})`, ms(best(() => timeOrder()))],
    [`timeOrder(state filter: ${some.length.toLocaleString('en')})`, ms(best(() => timeOrder(some)))],
  ];
  await engine.close();

  const count = Number(values.records);
  const start = Date.parse('2026-11-01T00:00:00Z');
  // Mostly in order, every 50th written up to 30 s late (as a request waiting for a decision).
  const late = Float64Array.from({ length: count }, (_, i) => start + i * 1000 - (i % 50 === 0 ? 30_000 : 0));
  const inOrder = Float64Array.from({ length: count }, (_, i) => start + i * 1000);
  const fractions = Float64Array.from(late, (t, i) => t + (i % 7) / 8);
  rows.push(
    [`positionsByTime, ${count.toLocaleString('en')} in order`, ms(best(() => positionsByTime(inOrder, null)))],
    [`positionsByTime, ${count.toLocaleString('en')} 2% late (packed)`, ms(best(() => positionsByTime(late, null)))],
    [`positionsByTime, ${count.toLocaleString('en')} fractions (comparator)`, ms(best(() => positionsByTime(fractions, null)))],
  );
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
  console.log(`load: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} on ${os.cpus().length} cores`);
}

await main();
