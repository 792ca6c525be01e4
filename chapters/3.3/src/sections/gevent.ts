/**
 * 3.3.4 gevent-style data structures — the original chapter left this heading empty.
 * Shows:  1. a matchmaking service: bounded lobby Queue with put timeouts, a Group of rooms
 *            with a concurrency limit, AsyncResult per player, a Lock around the ladder;
 *         2. cancellation: killing a Group aborts running tasks through their AbortSignal;
 *         3. JoinableQueue: join() waits for work to be *finished*, not merely taken.
 * Run:    npm run chapter:3.3 -- 3.3.4 [--players 24]
 * Expect: peak rooms never above 2; every seated player gets exactly one outcome;
 *         some players turned away when the lobby stays full too long.
 */
import { type Section, wholeNumberArg } from '@course/course-kit';
import { Group, JoinableQueue } from '../sync/index.ts';
import { runMatchmaking } from './matchmaking.ts';

export const gevent: Section = {
  id: '3.3.4',
  title: 'gevent-style data structures',
  summary:
    'Event, AsyncResult, Queue, JoinableQueue, Semaphore, Lock, Group in a matchmaking service',
  options: { players: { type: 'string' } },
  async run({ args, say, step }) {
    const players = wholeNumberArg(args, 'players', 24, { max: 10_000 });

    step(`1. matchmaking: ${players} players, lobby of 4, 2 rooms, 30 ms matches, 40 ms patience`);
    const r = await runMatchmaking({
      players,
      lobbySize: 4,
      rooms: 2,
      joinTimeoutMs: 40,
      matchMs: 30,
    });
    say(
      `seated ${r.seated}, turned away ${r.turnedAway} (lobby full for longer than they would wait)`,
    );
    say(
      `${r.matches} matches, at most ${r.peakRooms} rooms at once, ladder points ${r.ladderPoints} = 3 × ${r.matches}`,
    );
    for (const line of r.outcomes.slice(0, 4)) say(`  ${line}`);

    step('2. cancellation: kill() a group of slow tasks after 20 ms');
    const group = new Group(3);
    let started = 0; // a task's body runs only once the group gives it a slot
    const slow = Array.from({ length: 5 }, (_, i) =>
      group.spawn(
        (signal) =>
          new Promise<string>((resolve, reject) => {
            started++;
            const timer = setTimeout(() => resolve(`task ${i} finished`), 1_000);
            signal.addEventListener('abort', () => {
              clearTimeout(timer);
              reject(signal.reason);
            });
          }),
      ),
    );
    setTimeout(() => void group.kill(new Error('server shutting down')), 20);
    const settled = await Promise.allSettled(slow);
    say(
      `${settled.filter((s) => s.status === 'rejected').length} of 5 tasks ended with "server shutting down" (${started} were running, ${5 - started} never started)`,
    );

    step('3. JoinableQueue: join() returns when every item is marked done');
    const jobs = new JoinableQueue<string>();
    for (const job of ['save replay', 'update ladder', 'send mail']) await jobs.put(job);
    void (async () => {
      while (!jobs.empty()) {
        const job = jobs.getNowait();
        await new Promise((resolve) => setTimeout(resolve, 5));
        say(`  done: ${job}`);
        jobs.taskDone();
      }
    })();
    await jobs.join();
    say(`join() resolved with ${jobs.unfinishedTasks()} unfinished tasks`);
    return undefined;
  },
};
