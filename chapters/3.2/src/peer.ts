/**
 * A worker thread or a child process that answers requests — the parent's side.
 *
 * Requests carry an id and replies echo it, so many can be in flight at once. Every pending
 * request is settled no matter how the peer ends: a reply, the peer's own error (it threw),
 * or its exit. That is the rule that keeps samples from hanging when a worker dies.
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import type { Transferable, Worker } from 'node:worker_threads';
import { forkTs, startTsWorker } from '@course/course-kit';
import { WorkerCrashedError, WorkerExitedError, WorkerFailedError } from './errors.ts';
import type { Reply, Request } from './serve.ts';

/** Error codes that mean only "the child's IPC channel is closed": its exit event follows. */
const CHANNEL_GONE = new Set(['EPIPE', 'ERR_IPC_CHANNEL_CLOSED', 'ECONNRESET']);

/** How long a child gets to exit after SIGTERM before SIGKILL. */
const KILL_GRACE_MS = 2_000;

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void };

export type PeerKind = 'thread' | 'process';

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
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private ended: Error | undefined;
  private hasStarted = false;
  private closing = false;
  private readonly exited: Promise<void>;
  private readonly whenStopped: Promise<void>;
  private markStopped: () => void = () => {};
  private readonly onAbort = () => void this.close();

  private constructor(
    readonly kind: PeerKind,
    private readonly handle: Worker | ChildProcess,
    options: PeerOptions,
  ) {
    this.label = options.label ?? kind;
    this.whenStopped = new Promise((resolve) => {
      this.markStopped = resolve;
    });
    let markReady: () => void = () => {};
    this.ready = new Promise((resolve) => {
      markReady = resolve;
    });
    handle.on('message', (message: Reply | 'ready') => {
      if (message === 'ready') {
        this.hasStarted = true;
        return markReady();
      }
      const waiter = this.pending.get(message.id);
      if (!waiter) return;
      this.pending.delete(message.id);
      if (message.ok) waiter.resolve(message.value);
      else
        waiter.reject(
          new WorkerFailedError(`${this.label} failed: ${message.error.message}`, {
            cause: message.error,
          }),
        );
    });
    // A thread that throws outside a request (e.g. at start-up) emits 'error', then 'exit'.
    handle.on('error', (error: Error & { code?: string }) => {
      // A send to a child that is dying fails with EPIPE; its 'exit' follows and says more.
      if (this.closing || CHANNEL_GONE.has(error.code ?? '')) return;
      this.fail(new WorkerCrashedError(`${this.label} failed: ${error.message}`, { cause: error }));
    });
    this.exited = new Promise((resolve) => {
      handle.once('exit', (code: number | null, signal?: string | null) => {
        const how = signal ? `signal ${signal}` : `code ${code}`;
        this.fail(
          new WorkerExitedError(`${this.label} exited with ${how} before answering`, code, signal),
        );
        options.signal?.removeEventListener('abort', this.onAbort);
        resolve();
      });
    });
    // Ready must not hang either: it rejects with the same error when the peer dies first.
    this.ready = Promise.race([this.ready, this.exited.then(() => Promise.reject(this.ended))]);
    this.ready.catch(() => {});
    if (options.signal?.aborted) void this.close();
    options.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Starts `moduleUrl` (a `*.worker.ts` calling serve()) in a worker thread. */
  static thread(moduleUrl: URL, data?: unknown, options: PeerOptions = {}): Peer {
    return new Peer('thread', startTsWorker(moduleUrl, data), options);
  }

  /**
   * Forks `moduleUrl` (a `*.child.ts` calling serve()); `data` travels as JSON in argv.
   * Requests and replies use 'advanced' serialization, the structured clone threads use: with
   * the default JSON a function silently became `undefined` and a bigint threw a TypeError,
   * where a thread refuses both the same way (DataCloneError) or carries them (bigint, Map).
   */
  static process(moduleUrl: URL, data?: unknown, options: PeerOptions = {}): Peer {
    const child = forkTs(moduleUrl, [JSON.stringify(data ?? null)], { serialization: 'advanced' });
    return new Peer('process', child, options);
  }

  /** Starts `count` peers of one kind, labelled "<label> 1".."<label> count". */
  static many(
    kind: PeerKind,
    count: number,
    moduleUrl: URL,
    data?: unknown,
    options: PeerOptions = {},
  ): Peer[] {
    const start = kind === 'thread' ? Peer.thread : Peer.process;
    return Array.from({ length: count }, (_, i) =>
      start(moduleUrl, data, { ...options, label: `${options.label ?? kind} ${i + 1}` }),
    );
  }

  /** The child's pid, or undefined for a thread (threads share the parent's pid). */
  get pid(): number | undefined {
    return this.kind === 'process' ? (this.handle as ChildProcess).pid : undefined;
  }

  /** False once the peer has exited or failed: every later call rejects at once. */
  get alive(): boolean {
    return this.ended === undefined;
  }

  /** True once the peer loaded its module and said it was ready, even if it died later. */
  get started(): boolean {
    return this.hasStarted;
  }

  /**
   * Resolves once the peer can answer no more (it threw outside a request, or exited): its
   * pending calls are rejected by then. A thread that threw may still be exiting.
   */
  get stopped(): Promise<void> {
    return this.whenStopped;
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
    const request: Request = { id, payload };
    const answer = new Promise<unknown>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
    });
    try {
      if (this.kind === 'thread') (this.handle as Worker).postMessage(request, transfer);
      // A send on a closed channel either throws or reports via callback; the exit settles the call.
      else if ((this.handle as ChildProcess).connected)
        (this.handle as ChildProcess).send(request, () => {});
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
    this.closing = true;
    if (this.kind === 'thread') {
      await (this.handle as Worker).terminate();
    } else {
      const child = this.handle as ChildProcess;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
        await this.exited;
        clearTimeout(timer);
      }
    }
    await this.exited;
  }

  private fail(error: Error): void {
    this.ended ??= error;
    for (const waiter of this.pending.values()) waiter.reject(this.ended);
    this.pending.clear();
    this.markStopped();
  }
}

/** Closes every peer, even when some fail to close. */
export async function closeAll(peers: readonly Peer[]): Promise<void> {
  await Promise.allSettled(peers.map((p) => p.close()));
}

/** Waits for one event with a bounded time, failing with a message that names what we waited for. */
export async function onceWithin<T extends unknown[]>(
  emitter: NodeJS.EventEmitter,
  event: string,
  ms: number,
  what: string,
): Promise<T> {
  const signal = AbortSignal.timeout(ms);
  try {
    return (await once(emitter, event, { signal })) as T;
  } catch (error) {
    if (signal.aborted) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    throw error;
  }
}
