/**
 * 3.4.5 When the broker fails — the link to Redis cut for a second, then Redis itself killed and
 * restarted, with pub/sub and with Streams.
 * Shows:  pub/sub delivers at most once: a line Redis relays while a server cannot hear it is
 *         gone. A stream keeps it, and the server reads on from the last id it saw: none lost.
 *         First only the network to Redis fails (a relay we cut); then Redis is killed (SIGKILL)
 *         and started again on its append-only file (appendfsync always).
 * Run:    npm run chapter:3.4 -- 3.4.5 [--outage 1000] [--rate 100] [--quick] [--json]
 * Expect: a row per bus and failure, "lost" well above 0 for pub/sub and 0 for streams, then
 *         "pub/sub lost … at most once" and "streams lost 0 of … at least once".
 */
import { type Section, wholeNumberArg } from '@course/course-kit';
import {
  RedisNotAvailableError,
  type RedisServer,
  startRedisServer,
} from '@course/course-kit/redis';
import {
  type BusKind,
  type Cut,
  measureOutage,
  type OutageResult,
} from '../outage/measure-outage.ts';
import { describeOutages, formatOutageTable } from '../outage/report.ts';
import { redisForSection } from '../redis/redis-for-section.ts';

const CUTS: readonly Cut[] = ['receiver', 'both'];
const BUS_ORDER: readonly BusKind[] = ['pub/sub', 'streams'];

export const brokerFailure: Section = {
  id: '3.4.5',
  title: 'When the broker fails',
  summary:
    'the link to Redis cut, then Redis killed, mid-chat: lines lost with pub/sub, none with Streams (--outage)',
  options: {
    outage: { type: 'string' },
    rate: { type: 'string' },
    quick: { type: 'boolean' },
  },
  async run({ args, say, step, signal }) {
    const quick = args.quick === true;
    const outageMs = wholeNumberArg(args, 'outage', quick ? 300 : 1000, { min: 100, max: 5000 });
    const rate = wholeNumberArg(args, 'rate', quick ? 50 : 100, { min: 10, max: 500 });
    const aroundMs = quick ? 250 : 500;

    step('1. a Redis for two chat servers to share');
    const redis = await redisForSection(say);
    if (!redis) return undefined;
    const results: OutageResult[] = [];
    const measure = async (bus: BusKind, cut: Cut, url: string, server?: RedisServer) => {
      const row = await measureOutage({
        bus,
        cut,
        redisUrl: url,
        ...(server ? { server } : {}),
        rate,
        leadMs: aroundMs,
        outageMs,
        tailMs: aroundMs,
        signal,
      });
      results.push(row);
      const lost = row.lost > 0 ? `lost ${row.lost} (lines ${row.lostRanges})` : 'lost none';
      say(`  ${row.name}: ${row.received} of ${row.sent} received, ${lost}`);
    };
    try {
      step(
        `2. a sender on server A, a receiver on server B, ${rate} numbered lines a second; the link to Redis cut for ${outageMs} ms`,
      );
      say('  (two servers in this process, each with its own bus and connections to Redis)');
      for (const cut of CUTS) for (const bus of BUS_ORDER) await measure(bus, cut, redis.url);
    } finally {
      await redis.stop();
    }

    step(
      `3. Redis itself killed (SIGKILL) for ${outageMs} ms and started again on its append-only file (appendfsync always)`,
    );
    const persistent = await persistentRedis(say);
    if (persistent) {
      try {
        say(`  our own redis-server (pid ${persistent.pid}) on ${persistent.url}, keeping an AOF`);
        for (const bus of BUS_ORDER) await measure(bus, 'redis', persistent.url, persistent);
      } finally {
        await persistent.stop();
      }
    }

    step('4. what each bus lost, and what each receiver was told');
    say(formatOutageTable(results));
    for (const line of describeOutages(results)) say(line);
    return { rate, outageMs, results };
  },
};

/**
 * A Redis of our own to kill, even with REDIS_URL set (we never stop that one), writing an
 * append-only file; undefined, said in one line, when there is no redis-server to start.
 */
async function persistentRedis(say: (text: string) => void): Promise<RedisServer | undefined> {
  try {
    return await startRedisServer({ persist: true });
  } catch (error) {
    if (!(error instanceof RedisNotAvailableError)) throw error;
    say(`  skipped: killing Redis needs a redis-server of our own: ${error.message}`);
    return undefined;
  }
}
