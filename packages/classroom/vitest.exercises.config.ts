/**
 * Runs the exercises' tests (exercises/<chapter>/*.test.ts at the root).
 *
 * With COURSE_EXERCISE_TARGET=solutions (the self-check), every import of a student file
 * from a test is redirected to the reference solution at the same path under solutions/, so
 * the very same tests prove the solution right and the untouched stub wrong.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('../../', import.meta.url));
const exercises = `${root}exercises/`;
const solutions = `${root}solutions/`;
const target = process.env.COURSE_EXERCISE_TARGET === 'solutions' ? 'solutions' : 'exercises';

function redirectToSolutions() {
  return {
    name: 'course-redirect-to-solutions',
    enforce: 'pre' as const,
    resolveId(source: string, importer: string | undefined) {
      if (target !== 'solutions' || !importer || !source.startsWith('.')) return null;
      const wanted = resolve(dirname(importer), source);
      if (wanted.startsWith(exercises) && !wanted.endsWith('.test.ts')) {
        const swapped = solutions + wanted.slice(exercises.length);
        if (existsSync(swapped)) return swapped;
      }
      return null;
    },
  };
}

export default defineConfig({
  root,
  plugins: [redirectToSolutions()],
  test: {
    include: ['exercises/**/*.test.ts'],
    env: { COURSE_EXERCISE_TARGET: target },
    // Well above any exercise test's honest run time, so only an await that never resolves hits it.
    // (An endless loop never lets the timeout fire: src/heartbeat.ts catches those.)
    testTimeout: 45_000,
    hookTimeout: 30_000,
    setupFiles: [fileURLToPath(new URL('./src/heartbeat.ts', import.meta.url))],
    // Exercise files start workers of their own; two files at a time keeps a 2-core box usable.
    maxWorkers: 2,
    pool: 'threads',
  },
});
