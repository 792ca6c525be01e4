import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // A test that starts a process (tsx, python3) can take seconds on a busy 2-core machine;
    // a test that waits on a socket or a worker also sets its own bound, naming what it waited for.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
