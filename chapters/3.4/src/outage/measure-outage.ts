/**
 * One chat through one broker outage, measured: two chat servers (chapter 3.1's, in this
 * process, each with its own bus and its own connections to Redis), a sender on one and a
 * receiver on the other, numbered lines at a steady rate, and mid-run the link to Redis cut
 * for a while (link.ts) — the receiver's server's link only, or both servers' links — or Redis
 * itself killed (SIGKILL) and started again on the same port with the same folder, so a server
 * started with `persist` replays its append-only file and comes back with every write it had
 * answered (course-kit's redis launcher).
 *
 *   const row = await measureOutage({ bus: 'streams', cut: 'both', redisUrl, rate: 100,
 *                                     leadMs: 500, outageMs: 1000, tailMs: 500 });
 *   row.lost;   // lines the receiver never got
 *
 * Two servers in one process, not two processes: node:cluster workers (3.4.2) share one
 * REDIS_URL, and cutting one worker's link alone needs a link per server. Each server still has
 * its own hub, bus and Redis connections, so what crosses between them crosses Redis.
 *
 * The end is a fence, not a timer: after the last numbered line the sender says "fence 1",
 * "fence 2"… until one reaches the receiver. A room's lines reach a server in one order (one
 * subscription, or one stream), so once a fence is in, every earlier line that was ever going
 * to arrive has arrived; what is missing then is lost.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { ChatHub } from '@course/chapter-3.1/chat/hub';
import type { RoomBus } from '@course/chapter-3.1/chat/room-bus';
import { startCourseServer } from '@course/chapter-3.1/course-server';
import type { RedisServer } from '@course/course-kit/redis';
import { createClient } from 'redis';
import { ChatClient } from '../chat/chat-client.ts';
import { RedisRoomBus } from '../chat/redis-room-bus.ts';
import { streamKey } from '../streams/room-cursor.ts';
import { StreamRoomBus } from '../streams/stream-room-bus.ts';
import { type Link, openLink } from './link.ts';
import { type Tally, tallyLines } from './tally.ts';

/** The buses compared, each connected the way a chat server would connect it. */
export const BUSES = {
  'pub/sub': (url: string) => RedisRoomBus.connect(url),
  streams: (url: string) => StreamRoomBus.connect(url),
} as const satisfies Record<string, (url: string) => Promise<RoomBus>>;
export type BusKind = keyof typeof BUSES;

/**
 * What fails: the receiving server's link to Redis alone, both servers' links, or Redis itself
 * (killed and restarted with its append-only file; both servers lose it, and no link is cut).
 */
export type Cut = 'receiver' | 'both' | 'redis';
export const CUT_LABELS: Record<Cut, string> = {
  receiver: "receiver's server",
  both: 'both servers',
  redis: 'Redis killed and restarted (AOF, fsync always)',
};

export interface OutageOptions {
  bus: BusKind;
  cut: Cut;
  /** The Redis both servers use (redis://HOST:PORT); the links lead there. */
  redisUrl: string;
  /**
   * For cut 'redis': the server at redisUrl, started with `persist`, which is killed and
   * restarted with its data.
   */
  server?: RedisServer;
  /** Numbered lines per second from the sender. */
  rate: number;
  /** ms of sending before the cut, during it, and after the link is back. */
  leadMs: number;
  outageMs: number;
  tailMs: number;
  signal?: AbortSignal;
}

export type OutageResult = Tally & {
  name: string;
  bus: BusKind;
  cut: Cut;
  /** How long the link (or Redis) was actually down: cut to restore, or kill to answering PING. */
  outageMs: number;
  /** Numbered lines the sender said while the link (or Redis) was down. */
  saidDuringCut: number;
  /** `notice` events the receiver got, and their distinct texts. */
  notices: number;
  noticeTexts: string[];
  /** Entries the Streams bus dropped at the receiver as already delivered (0 for pub/sub). */
  droppedAsDuplicate: number;
};

/** A server joined by a first member within this. */
const JOIN_MS = 10_000;
/** The relay must be back and a fence through within this after the last numbered line. */
const FENCE_MS = 15_000;
/** How long one fence line is given before the next is sent. */
const FENCE_EVERY_MS = 500;

/** One outage: how it starts, and how it ends (resolved once Redis can be reached again). */
interface Failure {
  begin(): Promise<void>;
  end(): Promise<void>;
}

export async function measureOutage(options: OutageOptions): Promise<OutageResult> {
  const { bus: kind, cut, redisUrl, server: redisServer, signal } = options;
  if (cut === 'redis' && redisServer?.url !== redisUrl)
    throw new TypeError(
      'cut "redis" needs the server at redisUrl (started with persist: true) to kill and restart',
    );
  const target = new URL(redisUrl);
  const address = { host: target.hostname, port: Number(target.port || 6379) };
  // A room of its own: with REDIS_URL the streams live in someone else's Redis, and are deleted.
  const room = `outage-${randomBytes(4).toString('hex')}`;
  const closers: (() => Promise<unknown>)[] = [];
  try {
    const sides: { link: Link | undefined; bus: RoomBus; url: string }[] = [];
    for (const name of ['A', 'B']) {
      // When Redis itself fails, the servers connect to it directly: no link is cut.
      const link = cut === 'redis' ? undefined : await openLink(address);
      if (link) closers.push(() => link.close());
      const bus = await BUSES[kind](link?.url ?? redisUrl);
      closers.push(() => bus.close());
      const server = await startCourseServer({
        // Raised: the sender sends `rate` lines a second, above what a person types.
        chatLimits: { lineBurst: Math.max(20, options.rate), linesPerSecond: 2 * options.rate },
        createHub: (policy, log) =>
          new ChatHub(policy, log, undefined, { bus, server: `server ${name}` }),
      });
      closers.push(() => server.close());
      sides.push({ link, bus, url: server.url });
    }
    const [a, b] = sides as [(typeof sides)[0], (typeof sides)[0]];
    const sender = await ChatClient.join(a.url, 'sender', room);
    closers.push(() => sender.close());
    const receiver = await ChatClient.join(b.url, 'receiver', room);
    closers.push(() => receiver.close());
    sender.say('ready'); // both relays work before the clock starts
    await receiver.waitForLine('sender', 'ready', JOIN_MS);

    const failure: Failure =
      cut === 'redis' && redisServer
        ? {
            begin: () => redisServer.crash(),
            end: () => redisServer.restart({ keepData: true }),
          }
        : cutLinks(cut === 'both' ? [a.link, b.link] : [b.link]);
    const { sent, saidDuringCut, outageMs } = await sendThroughOutage(sender, failure, options);
    await fence(sender, receiver, signal);
    if (sender.closedWith)
      throw new Error(
        `the sender was closed (${sender.closedWith.code} ${sender.closedWith.reason})`,
      );

    const numbers = receiver.events.flatMap((e) =>
      e.type === 'message' && e.nick === 'sender' && /^line \d+$/.test(e.text)
        ? [Number(e.text.slice(5))]
        : [],
    );
    const notices = receiver.events.flatMap((e) => (e.type === 'notice' ? [e.text] : []));
    return {
      name: `${kind}, ${cut === 'redis' ? CUT_LABELS.redis : `${CUT_LABELS[cut]} cut off`}`,
      bus: kind,
      cut,
      ...tallyLines(sent, numbers),
      outageMs: Math.round(outageMs),
      saidDuringCut,
      notices: notices.length,
      noticeTexts: [...new Set(notices)],
      droppedAsDuplicate: b.bus instanceof StreamRoomBus ? b.bus.stats.duplicates : 0,
    };
  } finally {
    // Reverse order: clients, then each server before its bus, and each bus before its link.
    for (const close of closers.reverse()) await close().catch(() => {});
    await deleteStream(redisUrl, room);
  }
}

function cutLinks(links: readonly (Link | undefined)[]): Failure {
  return {
    begin: async () => {
      for (const link of links) link?.cut();
    },
    end: async () => {
      for (const link of links) link?.restore();
    },
  };
}

/**
 * Sends numbered lines at `rate`; begins the failure after leadMs and ends it outageMs later,
 * sending on while it ends (a restarting Redis takes a while), then tailMs more.
 */
async function sendThroughOutage(
  sender: ChatClient,
  failure: Failure,
  { rate, leadMs, outageMs, tailMs, signal }: OutageOptions,
): Promise<{ sent: number; saidDuringCut: number; outageMs: number }> {
  const started = performance.now();
  let sent = 0;
  let sentBeforeCut = 0;
  let sentBeforeRestore = 0;
  let cutAt: number | undefined;
  let ending: Promise<void> | undefined;
  let restoredAt: number | undefined;
  let failed: { error: unknown } | undefined;
  for (;;) {
    if (failed) throw failed.error;
    const elapsed = performance.now() - started;
    if (cutAt === undefined && elapsed >= leadMs) {
      await failure.begin();
      cutAt = performance.now();
      sentBeforeCut = sent;
    }
    if (cutAt !== undefined && ending === undefined && performance.now() - cutAt >= outageMs) {
      ending = failure.end().then(
        () => {
          restoredAt = performance.now();
          sentBeforeRestore = sent;
        },
        (error: unknown) => {
          failed = { error };
        },
      );
    }
    // Due by now at a steady rate: a late turn of the event loop catches up, it does not skip.
    const due = Math.floor((elapsed * rate) / 1000);
    while (sent < due) sender.say(`line ${++sent}`);
    if (cutAt !== undefined && restoredAt !== undefined && performance.now() - restoredAt >= tailMs)
      return {
        sent,
        saidDuringCut: sentBeforeRestore - sentBeforeCut,
        outageMs: restoredAt - cutAt,
      };
    // Interrupted: let a restart in flight finish, so the caller's stop() finds the new process.
    await delay(4, undefined, { signal }).catch(async (error: unknown) => {
      await ending;
      throw error;
    });
  }
}

/** Sends fence lines until one reaches the receiver (see the header). */
async function fence(sender: ChatClient, receiver: ChatClient, signal?: AbortSignal) {
  const deadline = performance.now() + FENCE_MS;
  for (let k = 1; ; k++) {
    signal?.throwIfAborted();
    sender.say(`fence ${k}`);
    try {
      await receiver.waitFor(
        (e) => e.type === 'message' && e.nick === 'sender' && e.text.startsWith('fence '),
        FENCE_EVERY_MS,
        'a fence line',
      );
      return;
    } catch (error) {
      if (receiver.closedWith || performance.now() > deadline)
        throw new Error(
          `no fence line reached the receiver within ${FENCE_MS} ms of the last line: is the relay back? (${(error as Error).message})`,
        );
    }
  }
}

/** Removes the run's stream, if any: a shared Redis keeps no trace of the measurement. */
async function deleteStream(redisUrl: string, room: string): Promise<void> {
  const client = createClient({ url: redisUrl, socket: { reconnectStrategy: false } });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.del(streamKey(room));
  } catch {
    // Redis is gone (the section stops it next): nothing left to clean
  } finally {
    client.destroy();
  }
}
