/**
 * 3.2.5's worker threads for route planning, as a server open to the public needs them:
 * least-busy dispatch, and a worker that dies replaced, so one crash costs one answer and
 * not every answer after it.
 */
import { Peer, type PeerOptions } from './peer.ts';

export class LogicPool {
  private readonly peers: Peer[];
  /** Calls in flight per position; a replacement inherits its position's count. */
  private readonly busy: number[];
  private closed = false;

  constructor(
    size: number,
    private readonly startPeer: (label: string) => Peer,
  ) {
    this.peers = Array.from({ length: size }, (_, i) => startPeer(`game-logic worker ${i + 1}`));
    this.busy = this.peers.map(() => 0);
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
    try {
      return await peer.call<T>(request);
    } catch (error) {
      // Replace a worker that died once it has started (a crash mid-job, not a module that
      // cannot load: replacing that would only start the same failure again and again).
      // Nor after close(): closing is what ended the worker, and a new one would be orphaned.
      if (!this.closed && !peer.alive && peer.started && this.peers[index] === peer) {
        this.peers[index] = this.startPeer(peer.label);
      }
      throw error;
    } finally {
      this.busy[index] = (this.busy[index] ?? 1) - 1;
    }
  }

  /**
   * The least busy live worker. One that died and could not be replaced (its replacement
   * failed to load) is skipped; only when none is alive does a call go to a dead one, and
   * fail at once with its error.
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

  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled(this.peers.map((p) => p.close()));
  }
}
