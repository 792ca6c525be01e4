/**
 * The thread runtime on its own, without the pool: the wiring the crash blame relies on.
 * A thread batches its answers, so after a crash the pool cannot tell from the answers which
 * task killed it; the worker writes the running task's id to shared memory before each task.
 */

import { within } from '@course/course-kit/testing/waits';
import { expect, test } from 'vitest';
import type { FromWorker, TaskRequest } from '../src/pool/messages.ts';
import { threadRuntime } from '../src/pool/thread-runtime.ts';
import { fixtures } from './fixtures/tasks.ts';

const request = (id: number, ref: { module: string; exportName: string }, args: unknown[]) =>
  ({ id, module: ref.module, exportName: ref.exportName, args }) satisfies TaskRequest;

test('a worker thread that dies mid-batch still tells which task it was running', async () => {
  const answered: number[] = [];
  let exitCode: (code: number | null) => void = () => {};
  const exited = new Promise<number | null>((resolve) => (exitCode = resolve));
  const handle = threadRuntime.start({
    ready: () => {
      // Two quick tasks, the crash, and one that must never start.
      handle.send({
        type: 'run',
        tasks: [
          request(11, fixtures.echo, [1]),
          request(12, fixtures.echo, [2]),
          request(13, fixtures.exitNow, [7]),
          request(14, fixtures.echo, [4]),
        ],
      });
    },
    message: (message: FromWorker) => {
      if (message.type === 'answers') {
        answered.push(...message.answers.map((a) => a.id));
      } else {
        answered.push(message.id);
      }
    },
    exit: (code) => exitCode(code),
  });
  try {
    expect(await within(exited, 20_000, 'the worker thread to exit with code 7')).toBe(7);
    // Whether the answers for 11 and 12 got out first depends on timing; the cell does not.
    expect(handle.runningTaskId?.()).toBe(13);
    expect(answered).not.toContain(13);
    expect(answered).not.toContain(14);
  } finally {
    handle.kill();
  }
});
