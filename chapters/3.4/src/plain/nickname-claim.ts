/**
 * 3.4.4 Shared state — a nickname claimed in Redis with SET NX PX, and kept by a heartbeat.
 * Shows:  of two claims to one name at the same moment exactly one gets OK; the holder renews
 *         its claim every ttl/3, so it outlives the TTL; once the renewals stop (the holder's
 *         process died), the name is free again within one TTL, with nobody having to notice.
 * Run:    redis-server --port 6379 --save '' &   (or set REDIS_URL to a Redis you have)
 *         npx tsx chapters/3.4/src/plain/nickname-claim.ts
 * Expect: one worker gets "alice", the other "alice#2"; "alice is still taken after 3000 ms";
 *         "alice is free again …ms after the last renewal (TTL 1500 ms)".
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { createClient } from 'redis';

/** A node-redis client, as `createClient({ url })` makes it. */
const connectTo = (url: string) => createClient({ url });
type Redis = ReturnType<typeof connectTo>;

export const TTL_MS = 1500;

// #region claim
/** The claim's key; 3.1 makes nicknames unique ignoring case, so the key is lower case. */
const keyOf = (nick: string) => `nick:${nick.toLowerCase()}`;

/**
 * SET key token NX PX ttl: sets the key only if it does not exist, with an expiry, in one
 * command. Of several claims at once, exactly one gets OK. Returns our token, or undefined.
 */
export async function claim(redis: Redis, nick: string, ttlMs = TTL_MS) {
  const token = randomUUID(); // says which claim is ours, when we renew or give it back
  const reply = await redis.set(keyOf(nick), token, {
    condition: 'NX',
    expiration: { type: 'PX', value: ttlMs },
  });
  return reply === 'OK' ? token : undefined;
}

// Renews the claim only while it is still ours: after an expiry, someone else may hold the name.
// A script runs as one command, so nothing can happen between the GET and the PEXPIRE.
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;

/** A heartbeat: renews every ttl/3, so two renewals can fail before the claim expires. */
export function keepClaim(redis: Redis, nick: string, token: string, ttlMs = TTL_MS) {
  let last = performance.now();
  const timer = setInterval(async () => {
    const kept = await redis
      .eval(RENEW, { keys: [keyOf(nick)], arguments: [token, String(ttlMs)] })
      .catch(() => 0); // Redis unreachable: the next beat tries again
    if (kept === 1) last = performance.now();
  }, ttlMs / 3);
  return { stop: () => clearInterval(timer), lastRenewal: () => last };
}
// #endregion claim

async function main(): Promise<void> {
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const workers = [connectTo(url), connectTo(url)] as const;
  for (const redis of workers)
    redis.on('error', (e: Error) => console.error(`redis: ${e.message}`));
  await Promise.all(workers.map((redis) => redis.connect()));
  try {
    // 1. Two workers claim "alice" at the same moment: Redis runs one SET, then the other.
    const tokens = await Promise.all(workers.map((redis) => claim(redis, 'alice')));
    const winner = tokens[0] ? 0 : 1;
    const loser = workers[1 - winner] as Redis;
    const second = await claim(loser, 'alice#2');
    console.log(`worker ${winner + 1} claims alice: OK`);
    console.log(`worker ${2 - winner} claims alice: taken, so alice#2: ${second ? 'OK' : 'taken'}`);

    // 2. The winner's heartbeat keeps the claim alive past its TTL.
    const heartbeat = keepClaim(workers[winner] as Redis, 'alice', tokens[winner] as string);
    await sleep(2 * TTL_MS);
    const stolen = await claim(loser, 'alice');
    console.log(`alice is ${stolen ? 'free' : 'still taken'} after ${2 * TTL_MS} ms`);

    // 3. The winner "dies": no more renewals. Ask every 50 ms until the name is free.
    heartbeat.stop();
    while (!(await claim(loser, 'alice'))) await sleep(50);
    const freeAfter = Math.round(performance.now() - heartbeat.lastRenewal());
    console.log(`alice is free again ${freeAfter} ms after the last renewal (TTL ${TTL_MS} ms)`);
  } finally {
    await workers[0].del([keyOf('alice'), keyOf('alice#2')]);
    await Promise.all(workers.map((redis) => redis.close()));
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
