/**
 * The count must leave the main thread free: pings are timed while a heavy count runs, with
 * the worker and without it, in the same run, and judged by the ratio of the two — never by an
 * absolute time, which depends on the machine. Every wait is bounded; every server, socket and
 * worker started is stopped.
 */
import { connect, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type CountServer,
  countPrimes,
  type PrimesWorker,
  startPrimesWorker,
  startServer,
} from './07-offload-worker.ts';

/** About half a second of counting on an idle machine: π(3,000,000) = 216,816. */
const HEAVY_BELOW = 3_000_000;
const HEAVY_COUNT = 216_816;
const PING_EVERY_MS = 5;
/**
 * The worst ping with the worker must wait less than a third as long as the worst ping with
 * the count on the main thread. Inline, the event loop is blocked for the whole count, so one
 * ping waits all of it (about half a second on an idle machine, see HEAVY_BELOW, and longer on
 * a slower or busier one, since the count slows down with it). With the worker, the main thread only passes messages on: its
 * worst ping is scheduling noise — a few ms on an idle machine, a few tens of ms on a loaded
 * 2-core one — five to ten times below the limit. A count still on the main thread (or only
 * moved behind a promise or a timer, which does not leave the thread) scores about 1.
 */
const MAX_RATIO = 1 / 3;

/** Resolves like `promise`, or rejects naming what did not happen within `ms`. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([promise, limit]);
  } finally {
    clearTimeout(timer);
  }
}

/** "resolved: <value>" or "rejected: <message>", once `promise` settles (bounded). */
function outcome(promise: Promise<unknown>, ms: number, what: string): Promise<string> {
  return within(
    promise.then(
      (value) => `resolved: ${String(value)}`,
      (error: unknown) => `rejected: ${(error as Error)?.message ?? String(error)}`,
    ),
    ms,
    what,
  );
}

/** A client of the line protocol: each request gets the next line the server sends. */
class LineClient {
  private readonly replies: string[] = [];
  private readonly waiting: Array<(line: string) => void> = [];

  private constructor(readonly socket: Socket) {
    createInterface({ input: socket }).on('line', (line) => {
      const waiter = this.waiting.shift();
      if (waiter) waiter(line);
      else this.replies.push(line);
    });
    socket.on('error', () => {}); // a failure shows up as a missing reply, named by `within`
  }

  static async connect(port: number): Promise<LineClient> {
    const socket = connect(port, '127.0.0.1');
    await within(
      new Promise((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('error', reject);
      }),
      10_000,
      `a connection to 127.0.0.1:${port}`,
    );
    return new LineClient(socket);
  }

  request(line: string): Promise<string> {
    this.socket.write(`${line}\n`);
    const ready = this.replies.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    return new Promise((resolve) => this.waiting.push(resolve));
  }
}

const servers: CountServer[] = [];
const workers: PrimesWorker[] = [];
const clients: LineClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.socket.destroy();
  const stopping = [
    ...servers.splice(0).map((server) => server.close()),
    ...workers.splice(0).map((worker) => worker.stop()),
  ];
  await within(Promise.allSettled(stopping), 10_000, 'the servers and workers to stop');
});

/**
 * Starts a server, sends it one heavy count, and pings it every few ms until the count is
 * answered. A ping's delay runs from when it was due to when its pong arrived: the client
 * shares this thread's event loop with the server, so a blocked loop holds up the sending of
 * a ping too, and counting from the moment it was due catches both.
 */
async function worstPingDuringCount(offload: boolean): Promise<number> {
  const server = await startServer({ host: '127.0.0.1', port: 0, offload });
  servers.push(server);
  const pinger = await LineClient.connect(server.port);
  const heavy = await LineClient.connect(server.port);
  clients.push(pinger, heavy);
  expect(await within(pinger.request('ping'), 10_000, 'a first pong'), 'answer to ping').toBe(
    'pong',
  );
  let counting = true;
  const answer = heavy.request(`primes ${HEAVY_BELOW}`).finally(() => {
    counting = false;
  });
  const delays: number[] = [];
  let due = performance.now();
  while (counting) {
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const pong = await within(pinger.request('ping'), 30_000, 'a pong during the count');
    expect(pong, 'answer to ping').toBe('pong');
    delays.push(performance.now() - due);
    due = Math.max(due + PING_EVERY_MS, performance.now());
  }
  expect(await answer, `answer to "primes ${HEAVY_BELOW}"`).toBe(
    `primes ${HEAVY_BELOW} ${HEAVY_COUNT}`,
  );
  return Math.max(...delays);
}

describe('3.2/07 offload the count to a worker thread', () => {
  it("answers each count with countPrimes' result, several counts in flight at once", async () => {
    const primes = startPrimesWorker();
    workers.push(primes);
    const belows = [10, 100_000, 2, 1_000, 65_536];
    const counts = await within(
      Promise.all(belows.map((below) => primes.count(below))),
      30_000,
      `the worker's answers to ${belows.length} counts`,
    );
    expect(counts, `counts below ${belows.join(', ')}`).toEqual(belows.map(countPrimes));
  }, 60_000);

  it('keeps pings quick while a heavy count runs: the worst ping waits < 1/3 as long as without the worker', async () => {
    const offloaded = await worstPingDuringCount(true);
    const inline = await worstPingDuringCount(false);
    const ratio = offloaded / inline;
    if (!(ratio < MAX_RATIO)) {
      expect.fail(
        `with your worker, the worst ping waited ${offloaded.toFixed(0)} ms during the count; ` +
          `with the count on the main thread, ${inline.toFixed(0)} ms (ratio ${ratio.toFixed(2)}, ` +
          `must be below ${MAX_RATIO.toFixed(2)}): is countPrimes still running on the main thread?`,
      );
    }
  }, 90_000);

  it('stop() ends the worker: the count waiting on it rejects, and so does a later one, at once', async () => {
    const primes = startPrimesWorker();
    workers.push(primes);
    expect(await within(primes.count(10), 30_000, 'a first answer from the worker')).toBe(4);
    const waiting = outcome(
      primes.count(10_000_000), // seconds of work: still running when stop() comes
      10_000,
      'the count waiting on the worker to settle after stop()',
    );
    await within(primes.stop(), 10_000, 'stop() to end the worker thread');
    expect(await waiting, 'the count that was waiting on the worker').toMatch(/^rejected: /);
    expect(
      await outcome(primes.count(10), 5_000, 'a count asked for after stop() to settle'),
      'a count asked for after stop()',
    ).toMatch(/^rejected: /);
  }, 60_000);
});
