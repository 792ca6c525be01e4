/**
 * 3.2.5 WebSocket + workers — a light client's ping latency while another client floods the
 * server with route-planning jobs: logic on the main thread vs on a worker-thread pool.
 * Shows:  heavy logic on the event-loop thread delays every other client; offloaded, it does
 *         not. An accepted socket can move to a child process, not to a worker thread
 *         (which can still open sockets of its own).
 * Run:    npm run chapter:3.2 -- 3.2.5 [--duration 1000] [--size 500] [--workers 2] [--json]
 * Expect: p99 of tens–hundreds of ms with logic on the main thread; a few ms with workers.
 */
import { availableParallelism } from 'node:os';
import { formatTable, type Section, wholeNumberArg } from '@course/course-kit';
import { MAX_MAP_SIZE, type Placement, startGameServer } from '../game-server.ts';
import { type LatencyRow, measureLatency } from '../latency.ts';
import { MAX_WORKERS } from '../limits.ts';
import { withSpeedup } from '../measure.ts';
import { demonstrateSocketHandoff } from '../socket-handoff.ts';

const RUNS: ReadonlyArray<{ name: string; placement: Placement; heavy: number }> = [
  { name: 'idle server, logic on main thread', placement: 'main thread', heavy: 0 },
  { name: 'flooded, logic on main thread', placement: 'main thread', heavy: 4 },
  { name: 'flooded, logic on worker pool', placement: 'worker pool', heavy: 4 },
];

export const websocket: Section = {
  id: '3.2.5',
  title: 'WebSocket + workers',
  summary: 'ping latency under a flood of heavy jobs: logic on the main thread vs a worker pool',
  options: { duration: { type: 'string' }, size: { type: 'string' }, workers: { type: 'string' } },
  async run(ctx) {
    const durationMs = wholeNumberArg(ctx.args, 'duration', 1000, { min: 50, max: 600_000 });
    const mapSize = wholeNumberArg(ctx.args, 'size', 500, { min: 2, max: MAX_MAP_SIZE });
    const workers = wholeNumberArg(ctx.args, 'workers', availableParallelism(), {
      max: MAX_WORKERS,
    });
    ctx.step(
      `step 1: ping every 10 ms for ${durationMs} ms while 4 route plans (${mapSize}×${mapSize}) stay in flight`,
    );
    const rows: LatencyRow[] = [];
    for (const run of RUNS) {
      ctx.signal.throwIfAborted(); // Ctrl-C: end here, reported in one line by the chapter
      const server = await startGameServer({
        placement: run.placement,
        workers,
        signal: ctx.signal,
      });
      try {
        rows.push(
          await measureLatency({
            url: server.url,
            name: run.name,
            durationMs,
            heavyInFlight: run.heavy,
            mapSize,
            signal: ctx.signal,
          }),
        );
      } finally {
        await server.close();
      }
    }
    ctx.signal.throwIfAborted();
    ctx.say(
      formatTable(
        ['run', 'pings', 'p50 ms', 'p99 ms', 'max ms', 'route plans done'],
        rows.map((r) => [r.name, r.pings, r.p50_ms, r.p99_ms, r.max_ms, r.heavy_jobs]),
      ),
    );

    ctx.step(
      'step 2: where can a connection live? a child process, a worker thread, a worker’s own server',
    );
    const handoff = await demonstrateSocketHandoff(ctx.signal);
    ctx.say(
      `parent pid ${handoff.parentPid} accepted and sent the socket to a child; the client read "${handoff.reply}"`,
    );
    ctx.say(`worker.postMessage(socket): ${handoff.workerError}`);
    ctx.say(
      `a server the worker thread opened itself: the client read "${handoff.workerServerReply}"`,
    );
    ctx.say(
      'A worker thread can open and serve its own sockets, but in Node 20 it cannot be handed',
    );
    ctx.say('one another thread accepted; a child process can (subprocess.send(message, socket)).');
    ctx.say('So this server keeps every socket on the main thread, which does the I/O, and sends');
    ctx.say('only the CPU-heavy game logic to workers as messages.');
    // speedup: p99 against the flooded server with its logic on the main thread.
    const flooded = 'flooded, logic on main thread';
    if (!rows.some((r) => r.name === flooded)) return { results: rows };
    return { results: withSpeedup(rows, flooded, (r) => r.p99_ms, 'lower') };
  },
};
