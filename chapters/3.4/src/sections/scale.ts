/**
 * 3.4.6 Measured scale — the same room load against chapter 3.1's one-process server and
 * against 3.4.3's workers (1, then 2) that relay every line through Redis.
 * Shows:  what a second worker buys in deliveries/s and p99 latency, what the Redis hop costs
 *         (1 worker against one process), and who else wanted the same cores.
 * Run:    npm run chapter:3.4 -- 3.4.6 [--members 40] [--senders 4] [--duration 1500]
 *         [--rounds 1] [--in-flight 32] [--quick] [--json]
 * Expect: a row per server, every delivery "ok", then "2 workers / 1 worker: …x the
 *         deliveries/s" and a line on how many busy processes shared how many cores.
 * Needs Redis: its own redis-server on a free loopback port, or REDIS_URL; without either it
 * says how to get one and stops.
 */
import { availableParallelism, loadavg } from 'node:os';
import { type MeasuredResult, type Section, wholeNumberArg } from '@course/course-kit';
import { DEFAULT_IN_FLIGHT, MAX_IN_FLIGHT, MAX_SENDERS } from '../load/chat-load.ts';
import { limitsForLoad } from '../load/limits.ts';
import { processCpuMicros } from '../load/process-cpu.ts';
import { type ChatTarget, measureScale } from '../load/scale.ts';
import { describeMachine, describeRatio, formatScaleTable } from '../load/scale-report.ts';
import { SCALE_PAIRS, startScaleTargets } from '../load/targets.ts';
import { redisForSection } from '../redis/redis-for-section.ts';

/** 3.1's server lets one address hold 50 connections, and every load member is 127.0.0.1. */
const MAX_ROOM = 48;

export const scale: Section = {
  id: '3.4.6',
  title: 'Measured scale',
  summary: 'one process vs 1 and 2 Redis-relayed workers under the same room load (--rounds)',
  options: {
    members: { type: 'string' },
    senders: { type: 'string' },
    duration: { type: 'string' },
    rounds: { type: 'string' },
    'in-flight': { type: 'string' },
    quick: { type: 'boolean' },
  },
  async run({ args, say, step, signal }): Promise<MeasuredResult | undefined> {
    const members = wholeNumberArg(args, 'members', 40, { min: 2, max: MAX_ROOM });
    const senders = wholeNumberArg(args, 'senders', 4, { max: Math.min(MAX_SENDERS, members) });
    const windowMs = wholeNumberArg(args, 'duration', args.quick ? 500 : 1500, {
      min: 100,
      max: 10_000,
    });
    const rounds = wholeNumberArg(args, 'rounds', 1, { max: 5 });
    const inFlight = wholeNumberArg(args, 'in-flight', DEFAULT_IN_FLIGHT, { max: MAX_IN_FLIGHT });

    step('1. a Redis for the workers to relay through');
    const redis = await redisForSection((text) => say(`  ${text}`));
    if (!redis) return undefined;
    const targets: ChatTarget[] = [];
    try {
      step("2. the servers: 3.1's in one process, 3.4.3's with 1 and with 2 workers");
      // Limits per address and per member raised: we measure the servers, not their rules.
      await startScaleTargets(redis.url, limitsForLoad(members, (rounds + 1) * members), targets);
      say('  limits per address and per member raised for the load');

      step(
        `3. ${members} members, ${senders} senders with ${inFlight} lines in flight, ${windowMs} ms measured, ${rounds} round(s)`,
      );
      const redisPid = redis.server?.pid;
      const run = await measureScale(
        targets,
        { members, senders, windowMs, warmupMs: Math.min(300, windowMs), inFlight, signal },
        {
          rounds,
          pairs: SCALE_PAIRS,
          ...(redisPid === undefined ? {} : { brokerCpuMicros: () => processCpuMicros(redisPid) }),
          onResult: (target, round, result) =>
            say(
              `  round ${round + 1}, ${target.name}: ${Math.round(result.deliveriesPerSecond).toLocaleString('en')} deliveries/s`,
            ),
        },
      );

      step('4. what a second worker buys');
      say(formatScaleTable(run.rows));
      for (const ratio of run.ratios) say(describeRatio(ratio));
      const loadAverage = loadavg()[0] ?? 0;
      say(describeMachine(run.rows, availableParallelism(), loadAverage));
      return {
        members,
        senders,
        inFlight,
        windowMs,
        rounds,
        loadAverage,
        ratios: run.ratios,
        results: run.rows,
      };
    } finally {
      await Promise.allSettled(targets.map((target) => target.stop()));
      await redis.stop();
    }
  },
};
