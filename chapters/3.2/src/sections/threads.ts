/**
 * 3.2.1 Threads — two worker threads ticking at different periods; join vs daemon.
 * Shows:  "join" = await the worker's exit; "daemon" = worker.unref(): the process may exit
 *         without waiting. Not unref'd is not "hangs forever": the process waits for it.
 * Run:    npm run chapter:3.2 -- 3.2.1
 * Expect: A ticks 3× as often as B; the join child prints 5 ticks, the unref child exits early.
 */
import { once } from 'node:events';
import type { Section } from '@course/course-kit';
import { startTsWorker } from '@course/course-kit';
import { firstMessageOrExit, terminateWhenLoaded } from '@course/course-kit/workers';
import { runDaemonChild } from '../daemon.ts';
import type { TickerData } from '../ticker.worker.ts';

const TICKER = new URL('../ticker.worker.ts', import.meta.url);

export const threads: Section = {
  id: '3.2.1',
  title: 'Threads',
  summary: 'two ticking worker threads; join (await exit) vs daemon (unref)',
  async run(ctx) {
    ctx.step(
      'step 1: start two workers (a Node worker starts when it is created: no start() to forget)',
    );
    const specs: TickerData[] = [
      { label: 'A', periodMs: 100, ticks: 9 },
      { label: 'B', periodMs: 300, ticks: 3 },
    ];
    const workers = specs.map((spec) => startTsWorker(TICKER, spec));
    // A ticker has loaded once it ticks (or has exited), and only then is it terminated:
    // ending a thread that still loads its module can crash the process.
    const loaded = new Map(workers.map((w) => [w, firstMessageOrExit(w)]));
    const stop = () => loaded.forEach((ticked, w) => void terminateWhenLoaded(w, ticked));
    ctx.signal.addEventListener('abort', stop, { once: true });
    for (const w of workers)
      w.on('message', ({ label, tick }: { label: string; tick: number }) =>
        ctx.say(`${label === 'A' ? 'A' : '        B'} tick ${tick}`),
      );
    ctx.step('step 2: join — wait for both to exit');
    // 'error' rejects once(): a worker that throws is reported, never waited on forever.
    try {
      await Promise.all(workers.map((w) => once(w, 'exit')));
    } finally {
      ctx.signal.removeEventListener('abort', stop);
      stop(); // ends the other worker if one failed; a no-op for workers that have exited
    }
    ctx.signal.throwIfAborted(); // Ctrl-C: end here, reported in one line by the chapter
    ctx.say('both workers finished; the main thread continued only after both exits');

    ctx.step('step 3: daemon or not — a child process whose main module ends while a worker ticks');
    for (const mode of ['join', 'unref'] as const) {
      ctx.signal.throwIfAborted(); // Ctrl-C: end here, reported in one line by the chapter
      const run = await runDaemonChild(mode, ctx.signal);
      ctx.say(
        `${mode === 'join' ? 'worker left ref’d (join)' : 'worker.unref() (daemon)'}: ` +
          `process lived ${Math.round(run.lifetimeMs)} ms, printed ${run.ticks} of 5 ticks`,
      );
    }
    ctx.say('The daemon flag belongs to the CHILD thread, and it only decides whether the');
    ctx.say(
      'process waits for that thread at exit. Without it the process waits — it does not hang.',
    );
    return undefined;
  },
};
