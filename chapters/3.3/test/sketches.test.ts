/**
 * The Python 3 sketches the lesson shows (chapters/3.3/sketches/): each one run for real and
 * its output checked. Skipped, with the reason, where python3 is not installed.
 */
import { fileURLToPath } from 'node:url';
import { hasPython3, sketchRunner } from '@course/course-kit/testing/python';
import { describe, expect, it } from 'vitest';

const SKETCHES = fileURLToPath(new URL('../sketches/', import.meta.url));
const hasPython = hasPython3('sketches.test.ts');
const runSketch = sketchRunner(SKETCHES);
/** The sketch's output, line by line (the last element is what follows the final newline). */
async function sketch(file: string): Promise<string[]> {
  return (await runSketch(file)).split('\n');
}

describe.skipIf(!hasPython)('Python sketches (python3)', () => {
  it('producer_consumer.py moves all 20 items through a Queue(maxsize=4) with threads', async () => {
    expect(await sketch('producer_consumer.py')).toEqual([
      'consumed 20 items; sum of squares 2470',
      '',
    ]);
  });

  it('pools.py runs 1000 tasks on process and thread pools; close() inside the loop raises ValueError', async () => {
    expect(await sketch('pools.py')).toEqual([
      'process pool: 1000 results, 0->50, 1->51, ... 999->1049',
      'thread pool: 1000 results, 0->50, 1->51, ... 999->1049',
      'close() inside the loop: round 2 raised ValueError: Pool not running',
      'concurrent.futures map: [1, 4, 9, 16, 25, 36, 49, 64]',
      '',
    ]);
  });

  it('generators.py produces, receives with send(), cleans up on close() and delegates with yield from', async () => {
    expect(await sketch('generators.py')).toEqual([
      'first ten: 0 1 1 2 3 5 8 13 21 34',
      'averages: 10.0 15.0 20.0',
      'countdown: 5 4',
      'finally ran',
      "messages: ['hello', 'hi', 'coroutines']",
      '',
    ]);
  });

  it('generator_speed.py sums the same numbers three ways and times each against a plain loop', async () => {
    const lines = await sketch('generator_speed.py');
    expect(lines[0]).toBe('the same sum three ways: True');
    // The ratios depend on the machine; their shape does not.
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(/^with_generator +\d+\.\d\d × a plain loop$/),
      expect.stringMatching(/^with_list +\d+\.\d\d × a plain loop$/),
      'with_plain_loop  1.00 × a plain loop',
      '',
    ]);
  });

  it('grep_coroutine.py matches once primed; unprimed send() raises TypeError; a fresh close() runs nothing', async () => {
    expect(await sketch('grep_coroutine.py')).toEqual([
      'searching for "coroutine"',
      'match: I love coroutine instead!',
      'closed',
      "TypeError: can't send non-None value to a just-started generator",
      'closed a fresh one: nothing printed',
      '',
    ]);
  });

  it('async_driver.py drives an async def with send() and throw(), as an event loop does', async () => {
    expect(await sketch('async_driver.py')).toEqual(['player 7, score unknown (server down)', '']);
  });

  it('gevent_style.py waits deep in plain functions on threads, and only in async defs with asyncio', async () => {
    expect(await sketch('gevent_style.py')).toEqual([
      "threads (stackful stand-in): ['hello alice', 'hello bob', 'hello carol']",
      "asyncio (stackless): ['hello alice', 'hello bob', 'hello carol']",
      'plain function calling async: hello coroutine',
      '',
    ]);
  });

  it('gevent_structures.py pairs 8 players with an Event, a Semaphore(2) and a Queue(4)', async () => {
    expect(await sketch('gevent_structures.py')).toEqual([
      "['p0 vs p1', 'p2 vs p3', 'p4 vs p5', 'p6 vs p7']; never more than 2 rooms at once: True",
      '',
    ]);
  });
});
