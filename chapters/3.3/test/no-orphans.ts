/**
 * Runs after every test file (vitest `setupFiles`): a pool or a section that leaves a child
 * process behind fails the file that leaked it, not some later test or the CI job.
 */
import { afterAll, expect } from 'vitest';
import { childPids, until } from './helpers.ts';

afterAll(async () => {
  // A child killed a moment ago may still be on its way out; a leaked one never goes.
  await until(() => childPids().length === 0, 10_000, 'every child process to exit').catch(
    () => {},
  );
  expect(childPids(), 'child processes left running by this test file').toEqual([]);
});
