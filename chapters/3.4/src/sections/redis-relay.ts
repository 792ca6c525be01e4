/**
 * 3.4.3 A room bus on Redis pub/sub — chapter 3.1's chat on several workers, one room across all.
 * Shows:  each worker publishes its rooms' events to Redis and delivers what comes back, so two
 *         tabs on two workers chat as if on one server; with --shared, nicknames too (3.4.4).
 * Run:    npm run chapter:3.4 -- 3.4.3 [--workers 2] [--host 127.0.0.1] [--port 1234] [--shared]
 * Expect: "listening on ws://127.0.0.1:1234/"; open it in two tabs: each says which worker it is on.
 */
import { explainListenError, parseListenArgs } from '@course/chapter-3.1/listen-args';
import { type Section, wholeNumberArg } from '@course/course-kit';
import { type ChatCluster, MAX_WORKERS, startChatCluster } from '../cluster/chat-cluster.ts';
import { redisForSection } from '../redis/redis-for-section.ts';

function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) =>
    signal.addEventListener('abort', () => resolve(), { once: true }),
  );
}

export const redisRelay: Section = {
  id: '3.4.3',
  title: 'A room bus on Redis pub/sub',
  summary: `3.1's chat on N workers, each room joined through Redis, until Ctrl-C (--workers 1-${MAX_WORKERS}, --host, --port, --shared)`,
  options: {
    workers: { type: 'string' },
    host: { type: 'string' },
    port: { type: 'string' },
    shared: { type: 'boolean' },
  },
  untilInterrupted: true,
  async run({ args, say, step, signal }) {
    const workers = wholeNumberArg(args, 'workers', 2, { max: MAX_WORKERS });
    const address = parseListenArgs(args);
    const shared = args.shared === true;

    step('1. a Redis for the workers to meet in');
    const redis = await redisForSection(say);
    if (!redis) return undefined;
    try {
      step(
        `2. ${workers} workers on one port; rooms on Redis pub/sub, nicknames ${shared ? 'in Redis too' : 'per worker'}`,
      );
      let chat: ChatCluster;
      try {
        chat = await startChatCluster({
          workers,
          ...address,
          relay: 'redis',
          roster: shared ? 'redis' : 'local',
          redisUrl: redis.url,
          log: (line) => say(`  ${line}`),
        });
      } catch (error) {
        throw explainListenError(error, address);
      }
      // Tools and tests wait for exactly this line.
      say(`listening on ${chat.url}`);
      say(`  workers: ${chat.workers.map((w) => `${w.id} (pid ${w.pid})`).join(', ')}`);
      say(`  open ${chat.url.replace(/^ws:/, 'http:')} in two tabs: each welcome names its worker`);
      say('  press Ctrl-C to stop (clients get 1001, then the workers and our Redis stop)');

      await untilAborted(signal);
      say('  shutting down: each worker closes its clients with 1001');
      await chat.stop();
    } finally {
      await redis.stop();
    }
    say('  stopped');
    return undefined;
  },
};
