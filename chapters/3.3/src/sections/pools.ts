/**
 * 3.3.1 Pools — ThreadPool and ProcessPool behind one API modelled on multiprocessing.Pool.
 * Shows:  1. the original chapter's MPTest fails on its second submit; the fixed version runs
 *            1000 tasks;
 *         2. apply, applyAsync with callbacks, map, imap, a failing task, a task time limit;
 *         3. switching kinds is one option: the same CPU job on threads and on processes.
 * Run:    npm run chapter:3.3 -- 3.3.1 [--kind thread|process] [--jobs 40] [--json]
 * Expect: "PoolClosedError" in step 1; both kinds faster than one thread in step 3 (on 2+ cores).
 */
import { endQuietlyOnAbort, type Section, wholeNumberArg } from '@course/course-kit';
import { createPool, type PoolKind } from '../pool/index.ts';
import { tasks } from '../tasks.ts';
import { mpTestAsWritten, mpTestFixed } from './mptest.ts';
import { FIB_N, kindsFrom, ROUNDS, timeOneKind } from './pool-timing.ts';
import { stopOnAbort } from './stop-on-abort.ts';

export const pools: Section = {
  id: '3.3.1',
  title: 'Thread and process pools',
  summary:
    'one Pool API (apply, applyAsync, map, imap, close, terminate, join) over threads and processes',
  options: { kind: { type: 'string' }, jobs: { type: 'string' } },
  run: ({ args, say, step, signal }) =>
    // Ctrl-C terminates the pools; the calls still to come reject (PoolTerminatedError,
    // PoolClosedError). That is the interruption, not a failure to report.
    endQuietlyOnAbort({ signal, say }, 'pools terminated, no worker left running', async () => {
      const kinds = kindsFrom(args.kind);
      const jobs = wholeNumberArg(args, 'jobs', 40, { max: 10_000 });
      const kind = kinds[0] as PoolKind;

      step(
        `1. the original chapter's MPTest on a ${kind} pool: close() and join() inside the loop`,
      );
      const broken = createPool(kind, { size: 2 });
      stopOnAbort(signal, broken);
      await mpTestAsWritten(broken, 1000).catch((error: Error) =>
        say(`round 2 failed: ${error.name}: ${error.message}`),
      );
      const fixed = createPool(kind, { size: 2 });
      stopOnAbort(signal, fixed);
      const lines = await mpTestFixed(fixed, 1000);
      say(
        `fixed (close and join after the loop): ${lines.length} results, ${lines.slice(0, 3).join(', ')}, …`,
      );

      step('2. the rest of the API');
      // #region api
      const pool = createPool(kind, { size: 2 });
      stopOnAbort(signal, pool);
      say(`apply(fib, [20]) = ${await pool.apply(tasks.fib, [20])}`);
      const handle = pool.applyAsync(tasks.square, [12], {
        callback: (v) => say(`callback got ${v}`),
      });
      say(`applyAsync → ready() ${handle.ready()} at once, get() = ${await handle.get()}`);
      say(
        `map(square, [1..8]) = ${(await pool.map(tasks.square, [1, 2, 3, 4, 5, 6, 7, 8])).join(' ')}`,
      );
      const streamed: number[] = [];
      for await (const v of pool.imap(tasks.fib, [10, 11, 12])) streamed.push(v);
      say(`imap(fib, [10, 11, 12]) yields ${streamed.join(', ')} in order`);
      const failure = await pool.apply(tasks.validateMove, ['x9']).catch((e: Error) => e);
      say(`a failing task rejects only itself: ${(failure as Error).message}`);
      // A runaway task (spin for hours) with a time limit: the pool ends its worker at 200 ms.
      const runaway = await pool
        .apply(tasks.spin, [1e12], { signal: AbortSignal.timeout(200) })
        .catch((e: Error) => e);
      say(`a runaway task with AbortSignal.timeout(200) rejected with ${(runaway as Error).name}`);
      say('(its worker was ended, since a running function cannot be stopped, and replaced)');
      say(`and the pool still answers: square(3) = ${await pool.apply(tasks.square, [3])}`);
      pool.close();
      await pool.join();
      // #endregion api

      step(
        `3. ${jobs} × fib(${FIB_N}): one thread, then a 2-worker pool, per kind (best of ${ROUNDS} rounds)`,
      );
      const results: Awaited<ReturnType<typeof timeOneKind>>[] = [];
      for (const k of kinds) {
        if (signal.aborted) {
          say('interrupted: pools terminated, no worker left running');
          break;
        }
        results.push(await timeOneKind(k, jobs, signal));
      }
      for (const r of results) {
        const times = `one thread ${r.serialMs.toFixed(0)} ms, pool ${r.ms.toFixed(0)} ms`;
        say(`${r.name.padEnd(12)} ${times}: ×${r.speedup.toFixed(2)}`);
      }
      return { results };
    }),
};
