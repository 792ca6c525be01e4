/**
 * A queue across processes, built on the IPC channel `child_process.fork` opens: put() in one
 * process, get() in the other — the original's multiprocessing.Queue, in Node terms.
 *
 * Like Python's Queue it copies: each item is serialized, sent through a pipe and rebuilt.
 * Nothing is shared; the receiver gets its own copy.
 */
import { QueueClosedError } from './errors.ts';

/** A ChildProcess (parent side) or `process` (child side). */
export interface IpcEndpoint {
  send?(message: unknown, callback?: (error: Error | null) => void): boolean;
  on(event: 'message' | 'disconnect', listener: (message?: unknown) => void): unknown;
  off(event: 'message' | 'disconnect', listener: (message?: unknown) => void): unknown;
}

interface Envelope {
  queueItem: unknown;
}

const isEnvelope = (m: unknown): m is Envelope =>
  typeof m === 'object' && m !== null && 'queueItem' in m;

export class IpcQueue<T> {
  private readonly items: T[] = [];
  private readonly waiters: Array<{ resolve: (item: T) => void; reject: (error: Error) => void }> =
    [];
  private closedBy: Error | undefined;

  constructor(
    private readonly endpoint: IpcEndpoint,
    private readonly label = 'ipc queue',
  ) {
    endpoint.on('message', this.onMessage);
    endpoint.on('disconnect', this.onDisconnect);
  }

  /** Sends `item`; resolves once it has been handed to the channel. */
  put(item: T): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.closedBy) return reject(this.closedBy);
      const send = this.endpoint.send;
      if (!send)
        return reject(new QueueClosedError(`${this.label}: this process has no IPC channel`));
      send.call(this.endpoint, { queueItem: item } satisfies Envelope, (error) =>
        error
          ? reject(new QueueClosedError(`${this.label}: put failed: ${error.message}`))
          : resolve(),
      );
    });
  }

  /** The next item, in the order they were put; waits at most `timeoutMs`. */
  get(timeoutMs = Number.POSITIVE_INFINITY): Promise<T> {
    const ready = this.items.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    if (this.closedBy) return Promise.reject(this.closedBy);
    return new Promise((resolve, reject) => {
      const waiter = { resolve, reject };
      this.waiters.push(waiter);
      if (Number.isFinite(timeoutMs)) {
        const timer = setTimeout(() => {
          const at = this.waiters.indexOf(waiter);
          if (at >= 0) this.waiters.splice(at, 1);
          reject(new QueueClosedError(`${this.label}: nothing arrived within ${timeoutMs} ms`));
        }, timeoutMs);
        waiter.resolve = (item) => {
          clearTimeout(timer);
          resolve(item);
        };
        waiter.reject = (error) => {
          clearTimeout(timer);
          reject(error);
        };
      }
    });
  }

  /** Stops listening; pending get() calls fail. */
  close(): void {
    this.endpoint.off('message', this.onMessage);
    this.endpoint.off('disconnect', this.onDisconnect);
    this.fail(new QueueClosedError(`${this.label} was closed`));
  }

  private readonly onMessage = (message: unknown) => {
    if (!isEnvelope(message)) return;
    const item = message.queueItem as T;
    const waiter = this.waiters.shift();
    if (waiter) waiter.resolve(item);
    else this.items.push(item);
  };

  private readonly onDisconnect = () => {
    this.fail(new QueueClosedError(`${this.label}: the other process went away`));
  };

  private fail(error: Error): void {
    this.closedBy ??= error;
    for (const waiter of this.waiters.splice(0)) waiter.reject(this.closedBy);
  }
}
