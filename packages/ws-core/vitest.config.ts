import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Some tests start tsx, Chromium or Python peers, and several bounded waits inside one test
    // can add up; on a loaded 2-core machine that takes far longer than vitest's 5 s default.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
