import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/no-orphans.ts'],
    // Pools start real threads and processes; on a busy 2-core machine that takes seconds.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
