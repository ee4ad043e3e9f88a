import { defineConfig } from 'vitest/config';

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
  },
});
