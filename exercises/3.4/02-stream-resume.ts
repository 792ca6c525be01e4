/**
 * 3.4/02 — Resume a Stream from the last id seen.
 *
 * Pub/sub forgets: a process that is disconnected when an event is published never gets it. A
 * Redis Stream keeps its entries, each under an id that only grows, so a reader can ask for
 * everything after the last id it handed on — `XREAD BLOCK ms STREAMS key <lastId>` — after a
 * reconnect just as in between. Write a follower that hands every entry of a stream to
 * `deliver` exactly once and in order, across any number of broken connections: keep the id of
 * the last entry delivered, and read from it again once the connection is back.
 * Check: npm run exercise -- watch   (or npm run grade -- 3.4/02)
 */
// createClient from 'redis' opens a connection; ErrorReply is what a command Redis refused
// rejects with (a read that broke with the connection rejects with something else):
//   import { createClient, ErrorReply } from 'redis';

export interface StreamEntry {
  /** "<milliseconds>-<sequence>", given by Redis, larger for every later entry. */
  id: string;
  fields: Record<string, string>;
}

export interface FollowOptions {
  /** Deliver the entries after this id; '0' (the default) is the whole stream. */
  after?: string;
  /** How long one XREAD waits for new entries before it asks again, in ms (default 5000). */
  blockMs?: number;
  /** How long followStream tries to reach Redis before it gives up (default 5000 ms). */
  connectTimeoutMs?: number;
}

export interface StreamFollower {
  /** The id of the last entry handed to deliver; `after` until the first one. */
  readonly lastId: string;
  /** Stops reading and closes the connection, even while an XREAD is waiting. */
  close(): Promise<void>;
}

/** The follower cannot start: Redis is out of reach, or the key holds something else. */
export class StreamFollowError extends Error {
  override name = 'StreamFollowError';
}

export async function followStream(
  url: string,
  key: string,
  deliver: (entry: StreamEntry) => void,
  options: FollowOptions = {},
): Promise<StreamFollower> {
  // TODO 1 (start): connect a client (with an 'error' listener: node-redis reconnects by itself,
  //   and an 'error' event nobody listens to crashes the process). Give up after
  //   options.connectTimeoutMs (default 5000) with a StreamFollowError. If TYPE key is neither
  //   'stream' nor 'none', destroy() the client and reject with a StreamFollowError naming the key.
  // TODO 2 (the loop, started here, not awaited): while not closed,
  //   XREAD BLOCK blockMs COUNT 100 STREAMS key lastId — client.xRead({ key, id: lastId },
  //   { BLOCK, COUNT }) — then deliver each entry ({ id, fields }) and only then move lastId to
  //   its id. A read that fails because the connection broke is simply made again from lastId:
  //   node-redis holds it until it has reconnected. Never start again from '0' or '$'.
  // TODO 3 (the follower): lastId, and close(), which stops the loop and destroy()s the client
  //   (close() would wait for the blocked XREAD to answer).
  throw new Error(
    `TODO: follow ${key} at ${url} after ${options.after ?? '0'} (${typeof deliver})`,
  );
}
