/**
 * 3.4.5 When the broker fails — pub/sub forgets what it could not hand over; a stream keeps it.
 * Shows:  while a reader's connection is gone, PUBLISH reaches nobody (it answers 0) and those
 *         lines are lost for good; XADD appends them to a stream, and XREAD from the last id the
 *         reader saw returns exactly what it missed, in order.
 * Run:    redis-server --port 6379 --save '' &   (or set REDIS_URL to a Redis you have)
 *         npx tsx chapters/3.4/src/plain/stream-resume.ts
 * Expect: "pub/sub: … got 0 of the 3 lines sent while it was away";
 *         "stream: … got 3 of the 3 lines sent while it was away".
 */
import { pathToFileURL } from 'node:url';
import { createClient } from 'redis';

/** A node-redis client, as `createClient({ url })` makes it. */
const connectTo = (url: string) => createClient({ url });
type Redis = ReturnType<typeof connectTo>;

const AWAY = ['line 2', 'line 3', 'line 4'];

// #region resume
/**
 * XREAD STREAMS key id returns the entries with an id greater than `id`, oldest first. So the
 * last id a reader has handed on is all it needs to remember: reading again from it, after
 * any failure, returns each later entry once.
 */
export async function readSince(redis: Redis, key: string, lastId: string) {
  const reply = await redis.xRead({ key, id: lastId }, { COUNT: 100 });
  const entries =
    (reply as { messages: { id: string; message: { text: string } }[] }[] | null)?.at(0)
      ?.messages ?? [];
  return { texts: entries.map((e) => e.message.text), lastId: entries.at(-1)?.id ?? lastId };
}
// #endregion resume

// 1. Pub/sub: the reader's connection drops; what is published meanwhile reaches nobody.
async function withPubSub(url: string, writer: Redis): Promise<void> {
  const got: string[] = [];
  const reader = connectTo(url);
  await reader.connect();
  await reader.subscribe('room:lobby', (line) => got.push(line));
  reader.destroy(); // the connection is gone, as in an outage
  let heard = 0;
  for (const line of AWAY) heard += await writer.publish('room:lobby', line);
  console.log(`pub/sub: PUBLISH reached ${heard} subscribers while the reader was away`);
  const back = connectTo(url);
  await back.connect();
  await back.subscribe('room:lobby', (line) => got.push(line));
  console.log(
    `pub/sub: back, the reader got ${got.length} of the ${AWAY.length} lines sent while it was away`,
  );
  await back.close();
}

// 2. A stream: the same outage, and the reader resumes from the last id it saw.
async function withStream(writer: Redis): Promise<void> {
  await writer.del('stream:lobby');
  await writer.xAdd('stream:lobby', '*', { text: 'line 1' });
  const before = await readSince(writer, 'stream:lobby', '0'); // the reader is up to date
  for (const text of AWAY) await writer.xAdd('stream:lobby', '*', { text }); // it is away
  const after = await readSince(writer, 'stream:lobby', before.lastId); // back, from its last id
  console.log(`stream: the reader had read up to ${before.lastId}`);
  console.log(
    `stream: back, the reader got ${after.texts.length} of the ${AWAY.length} lines sent while it was away: ${after.texts.join(', ')}`,
  );
  await writer.del('stream:lobby');
}

async function main(): Promise<void> {
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const writer = connectTo(url);
  await writer.connect();
  try {
    await withPubSub(url, writer);
    await withStream(writer);
  } finally {
    await writer.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
