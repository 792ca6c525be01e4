/**
 * The crash-blame rules of blame.ts as a table: what a worker held and what it says it was
 * running, against the verdict. The rule numbers are those of blame.ts's header.
 */
import { describe, expect, test } from 'vitest';
import { blameForExit, type ExitVerdict, travelsAlone } from '../src/pool/blame.ts';
import type { QueuedTask } from '../src/pool/queued-task.ts';

/**
 * `'3'` is task 3, `'3s'` task 3 already a suspect, `'3r'` task 3 already given its retry.
 * Tasks are frozen: a verdict that tried to change one would throw.
 */
function task(spec: string): QueuedTask {
  const id = Number.parseInt(spec, 10);
  return Object.freeze({
    request: { id, module: 'file:///tasks.ts', exportName: 'square', args: [id] },
    resolve: () => {},
    reject: () => {},
    suspect: spec.endsWith('s'),
    retried: spec.endsWith('r'),
  });
}

const ids = (tasks: readonly QueuedTask[]) => tasks.map((t) => t.request.id);

/** The verdict with tasks as ids, so the table can say it plainly. */
function plain(verdict: ExitVerdict) {
  return {
    culprit: verdict.culprit?.request.id,
    retry: verdict.retry?.request.id,
    requeue: ids(verdict.requeue),
    suspects: ids(verdict.suspects),
  };
}

interface Row {
  rule: string;
  held: string[];
  running: number | undefined;
  killedToCancel?: boolean;
  retryOnExit?: boolean;
  culprit?: number;
  retry?: number;
  requeue: number[];
  suspects?: number[];
}

const rows: Row[] = [
  {
    rule: '1: a worker killed to cancel a task blames nobody, whatever it was running',
    held: ['1', '2', '3'],
    running: 2,
    killedToCancel: true,
    requeue: [1, 2, 3],
  },
  {
    rule: '1: a worker killed to cancel a task blames nobody, even with no progress cell',
    held: ['1', '2'],
    running: undefined,
    killedToCancel: true,
    retryOnExit: true,
    requeue: [1, 2],
  },
  {
    rule: '2: the task the worker says it was running is blamed, not the oldest',
    held: ['1', '2', '3'],
    running: 2,
    culprit: 2,
    requeue: [1, 3],
  },
  {
    rule: '3: a worker that cannot say what it was running blames the oldest task it held',
    held: ['1', '2', '3'],
    running: undefined,
    culprit: 1,
    requeue: [2, 3],
  },
  {
    rule: '4: a worker that died idle makes every task it held a suspect and blames none',
    held: ['1', '2'],
    running: 0,
    requeue: [1, 2],
    suspects: [1, 2],
  },
  {
    rule: '4: a worker running a task it no longer held (answered) makes suspects too',
    held: ['1', '2'],
    running: 9,
    requeue: [1, 2],
    suspects: [1, 2],
  },
  {
    rule: '4: a single task that was not a suspect yet becomes one, unblamed',
    held: ['1'],
    running: 0,
    requeue: [1],
    suspects: [1],
  },
  {
    rule: '6: a worker that died idle holding a single suspect blames it',
    held: ['1s'],
    running: 0,
    culprit: 1,
    requeue: [],
  },
  {
    rule: '7: with retryOnExit, a task blamed for the first time runs again, first in line',
    held: ['1', '2', '3'],
    running: 2,
    retryOnExit: true,
    retry: 2,
    requeue: [2, 1, 3],
  },
  {
    rule: '7: with retryOnExit, a task blamed a second time fails',
    held: ['1', '2r', '3'],
    running: 2,
    retryOnExit: true,
    culprit: 2,
    requeue: [1, 3],
  },
  {
    rule: '6 and 7: a suspect blamed for the first time gets its retry too',
    held: ['1s'],
    running: 0,
    retryOnExit: true,
    retry: 1,
    requeue: [1],
  },
  {
    rule: '8: the others go back in the order sent, around the culprit',
    held: ['4', '5', '6', '7'],
    running: 6,
    culprit: 6,
    requeue: [4, 5, 7],
  },
  {
    rule: 'a worker that held nothing blames nothing (idle)',
    held: [],
    running: 0,
    requeue: [],
  },
  {
    rule: 'a worker that held nothing blames nothing (no progress cell)',
    held: [],
    running: undefined,
    requeue: [],
  },
];

describe('blameForExit: who is blamed when a worker dies', () => {
  test.each(rows)('rule $rule', (row) => {
    const verdict = blameForExit({
      inFlight: row.held.map(task),
      runningTaskId: row.running,
      killedToCancel: row.killedToCancel ?? false,
      retryOnExit: row.retryOnExit ?? false,
    });
    expect(plain(verdict)).toEqual({
      culprit: row.culprit,
      retry: row.retry,
      requeue: row.requeue,
      suspects: row.suspects ?? [],
    });
  });

  test('it changes neither the tasks nor the list it is given: the pool applies the verdict', () => {
    const held = ['1', '2s', '3r'].map(task);
    const before = structuredClone(
      held.map(({ request, suspect, retried }) => ({ request, suspect, retried })),
    );
    const inFlight = [...held];
    blameForExit({ inFlight, runningTaskId: 0, killedToCancel: false, retryOnExit: true });
    blameForExit({ inFlight, runningTaskId: 3, killedToCancel: false, retryOnExit: true });
    expect(inFlight).toEqual(held);
    expect(held.map(({ request, suspect, retried }) => ({ request, suspect, retried }))).toEqual(
      before,
    );
  });
});

describe('travelsAlone: rule 5, a suspect is sent alone', () => {
  test.each([
    { what: 'no task', given: undefined, alone: false },
    { what: 'a task never suspected', given: task('1'), alone: false },
    { what: 'a task retried but not suspected', given: task('1r'), alone: false },
    { what: 'a suspect', given: task('1s'), alone: true },
  ])('$what: $alone', ({ given, alone }) => {
    expect(travelsAlone(given)).toBe(alone);
  });
});
