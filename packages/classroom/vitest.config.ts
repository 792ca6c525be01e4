import { defineConfig } from 'vitest/config';

// The package's own tests; the exercises run through vitest.exercises.config.ts.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
  },
});
