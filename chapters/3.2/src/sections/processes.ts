/**
 * 3.2.4 Processes — child_process.fork with the IPC channel as a queue.
 * Shows:  processes share no memory (nor do worker threads' heaps; only a SharedArrayBuffer
 *         is shared), and what a round trip costs over IPC vs postMessage.
 * Run:    npm run chapter:3.2 -- 3.2.4 [--trips 2000] [--json]
 * Expect: the parent's counter stays 0; the shared cell reads 1; an IPC round trip usually
 *         costs more than a postMessage one, by a ratio that swings on a busy machine.
 */
import { formatTable, type Section, wholeNumberArg } from '@course/course-kit';
import { withSpeedup } from '../measure.ts';
import { measureRoundTrips, runMemoryDemo, runQueueDemo } from '../processes-demo.ts';

export const processes: Section = {
  id: '3.2.4',
  title: 'Processes',
  summary: 'fork + IPC as a queue; no shared memory; IPC vs postMessage round trips',
  options: { trips: { type: 'string' } },
  async run(ctx) {
    ctx.step('step 1: the child puts an item, the parent gets it, then joins');
    const { item, exitCode } = await runQueueDemo(ctx.signal);
    ctx.say(`parent got ${JSON.stringify(item)}; the child exited with code ${exitCode}`);

    ctx.step('step 2: who sees whose memory?');
    const memory = await runMemoryDemo(ctx.signal);
    ctx.say(`child process bumped its counter to ${memory.childSees}`);
    ctx.say(`worker thread bumped its counter to ${memory.workerSees}, and the shared cell`);
    ctx.say(
      `parent's counter: ${memory.parentCounter}   shared cell seen by the parent: ${memory.sharedCell}`,
    );

    const trips = wholeNumberArg(ctx.args, 'trips', 2000, { max: 1_000_000_000 });
    ctx.step(`step 3: ${trips} request/reply round trips, one at a time`);
    const measured = await measureRoundTrips(trips, ctx.signal);
    // speedup: how many times faster than a child-process round trip.
    const rows = withSpeedup(
      measured,
      'child process (IPC pipe)',
      (r) => r.us_per_round_trip,
      'lower',
    );
    ctx.say(
      formatTable(
        ['channel', 'round trips', 'ms', 'µs each'],
        rows.map((r) => [r.name, r.round_trips, r.wall_ms, r.us_per_round_trip]),
      ),
    );
    const [child, thread] = rows;
    if (thread && child)
      ctx.say(
        `a process round trip costs ${(child.us_per_round_trip / thread.us_per_round_trip).toFixed(1)}× a thread's`,
      );
    return { results: rows, memory };
  },
};
