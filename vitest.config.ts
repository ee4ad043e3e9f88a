import { defineConfig } from 'vitest/config';
import { isCi } from './test/helpers/system-tools.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Tests spawn real writer processes and terminals; two forks fit a 2-core machine.
    pool: 'forks',
    maxWorkers: 2,
    env: { FORCE_COLOR: '0' },
    setupFiles: ['test/setup-env.ts'],
    // The workers clear CI (test/setup-env.ts): they learn here whether a missing system tool
    // fails the run (CI) or skips the tests that need it (test/helpers/system-tools.ts).
    provide: { ci: isCi(process.env.CI) },
  },
});
