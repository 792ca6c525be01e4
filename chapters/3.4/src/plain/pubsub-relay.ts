/**
 * 3.4.3 A room bus on Redis pub/sub — the smallest relay: publish a room's lines to Redis, and
 * deliver to your own members only what Redis sends back.
 * Shows:  two connections per process (one to subscribe, one to publish), one channel per room,
 *         and delivery only from what Redis sends back, so every process sees the same order.
 * Run:    redis-server --port 6379 --save '' &   (or set REDIS_URL to a Redis you have)
 *         npx tsx chapters/3.4/src/plain/pubsub-relay.ts
 * Expect: "worker A got: …" and "worker B got: …" for both lines, in the same order in each.
 */
import { pathToFileURL } from 'node:url';
import { createClient } from 'redis';

export interface Relay {
  /** Sends `line` to every process in the room, this one included. */
  publish(line: string): void;
  close(): Promise<void>;
}

// #region relay
export async function joinRelay(
  url: string,
  room: string,
  deliver: (line: string) => void,
): Promise<Relay> {
  // 1. Two connections. Under RESP2 a connection that has subscribed may only (un)subscribe and
  //    ping; node-redis speaks RESP3 by default, which lifts that, but two work under either.
  const publisher = createClient({ url });
  const subscriber = publisher.duplicate();
  // node-redis emits 'error' when a connection is lost (then retries); an 'error' event that
  // nobody listens to would end the process.
  for (const client of [publisher, subscriber])
    client.on('error', (error: Error) => console.error(`redis: ${error.message}`));
  await Promise.all([publisher.connect(), subscriber.connect()]);

  // 2. One channel per room. subscribe() resolves once Redis has confirmed the subscription:
  //    from then on, nothing published to the channel can miss this process.
  const channel = `room:${room}`;
  await subscriber.subscribe(channel, deliver);

  return {
    // 3. Publish, and do not deliver here: our own line comes back from Redis like everyone's.
    publish: (line) => {
      publisher.publish(channel, line).catch((error: Error) => {
        console.error(`line lost, Redis did not take it: ${error.message}`);
      });
    },
    close: async () => {
      await subscriber.unsubscribe(channel);
      await Promise.all([subscriber.close(), publisher.close()]);
    },
  };
}
// #endregion relay

// Two relays in one process stand for two workers; each keeps what it is handed.
async function main(): Promise<void> {
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const got = { A: [] as string[], B: [] as string[] };
  let bothHaveBoth: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    bothHaveBoth = resolve;
  });
  const keep = (name: 'A' | 'B') => (line: string) => {
    got[name].push(line);
    console.log(`worker ${name} got: ${line}`);
    if (got.A.length === 2 && got.B.length === 2) bothHaveBoth();
  };
  const a = await joinRelay(url, 'lobby', keep('A'));
  const b = await joinRelay(url, 'lobby', keep('B'));
  a.publish('alice (on A): hello');
  b.publish('bob (on B): hi alice');
  await done;
  await Promise.all([a.close(), b.close()]);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
