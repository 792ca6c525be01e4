/**
 * The parent's end of a worker thread or a child process running a `.ts` module: one way to
 * start either, hear from it, and learn exactly once how it ended. 3.2's Peer and 3.3's pool
 * runtimes both start their workers here; each adds its own messages on top.
 *
 *   const link = startWorker('thread', url, { ready, message, exit }, { data });
 *   link.send(request);      // structured clone, for a child too
 *   link.kill();             // `exit` follows
 */
import type { ChildProcess, Serializable } from 'node:child_process';
import type { Transferable, Worker } from 'node:worker_threads';
import { forkTs, startTsWorker } from '../spawn-ts.ts';
import { terminateWhenLoaded } from './end-thread.ts';
import { isReady } from './ready.ts';

export type WorkerKind = 'thread' | 'process';

export interface WorkerEvents<In> {
  /** The worker loaded its module and listens (it called `signalReady()`). */
  ready(): void;
  message(message: In): void;
  /**
   * Called exactly once, whatever ended the worker. `error` is what a thread threw when an
   * uncaught exception ended it, stack included. A child cannot send its own: it prints it
   * on its stderr, and its channel closes with it.
   */
  exit(code: number | null, signal: string | null, error?: unknown): void;
}

export interface StartOptions {
  /** Handed to the worker, which reads it with `workerInput()`. */
  data?: unknown;
  /** A child's stderr comes here instead of going to ours (tests hide a crash they cause). */
  onStderr?: (text: string) => void;
}

export interface WorkerLink<Out> {
  readonly kind: WorkerKind;
  /** A child's pid, a thread's threadId (threads share their parent's pid). */
  readonly id: number;
  /** True once the worker said it was ready, even if it died later. */
  readonly started: boolean;
  readonly exited: boolean;
  /**
   * Sends a structured clone of `message`. A value the clone refuses (a function, a symbol)
   * throws here, synchronously, for both kinds. A send to a worker that is dying is dropped:
   * its `exit` reports the loss.
   */
  send(message: Out, transfer?: readonly Transferable[]): void;
  /**
   * Ends the worker: a child is sent `signal`; a thread is terminated, but only once it has
   * said ready or exited (at most LOAD_GRACE_MS: see end-thread.ts). `exit` follows.
   */
  kill(signal?: NodeJS.Signals): void;
}

export function startWorker<In, Out>(
  kind: WorkerKind,
  moduleUrl: URL,
  events: WorkerEvents<In>,
  options: StartOptions = {},
): WorkerLink<Out> {
  return kind === 'thread'
    ? new ThreadLink<In, Out>(moduleUrl, events, options)
    : new ChildLink<In, Out>(moduleUrl, events, options);
}

/** What both kinds share: READY is the link's own, and the exit is reported exactly once. */
abstract class Link<In, Out> implements WorkerLink<Out> {
  abstract readonly kind: WorkerKind;
  abstract readonly id: number;
  started = false;
  exited = false;

  constructor(private readonly events: WorkerEvents<In>) {}

  abstract send(message: Out, transfer?: readonly Transferable[]): void;
  abstract kill(signal?: NodeJS.Signals): void;

  protected receive(message: In): void {
    if (isReady(message)) {
      this.started = true;
      this.events.ready();
    } else {
      this.events.message(message);
    }
  }

  protected end(code: number | null, signal: string | null, error?: unknown): void {
    this.exited = true;
    this.events.exit(code, signal, error);
  }
}

class ThreadLink<In, Out> extends Link<In, Out> {
  readonly kind = 'thread';
  readonly id: number;
  private readonly worker: Worker;
  private markLoaded: () => void = () => {};
  /** Settles once the thread said ready or exited: from then on it may be terminated. */
  private readonly loaded = new Promise<void>((resolve) => {
    this.markLoaded = resolve;
  });
  private killing = false;

  constructor(moduleUrl: URL, events: WorkerEvents<In>, { data }: StartOptions) {
    super(events);
    this.worker = startTsWorker(moduleUrl, data);
    // Read now: a thread's threadId turns to -1 once it stops.
    this.id = this.worker.threadId;
    this.worker.on('message', (message: In) => this.receive(message));
    // An uncaught exception emits 'error' (the thrown value) and then 'exit' (code 1). The
    // listener keeps it from crashing us; 'exit' reports it, so there is one report.
    let uncaught: unknown;
    this.worker.on('error', (error) => {
      uncaught = error;
    });
    this.worker.once('exit', (code) => {
      this.markLoaded();
      this.end(code, null, uncaught);
    });
  }

  protected override receive(message: In): void {
    super.receive(message);
    if (this.started) this.markLoaded();
  }

  send(message: Out, transfer: readonly Transferable[] = []): void {
    this.worker.postMessage(message, transfer);
  }

  kill(): void {
    if (this.exited || this.killing) return;
    this.killing = true;
    // Terminating a thread that still loads its module can crash the whole process.
    void terminateWhenLoaded(this.worker, this.loaded);
  }
}

class ChildLink<In, Out> extends Link<In, Out> {
  readonly kind = 'process';
  readonly id: number;
  private readonly child: ChildProcess;

  constructor(moduleUrl: URL, events: WorkerEvents<In>, { data, onStderr }: StartOptions) {
    super(events);
    // 'advanced' serialization is the structured clone threads use: a child carries what a
    // thread carries (bigint, Map, Date) and refuses what a thread refuses (a function),
    // where the default JSON would turn a function into undefined and throw on a bigint.
    this.child = forkTs(moduleUrl, [JSON.stringify(data ?? null)], {
      serialization: 'advanced',
      ...(onStderr ? { stdio: ['inherit', 'inherit', 'pipe', 'ipc'] } : {}),
    });
    this.id = this.child.pid ?? -1;
    this.child.stderr?.on('data', (chunk: Buffer) => onStderr?.(chunk.toString()));
    this.child.on('message', (message: In) => this.receive(message));
    // 'error' fires when a send or a kill fails (the child is dying: EPIPE, a closed
    // channel); its 'exit' follows and says more.
    this.child.on('error', () => {});
    this.child.once('exit', (code, signal) => this.end(code, signal));
  }

  send(message: Out): void {
    // The callback takes a failed send's error, which would otherwise be an 'error' event.
    if (!this.exited && this.child.connected) this.child.send(message as Serializable, () => {});
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (!this.exited) this.child.kill(signal);
  }
}
