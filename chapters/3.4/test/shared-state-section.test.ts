/**
 * The 3.4.4 section run in-process, as `npm run chapter:3.4 -- 3.4.4` runs it: its narration,
 * and a Ctrl-C in the middle. Its workers and its redis-server are checked gone by pid.
 */
import { runChapter } from '@course/course-kit';
import { isRunning } from '@course/course-kit/testing/processes';
import { shouldRunRedisTests } from '@course/course-kit/testing/redis';
import { until, within } from '@course/course-kit/testing/waits';
import { describe, expect, it } from 'vitest';
import { captureOutput, onlySection } from './run-chapter.ts';

const only344 = onlySection('3.4.4');

/** Every pid the narration names: "(pid 123)". */
const pidsIn = (text: string) => [...text.matchAll(/\(pid (\d+)\)/g)].map((m) => Number(m[1]));

describe.runIf(shouldRunRedisTests())('the 3.4.4 section', () => {
  it('shows alice#2 on the other worker, then alice announced as lost and her name free again', async () => {
    const run = captureOutput();
    expect(await runChapter(only344, ['3.4.4', '--ttl', '900'], run.io)).toBe(0);
    const text = run.out();
    expect(text).toMatch(
      /the second alice, on worker \d \(pid \d+\), is alice#2; its welcome lists alice/,
    );
    expect(text).toMatch(/alice#2 saw "alice left: connection lost" [\d.]+ s after the kill/);
    expect(text).toMatch(/a new "alice" joins worker \d \(pid \d+\) and is called alice$/m);
    const pids = new Set(pidsIn(text));
    expect(pids.size).toBe(3); // our redis-server and two workers
    for (const pid of pids) expect(isRunning(pid), `process ${pid}`).toBe(false);
  }, 60_000);

  it('stops its workers and its redis-server on Ctrl-C, says so in one line and ends with 130', async () => {
    const run = captureOutput();
    const running = runChapter(only344, ['3.4.4'], run.io);
    await until(() => run.out().includes('the first alice is on'), 30_000, 'the members to join');
    const pids = new Set(pidsIn(run.out()));
    run.controller.abort();
    expect(await within(running, 20_000, 'the section to end after Ctrl-C')).toBe(130);
    expect(run.out()).toContain('interrupted: 3.4.4 stopped its workers and its Redis');
    for (const pid of pids) expect(isRunning(pid), `process ${pid}`).toBe(false);
  }, 60_000);

  it('refuses a --ttl under 300 ms with a one-line usage error', async () => {
    const run = captureOutput();
    expect(await runChapter(only344, ['3.4.4', '--ttl', '10'], run.io)).toBe(2);
    expect(run.out().trim().split('\n').at(-1)).toBe(
      'error in 3.4.4: --ttl expects a whole number from 300 to 600000, got 10',
    );
  });
});
