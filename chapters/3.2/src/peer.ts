/**
 * A worker thread or a child process that answers requests — the parent's side.
 *
 * Requests carry an id and replies echo it, so many can be in flight at once. Every pending
 * request is settled no matter how the peer ends: a reply, the peer's own error (it threw),
 * or its exit. That is the rule that keeps samples from hanging when a worker dies.
 *
 * Starting the worker and hearing how it ended is course-kit's `startWorker`, the same call
 * chapter 3.3's pool starts its workers with. A Peer is the simple form of that pool's
 * worker: one module, one handler, no queue; the pool adds batching and decides which task
 * a dead worker takes down with it.
 */

import type { Transferable } from 'node:worker_threads';
import {
  describeThrown,
  startWorker,
  WorkerExitedError,
  type WorkerKind,
  type WorkerLink,
} from '@course/course-kit/workers';
import { WorkerCrashedError, WorkerFailedError } from './errors.ts';
import type { Reply, Request } from './serve.ts';

/** How long a child gets to exit after SIGTERM before SIGKILL. */
const KILL_GRACE_MS = 2_000;

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void };

export type PeerKind = WorkerKind;

export interface PeerOptions {
  /** Shown in errors, e.g. "primes worker 2". */
  label?: string;
  /** Closing the peer when this aborts (Ctrl-C) is what leaves no orphans behind. */
  signal?: AbortSignal;
}

export class Peer {
  readonly label: string;
  /** Resolves once the peer has loaded its module and listens (start-up cost ends here). */
  readonly ready: Promise<void>;
  /** Resolves once the peer has exited: its pending calls are rejected by then. */
  readonly stopped: Promise<void>;
  private readonly link: WorkerLink<Request>;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private ended: Error | undefined;
  private readonly onAbort = () => void this.close();

  private constructor(
    readonly kind: PeerKind,
    moduleUrl: URL,
    data: unknown,
    options: PeerOptions,
  ) {
    this.label = options.label ?? kind;
    let markReady: () => void = () => {};
    let markStopped: () => void = () => {};
    const ready = new Promise<void>((resolve) => {
      markReady = resolve;
    });
    this.stopped = new Promise((resolve) => {
      markStopped = resolve;
    });
    this.link = startWorker<Reply, Request>(
      kind,
      moduleUrl,
      {
        ready: markReady,
        message: (reply) => this.settle(reply),
        exit: (code, signal, error) => {
          this.fail(this.describeExit(code, signal, error));
          options.signal?.removeEventListener('abort', this.onAbort);
          markStopped();
        },
      },
      { data },
    );
    // Ready must not hang either: it rejects with the same error when the peer dies first.
    this.ready = Promise.race([ready, this.stopped.then(() => Promise.reject(this.ended))]);
    this.ready.catch(() => {});
    if (options.signal?.aborted) void this.close();
    options.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Starts `moduleUrl` (a `*.worker.ts` calling serve()) in a worker thread. */
  static thread(moduleUrl: URL, data?: unknown, options: PeerOptions = {}): Peer {
    return new Peer('thread', moduleUrl, data, options);
  }

  /** Forks `moduleUrl` (a `*.child.ts` calling serve()); `data` travels as JSON in argv. */
  static process(moduleUrl: URL, data?: unknown, options: PeerOptions = {}): Peer {
    return new Peer('process', moduleUrl, data, options);
  }

  /** Starts `count` peers of one kind, labelled "<label> 1".."<label> count". */
  static many(
    kind: PeerKind,
    count: number,
    moduleUrl: URL,
    data?: unknown,
    options: PeerOptions = {},
  ): Peer[] {
    return Array.from(
      { length: count },
      (_, i) =>
        new Peer(kind, moduleUrl, data, { ...options, label: `${options.label ?? kind} ${i + 1}` }),
    );
  }

  /** The child's pid, or undefined for a thread (threads share the parent's pid). */
  get pid(): number | undefined {
    return this.kind === 'process' ? this.link.id : undefined;
  }

  /** False once the peer has exited: every later call rejects at once. */
  get alive(): boolean {
    return this.ended === undefined;
  }

  /** True once the peer loaded its module and said it was ready, even if it died later. */
  get started(): boolean {
    return this.link.started;
  }

  /** Requests sent and not answered yet. */
  get pendingCalls(): number {
    return this.pending.size;
  }

  /** Sends one request and resolves with the peer's answer. */
  async call<T>(payload: unknown, transfer: Transferable[] = []): Promise<T> {
    await this.ready;
    if (this.ended) throw this.ended;
    const id = this.nextId++;
    const answer = new Promise<unknown>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
    });
    try {
      this.link.send({ id, payload }, transfer);
    } catch (error) {
      // Nothing left (structured clone refused the payload), so nothing may stay pending:
      // the peer's exit would later reject a promise nobody holds.
      this.pending.delete(id);
      throw error;
    }
    return answer as Promise<T>;
  }

  /** Ends the peer and waits until it has exited; safe to call more than once. */
  async close(): Promise<void> {
    if (this.kind === 'process' && !this.link.exited) {
      // SIGTERM lets a child end its own way; one that has not gone in time is killed.
      this.link.kill('SIGTERM');
      const timer = setTimeout(() => this.link.kill('SIGKILL'), KILL_GRACE_MS);
      await this.stopped;
      clearTimeout(timer);
    } else {
      this.link.kill();
    }
    await this.stopped;
  }

  private settle(reply: Reply): void {
    const waiter = this.pending.get(reply.id);
    if (!waiter) return;
    this.pending.delete(reply.id);
    if (reply.ok) waiter.resolve(reply.value);
    else
      waiter.reject(
        new WorkerFailedError(`${this.label} failed: ${reply.error.message}`, {
          cause: reply.error,
        }),
      );
  }

  /**
   * A thread that threw outside a request (at start-up, or from a timer) died of what it
   * threw: that is the news, so it is a WorkerCrashedError. Any other end is an exit.
   */
  private describeExit(code: number | null, signal: string | null, error: unknown): Error {
    if (error === undefined) return new WorkerExitedError(this.label, code, signal);
    return new WorkerCrashedError(`${this.label} failed: ${describeThrown(error)}`, {
      cause: error,
    });
  }

  private fail(error: Error): void {
    this.ended ??= error;
    for (const waiter of this.pending.values()) waiter.reject(this.ended);
    this.pending.clear();
  }
}

/** Closes every peer, even when some fail to close. */
export async function closeAll(peers: readonly Peer[]): Promise<void> {
  await Promise.allSettled(peers.map((p) => p.close()));
}
