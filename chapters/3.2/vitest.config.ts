import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Workers and children start through tsx (~0.3–1 s each on a busy 2-core machine);
    // every concurrency test also has its own bounded wait that names what it waited for.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
