import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Starting a worker or child through tsx compiles TypeScript first; on a loaded
    // 2-core CI machine that alone can take seconds, so allow for it.
    testTimeout: 30_000,
  },
});
