/**
 * 3.4.4 Shared state — nicknames and member lists in Redis, and a worker that dies.
 * Shows:  `SET … NX PX` makes a nickname unique across workers and each welcome lists the whole
 *         room; a killed worker's members are announced as left, and their names freed, once
 *         their claims expire (a heartbeat renews them every ttl/3 while the worker lives).
 * Run:    npm run chapter:3.4 -- 3.4.4 [--ttl 3000]
 * Expect: "the second alice, on worker 2 …, is alice#2"; later "alice left: connection lost".
 */
import { type Section, wholeNumberArg } from '@course/course-kit';
import { ChatClient } from '../chat/chat-client.ts';
import { EXPIRED_REASON } from '../chat/chat-parts.ts';
import { type ChatCluster, startChatCluster } from '../cluster/chat-cluster.ts';
import { joinOnTwoWorkers } from '../cluster/placement.ts';
import { redisForSection } from '../redis/redis-for-section.ts';

export const sharedState: Section = {
  id: '3.4.4',
  title: 'Shared state',
  summary:
    'nicknames unique across workers (SET NX PX), whole-room member lists, a killed worker expiring (--ttl ms)',
  options: { ttl: { type: 'string' } },
  async run({ args, say, step, signal }) {
    const ttl = wholeNumberArg(args, 'ttl', 3000, { min: 300, max: 600_000 });

    step('1. a Redis for the workers to share');
    const redis = await redisForSection(say);
    if (!redis) return undefined;
    let chat: ChatCluster | undefined;
    const stopOnAbort = () => void chat?.stop();
    signal.addEventListener('abort', stopOnAbort, { once: true });
    const clients: ChatClient[] = [];
    try {
      step(`2. two workers; rooms and nicknames in Redis, claims kept for ${ttl} ms`);
      chat = await startChatCluster({
        workers: 2,
        relay: 'redis',
        roster: 'redis',
        redisUrl: redis.url,
        nicknameTtlMs: ttl,
      });
      say(`workers ${chat.workers.map((w) => `${w.id} (pid ${w.pid})`).join(', ')} on ${chat.url}`);

      step('3. "alice" joins twice, once on each worker');
      const [first, second] = await joinOnTwoWorkers(chat.url, 'lobby', 'alice', 'alice', signal);
      clients.push(first, second);
      say(`the first alice is on ${first.server}`);
      say(
        `the second alice, on ${second.server}, is ${second.nick}; its welcome lists ${second.welcome.members.join(', ')}`,
      );

      step(`4. kill ${first.server} with SIGKILL: nobody says goodbye for its members`);
      const dead = chat.workers.find((w) => first.server.includes(`pid ${w.pid})`));
      if (!dead) throw new Error(`no worker matches "${first.server}"`);
      const killedAt = performance.now();
      process.kill(dead.pid, 'SIGKILL');
      const leave = await second.waitFor(
        (e) => e.type === 'leave' && e.nick === 'alice' && e,
        2 * ttl + 10_000,
        "alice's leave notice",
      );
      const after = ((performance.now() - killedAt) / 1000).toFixed(1);
      say(
        `${second.nick} saw "alice left: ${leave.reason}" ${after} s after the kill (TTL ${ttl / 1000} s, sweep every ${(ttl / 3000).toFixed(1)} s)`,
      );
      if (leave.reason !== EXPIRED_REASON) say(`(expected the reason "${EXPIRED_REASON}")`);

      step('5. the name is free again');
      const again = await ChatClient.join(chat.url, 'alice', 'lobby', signal);
      clients.push(again);
      say(`a new "alice" joins ${again.server} and is called ${again.nick}`);
    } finally {
      signal.removeEventListener('abort', stopOnAbort);
      await Promise.all(clients.map((client) => client.close()));
      await chat?.stop();
      await redis.stop();
    }
    return undefined;
  },
};
