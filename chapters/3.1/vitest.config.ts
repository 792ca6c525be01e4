import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Network tests wait on real sockets; each test also sets its own bound where it matters.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
