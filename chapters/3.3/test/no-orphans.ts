/**
 * Runs after every test file (vitest `setupFiles`): a pool or a section that leaves a child
 * process behind fails the file that leaked it, not some later test or the CI job.
 */

import { childrenOf } from '@course/course-kit/testing/processes';
import { until } from '@course/course-kit/testing/waits';
import { afterAll, expect } from 'vitest';

afterAll(async () => {
  // A child killed a moment ago may still be on its way out; a leaked one never goes.
  await until(() => childrenOf().length === 0, 10_000, 'every child process to exit').catch(
    () => {},
  );
  expect(childrenOf(), 'child processes left running by this test file').toEqual([]);
});
