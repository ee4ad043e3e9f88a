import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

/**
 * The tests `npm run mutate` runs against each mutant of the security core (stryker.config.mjs):
 * the pure tests that import chain, sanitize, parse-line and the writer's line encoder. Tests
 * that spawn the built CLI are left out: they run dist/, which Stryker does not mutate.
 */
// Not mergeConfig: it would concatenate `include` with the base's every test.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    reporters: ['default', './test/helpers/load-failure-as-failed-test.ts'],
    include: [
      'test/shared/chain.test.ts',
      'test/shared/chain-checker.test.ts',
      'test/shared/chain-order.test.ts',
      'test/shared/line-bytes.test.ts',
      'test/shared/parse-line.test.ts',
      'test/shared/parse-line-seal.test.ts',
      'test/shared/sanitize.test.ts',
      'test/shared/schema.test.ts',
      'test/writer/record-line.test.ts',
      'test/writer/record-line-clock.test.ts',
      'test/writer/encoder-mutants.test.ts',
      'test/engine/scan-record.test.ts',
      'test/hardening/fuzz.test.ts',
    ],
  },
});
