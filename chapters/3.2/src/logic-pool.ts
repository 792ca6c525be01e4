/**
 * 3.2.5's worker threads for route planning, as a server open to the public needs them:
 * least-busy dispatch, and a worker that dies replaced as soon as it exits, so one crash
 * costs one answer and not every answer after it.
 */
import { Peer, type PeerOptions } from './peer.ts';

/**
 * A replacement that fails to load (or dies on its own before answering anything) is tried
 * again after `first` ms, twice as long after each failure in a row, up to `max`: a missing
 * file may come back, but a module that can never run must not be restarted in a tight loop.
 */
export interface Backoff {
  first: number;
  max: number;
}
export const RESTART_BACKOFF_MS: Backoff = { first: 100, max: 10_000 };

export class LogicPool {
  private readonly peers: Peer[] = [];
  /** Calls in flight per position; a replacement inherits its position's count. */
  private readonly busy: number[];
  /** Failures in a row per position (no answer between them), for the back-off. */
  private readonly startFailures: number[];
  /** Workers that were sent a call: their death may be the call's doing, not their own. */
  private readonly called = new WeakSet<Peer>();
  private readonly restarts = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(
    size: number,
    private readonly startPeer: (label: string) => Peer,
    private readonly backoff: Backoff = RESTART_BACKOFF_MS,
  ) {
    this.busy = Array.from({ length: size }, () => 0);
    this.startFailures = Array.from({ length: size }, () => 0);
    for (let i = 0; i < size; i++) this.place(i, `game-logic worker ${i + 1}`);
  }

  /** Starts `size` threads running `module` (a `*.worker.ts` calling serve()). */
  static start(size: number, module: URL, data: unknown, options: PeerOptions = {}): LogicPool {
    return new LogicPool(size, (label) => Peer.thread(module, data, { ...options, label }));
  }

  /** Resolves once every worker has loaded; rejects (after closing them all) if one cannot. */
  async ready(): Promise<void> {
    try {
      await Promise.all(this.peers.map((p) => p.ready));
    } catch (error) {
      // The workers that did start would otherwise keep the process alive.
      await this.close();
      throw error;
    }
  }

  async call<T>(request: unknown): Promise<T> {
    const index = this.pick();
    const peer = this.peers[index] as Peer;
    this.busy[index] = (this.busy[index] ?? 0) + 1;
    this.called.add(peer);
    try {
      const answer = await peer.call<T>(request);
      if (this.peers[index] === peer) this.startFailures[index] = 0;
      return answer;
    } finally {
      this.busy[index] = (this.busy[index] ?? 1) - 1;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.restarts) clearTimeout(timer);
    this.restarts.clear();
    await Promise.allSettled(this.peers.map((p) => p.close()));
  }

  private place(index: number, label: string): void {
    const peer = this.startPeer(label);
    this.peers[index] = peer;
    void peer.stopped.then(() => this.replace(index, peer));
  }

  /**
   * Called when a worker stops (exits, or throws outside a request), whether or not a call
   * noticed: otherwise a crash between calls would leave a dead worker in place until the next
   * call to it failed. Not after close(): closing is what ended the worker, and a new one would
   * be orphaned.
   */
  private replace(index: number, peer: Peer): void {
    if (this.closed || this.peers[index] !== peer) return;
    // A crash during a call: the next call needs a worker now, and the calls limit the pace.
    if (peer.started && this.called.has(peer)) {
      this.place(index, peer.label);
      return;
    }
    // It could not load, or died on its own before any call: starting it again at once
    // would loop as fast as threads start.
    const failures = (this.startFailures[index] ?? 0) + 1;
    this.startFailures[index] = failures;
    const delay = Math.min(this.backoff.first * 2 ** (failures - 1), this.backoff.max);
    const timer = setTimeout(() => {
      this.restarts.delete(timer);
      if (!this.closed) this.place(index, peer.label);
    }, delay);
    this.restarts.add(timer);
  }

  /**
   * The least busy live worker. One that died and is waiting to be started again (its
   * replacement failed to load) is skipped; only when none is alive does a call go to a dead
   * one, and fail at once with its error.
   */
  private pick(): number {
    let best = 0;
    let fewest = Number.POSITIVE_INFINITY;
    this.peers.forEach((peer, i) => {
      const calls = peer.alive ? (this.busy[i] ?? 0) : Number.POSITIVE_INFINITY;
      if (calls < fewest) {
        best = i;
        fewest = calls;
      }
    });
    return best;
  }
}
