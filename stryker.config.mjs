// @ts-check
/**
 * Mutation testing of the security core (`npm run mutate`; not in CI): would a test notice a
 * weakened check? Goal: a mutation score of at least 95 % on each file below.
 * An equivalent mutant is disabled where it is, with a comment saying why it is equivalent.
 */
import { readFileSync } from 'node:fs';

/**
 * The writer's line encoder: record-line.ts from `generalLine` (the general path) to the end
 * (RecordEncoder and its byte writers). Above it, toRequestRecord/toResponseRecord say what a
 * record holds; they are not the encoder. Found by name, so an edit above does not move it.
 */
function encoderRange() {
  const file = 'src/writer/record-line.ts';
  const lines = readFileSync(file, 'utf8').split('\n');
  const start = lines.findIndex((line) => line.startsWith('export function generalLine('));
  if (start < 0) throw new Error(`${file}: generalLine not found; update stryker.config.mjs`);
  return `${file}:${start + 1}-${lines.length}`;
}

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
const config = {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutate.config.ts', related: false },
  plugins: ['@stryker-mutator/vitest-runner'],
  // chain.ts is verify's reading of the lines; chain-checker.ts the checker it (and the engine)
  // runs; line-bytes.ts the words for what is wrong with a line's bytes.
  mutate: ['src/shared/chain.ts', 'src/shared/chain-checker.ts', 'src/shared/line-bytes.ts', 'src/shared/sanitize.ts', 'src/shared/parse-line.ts', encoderRange()],
  coverageAnalysis: 'perTest',
  concurrency: 2,
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 95, low: 90, break: null },
  timeoutMS: 5_000,
  tempDirName: '.stryker-tmp',
};
export default config;
