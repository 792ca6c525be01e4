/**
 * 3.4/05 — Share a stream's work, and claim a dead worker's entries.
 *
 * 3.4/02's follower gives every reader every entry. Work — saving chat lines to a database,
 * say — must be done by one of several processes, not by all: a consumer group hands each entry
 * to one consumer (`XREADGROUP GROUP group consumer … STREAMS key >`) and keeps it pending until
 * that consumer acknowledges it (`XACK`). Acknowledge only when the work is done: a worker that
 * dies (or whose handler fails) leaves its entries pending, and once they have been idle for
 * claimIdleMs any worker of the group takes them over (`XAUTOCLAIM`) and does them. No entry is
 * lost; one is done twice only when a worker dies between the work and its XACK.
 * Check: npm run exercise -- watch   (or npm run grade -- 3.4/05)
 */
// createClient from 'redis' opens a connection; ErrorReply is what a command Redis refused
// rejects with (its message starts with Redis's code, e.g. "BUSYGROUP"):
//   import { createClient, ErrorReply } from 'redis';

export interface StreamEntry {
  id: string;
  fields: Record<string, string>;
}

/** Does the work of one entry; the entry is acknowledged once this returns (or resolves). */
export type Handle = (entry: StreamEntry) => void | Promise<void>;

export interface StreamWorkerOptions {
  group: string;
  /** This worker's name in the group: one per process. */
  consumer: string;
  /** Entries pending this long with any consumer are taken over (default 30000 ms). */
  claimIdleMs?: number;
  /** How long one read waits for new entries, and so how often pending ones are looked at (default 1000 ms). */
  blockMs?: number;
}

export interface StreamWorker {
  /** Entries this worker has handled and acknowledged. */
  readonly done: number;
  /** Stops taking work and closes the connection, even while a read is waiting. */
  close(): Promise<void>;
}

export async function startStreamWorker(
  url: string,
  key: string,
  handle: Handle,
  options: StreamWorkerOptions,
): Promise<StreamWorker> {
  // TODO 1 (start): connect a client (with an 'error' listener), then create the group from
  //   the start of the stream — XGROUP CREATE key group 0 MKSTREAM, client.xGroupCreate(key,
  //   group, '0', { MKSTREAM: true }). Another worker may have made it first: a BUSYGROUP error
  //   means "join it"; any other error destroys the client and rejects.
  // TODO 2 (the loop, started here, not awaited): while not closed,
  //   - XAUTOCLAIM key group consumer claimIdleMs 0-0 COUNT 100: entries pending with anyone
  //     for at least claimIdleMs (default 30000) become this worker's; do them;
  //   - XREADGROUP GROUP group consumer COUNT 100 BLOCK blockMs (default 1000) STREAMS key >:
  //     new entries for this worker; do them.
  //   Doing an entry: await handle({ id, fields }); only if that did not throw, XACK it and
  //   count it in done. A failed read (a broken connection): pause briefly (say 100 ms, so a
  //   Redis that keeps refusing is not asked again in a tight loop), then go round again.
  // TODO 3 (the worker): done, and close(), which stops the loop and destroy()s the client
  //   (close() would wait for the blocked XREADGROUP to answer).
  throw new Error(
    `TODO: work on ${key} at ${url} as ${options.consumer} of ${options.group} (${typeof handle})`,
  );
}
