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
import { createClient, ErrorReply } from 'redis';

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

/** Entries taken per read or claim: bounds the work (and memory) of one round. */
const BATCH = 100;

const connection = (url: string) => createClient({ url });
type Client = ReturnType<typeof connection>;

export async function startStreamWorker(
  url: string,
  key: string,
  handle: Handle,
  options: StreamWorkerOptions,
): Promise<StreamWorker> {
  const client = connection(url);
  // node-redis reconnects by itself; an 'error' event nobody listens to would crash the process.
  client.on('error', () => {});
  await client.connect();
  try {
    // From '0': entries added before the group existed are work too. MKSTREAM: the stream
    // may not exist yet.
    await client.xGroupCreate(key, options.group, '0', { MKSTREAM: true });
  } catch (error) {
    // Another worker made the group first: join it.
    if (!(error instanceof ErrorReply && error.message.startsWith('BUSYGROUP'))) {
      client.destroy();
      throw error;
    }
  }
  return new GroupWorker(client, key, handle, options);
}

class GroupWorker implements StreamWorker {
  done = 0;
  private closed = false;
  private readonly working: Promise<void>;
  private readonly claimIdleMs: number;
  private readonly blockMs: number;

  constructor(
    private readonly client: Client,
    private readonly key: string,
    private readonly handle: Handle,
    private readonly options: StreamWorkerOptions,
  ) {
    this.claimIdleMs = options.claimIdleMs ?? 30_000;
    this.blockMs = options.blockMs ?? 1000;
    this.working = this.work();
  }

  private async work(): Promise<void> {
    const { group, consumer } = this.options;
    while (!this.closed) {
      try {
        // First what others (or this worker, before a failure) left pending too long…
        const claimed = await this.client.xAutoClaim(
          this.key,
          group,
          consumer,
          this.claimIdleMs,
          '0-0',
          { COUNT: BATCH },
        );
        // (null: an entry that was deleted from the stream while pending)
        await this.run(claimed.messages.filter((m) => m !== null));
        // …then new entries, waiting up to blockMs for some.
        const reply = await this.client.xReadGroup(
          group,
          consumer,
          { key: this.key, id: '>' },
          { COUNT: BATCH, BLOCK: this.blockMs },
        );
        for (const stream of Array.isArray(reply) ? reply : []) await this.run(stream.messages);
      } catch {
        // A broken connection (node-redis reconnects and holds the next command meanwhile), or
        // the stream deleted under us: what was not acknowledged stays pending and is claimed
        // again later, so going round once more loses nothing.
        if (this.closed) return;
        await new Promise((resolve) => setTimeout(resolve, Math.min(this.blockMs, 100)));
      }
    }
  }

  private async run(entries: Array<{ id: string; message: Record<string, string> }>) {
    for (const { id, message } of entries) {
      if (this.closed) return;
      try {
        await this.handle({ id, fields: { ...message } });
      } catch {
        continue; // not acknowledged: pending until it is claimed again after claimIdleMs
      }
      await this.client.xAck(this.key, this.options.group, id);
      this.done++;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // destroy(), not close(): close() would wait for a blocked XREADGROUP (up to blockMs).
    if (this.client.isOpen) this.client.destroy();
    await this.working;
  }
}
