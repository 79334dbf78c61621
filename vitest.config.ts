import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Forks isolate process-level state (cwd, env, signal handlers) used by e2e and crash tests.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
