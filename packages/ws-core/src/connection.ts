/**
 * One WebSocket connection over a node:net socket: the thin I/O layer around Protocol.
 * Used by both the server (role 'server') and the client (role 'client').
 *
 * Writes are batched: everything sent during one tick (or while handling one read) leaves in a
 * single socket write. Backpressure policy, in bytes waiting to be written (`bufferedAmount`):
 *   - above `highWaterMark` we stop reading from the socket until it drains, so a peer that
 *     keeps sending but stops reading cannot make us queue its replies without bound;
 *   - a send that leaves more than `maxBufferedAmount` waiting fails the connection with 1008
 *     and destroys the socket (a close frame could not get through anyway).
 * Keepalive: given a Liveness, every read counts as the peer's activity, and a sweep (one timer
 * for many connections, keepalive.ts) calls checkLiveness to ping a silent peer or fail a dead one.
 */
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import {
  CloseCode,
  DEFAULT_CLOSE_TIMEOUT,
  DEFAULT_HIGH_WATER_MARK,
  DEFAULT_MAX_BUFFERED_AMOUNT,
  ZERO_COPY_THRESHOLD,
} from './constants.ts';
import { ProtocolError } from './errors.ts';
import type { Frame } from './frames.ts';
import type { KeepaliveMember } from './keepalive.ts';
import { asError, callEachListener, reportError } from './listeners.ts';
import type { Liveness } from './liveness.ts';
import type { Protocol, ProtocolState, Role } from './protocol.ts';

export interface ConnectionOptions {
  /** ms to wait for the peer's close frame (and then its FIN) before destroying the socket. */
  closeTimeout?: number;
  highWaterMark?: number;
  maxBufferedAmount?: number;
}

export interface ConnectionInfo extends ConnectionOptions {
  protocol?: string | undefined;
  path?: string;
  /** Keepalive state, when the owner runs a KeepaliveSweep over this connection. */
  liveness?: Liveness | undefined;
  /** The time given to `liveness` (default performance.now): the owner's clock. */
  clock?: (() => number) | undefined;
}

export interface WebSocketConnectionEvents {
  message: [data: string | Buffer, isBinary: boolean];
  ping: [data: Buffer];
  pong: [data: Buffer];
  close: [code: number, reason: string];
  error: [error: Error];
  drain: [];
}

export class WebSocketConnection
  extends EventEmitter<WebSocketConnectionEvents>
  implements KeepaliveMember
{
  readonly role: Role;
  readonly protocol: string | undefined;
  readonly path: string;
  readonly remoteAddress: string | undefined;

  private readonly closeTimeout: number;
  private readonly highWaterMark: number;
  private readonly maxBufferedAmount: number;
  private flushScheduled = false;
  /** True while handling a read: sends made then are flushed once at its end. */
  private receiving = false;
  private readingPaused = false;
  private closeTimer: NodeJS.Timeout | undefined;
  private socketClosed = false;
  private localFailure: ProtocolError | undefined;
  private readonly liveness: Liveness | undefined;
  private readonly clock: () => number;

  constructor(
    private readonly socket: Socket,
    /** The sans-I/O state machine this class drives. */
    private readonly machine: Protocol,
    info: ConnectionInfo = {},
  ) {
    super();
    this.role = machine.role;
    this.protocol = info.protocol;
    this.path = info.path ?? '/';
    this.remoteAddress = socket.remoteAddress;
    this.closeTimeout = info.closeTimeout ?? DEFAULT_CLOSE_TIMEOUT;
    this.highWaterMark = info.highWaterMark ?? DEFAULT_HIGH_WATER_MARK;
    this.maxBufferedAmount = info.maxBufferedAmount ?? DEFAULT_MAX_BUFFERED_AMOUNT;
    this.liveness = info.liveness;
    this.clock = info.clock ?? (() => performance.now());
    // Small frames should leave now, not wait for Nagle's algorithm; we batch ourselves.
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('drain', () => this.onDrain());
    socket.on('error', (error) => this.emitError(error));
    socket.on('close', () => this.onSocketClose());
  }

  get readyState(): ProtocolState {
    if (this.socketClosed) return 'closed';
    return this.machine.state === 'open' ? 'open' : 'closing';
  }

  /** Bytes queued in user space plus the socket's own write buffer. */
  get bufferedAmount(): number {
    return this.machine.bytesToSend + this.socket.writableLength;
  }

  /**
   * Strings go as text frames, bytes as binary frames. Returns false, sending nothing, once the
   * closing handshake has started: the peer may close at any moment (even in the same read as
   * the message being answered), so sending into a closing connection must not throw.
   */
  send(data: string | Uint8Array): boolean {
    if (!this.canSend()) return false;
    if (typeof data === 'string') this.machine.sendText(data);
    else this.machine.sendBinary(data);
    return this.afterSend();
  }

  /** Sends a ping (at most 125 bytes); false, sending nothing, once closing. */
  ping(data?: Uint8Array): boolean {
    if (!this.canSend()) return false;
    this.machine.sendPing(data);
    return this.afterSend();
  }

  /** Sends one raw frame (e.g. a fragment of a message); see Protocol.sendFrame. */
  sendFrame(frame: Frame): boolean {
    if (!this.canSend()) return false;
    this.machine.sendFrame(frame);
    return this.afterSend();
  }

  /** Starts the closing handshake; the socket is destroyed if the peer does not answer in time. */
  close(code?: number, reason?: string): void {
    if (this.socketClosed || this.machine.closeSent) return;
    this.machine.sendClose(code, reason);
    this.flush();
    this.armCloseTimer();
    if (this.readingPaused) {
      // We send no more data frames, so reading cannot grow our buffers any more — and the
      // peer's close frame has to be read for the handshake to finish.
      this.readingPaused = false;
      this.socket.resume();
    }
    if (this.machine.shouldCloseTransport) this.endTransport();
  }

  /** Destroys the socket now, without a closing handshake. */
  terminate(): void {
    this.socket.destroy();
  }

  /** Handles bytes read from the socket; the server and client also feed it bytes that arrived with the handshake. */
  receive(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.liveness?.onActivity(this.clock());
    const machine = this.machine;
    machine.receiveData(chunk);
    this.receiving = true;
    try {
      this.emitEvents();
    } finally {
      this.receiving = false;
      // Replies produced by the handlers (echoes, pongs) leave in one write.
      this.flush();
    }
    if (machine.shouldCloseTransport) {
      if (machine.failure) this.emitError(machine.failure);
      this.endTransport();
    }
  }

  /**
   * An application handler threw. As Python's `websockets` does, only this connection pays:
   * it is closed with 1011 (internal error, no details for the peer) and the error is
   * reported — to 'error' listeners, or to stderr if there are none, so the bug is not lost.
   * The process and every other connection carry on.
   * @internal Also called by the server when one of its 'connection' listeners throws.
   */
  handlerFailed(thrown: unknown): void {
    reportError(
      this,
      asError(thrown),
      'websocket handler failed; closing its connection with 1011:',
    );
    this.close(CloseCode.INTERNAL_ERROR, 'internal error');
  }

  /**
   * Called by a keepalive sweep: pings a peer that has been silent for pingInterval, and fails
   * one that stayed silent pongTimeout after that ping.
   * @internal
   */
  checkLiveness(now: number): void {
    const liveness = this.liveness;
    if (liveness === undefined || this.readyState !== 'open') return;
    if (this.readingPaused) {
      // We stopped reading this peer (backpressure), so we cannot hear it: no verdict, and its
      // silence counts from when we listen again. maxBufferedAmount bounds a peer stuck there.
      liveness.onActivity(now);
      return;
    }
    const verdict = liveness.due(now);
    if (verdict === 'ping') this.ping();
    else if (verdict === 'dead') this.failSilentPeer(liveness.settings.pongTimeout);
  }

  /**
   * §7.1.7 _Fail the WebSocket Connection_ for a peer that answers nothing. A close frame with
   * 1011 says why to a peer that is merely slow (as python-websockets sends "1011 keepalive
   * ping timeout"); the socket is destroyed at once, because a peer that answers nothing will
   * not finish a closing handshake. (1006 may not be sent: §7.4.1 keeps it for reporting; `ws`
   * leaves keepalive to the application, whose usual terminate() sends no frame at all.)
   */
  private failSilentPeer(pongTimeout: number): void {
    this.localFailure = new ProtocolError(
      CloseCode.INTERNAL_ERROR,
      'WS_ERR_KEEPALIVE_TIMEOUT',
      `keepalive ping timeout: nothing received within ${pongTimeout} ms of our ping`,
    );
    this.machine.sendClose(CloseCode.INTERNAL_ERROR, 'keepalive ping timeout');
    this.flush();
    this.emitError(this.localFailure);
    this.socket.destroy();
  }

  /** Emits an application event; each listener that throws fails this connection (1011). */
  private emitSafely<K extends keyof WebSocketConnectionEvents>(
    event: K,
    ...args: WebSocketConnectionEvents[K]
  ): void {
    const count = this.listenerCount(event);
    if (count === 0) return;
    if (count === 1) {
      // The common case, on every message: emit() with one listener is the same guarantee,
      // without copying the listener list.
      try {
        // (TypeScript cannot match a generic event to its argument tuple; the call is exact.)
        (this.emit as (event: K, ...args: WebSocketConnectionEvents[K]) => boolean)(event, ...args);
      } catch (thrown) {
        this.handlerFailed(thrown);
      }
      return;
    }
    for (const thrown of callEachListener(this.rawListeners(event), this, args)) {
      this.handlerFailed(thrown);
    }
  }

  private emitEvents(): void {
    for (const event of this.machine.eventsReceived()) {
      switch (event.type) {
        case 'text':
          this.emitSafely('message', event.data, false);
          break;
        case 'binary':
          this.emitSafely('message', event.data, true);
          break;
        case 'ping':
          this.emitSafely('ping', event.data);
          break;
        case 'pong':
          this.emitSafely('pong', event.data);
          break;
        case 'close':
          break; // reported once, by onSocketClose, when TCP is really gone
      }
    }
  }

  private canSend(): boolean {
    return !this.socketClosed && !this.socket.destroyed && !this.machine.closeSent;
  }

  /** Applies the buffer limit and schedules the flush; false if the connection was failed. */
  private afterSend(): boolean {
    if (this.bufferedAmount > this.maxBufferedAmount) {
      this.overflow();
      return false;
    }
    if (!this.flushScheduled && !this.receiving) {
      this.flushScheduled = true;
      queueMicrotask(() => this.flush());
    }
    return true;
  }

  /** Writes everything queued in one go. */
  private flush(): void {
    this.flushScheduled = false;
    const chunks = this.machine.dataToSend();
    if (chunks.length === 0 || this.socket.destroyed) return;
    const socket = this.socket;
    if (chunks.length === 1) {
      socket.write(chunks[0] as Uint8Array);
    } else {
      // Small frames: join into one buffer. Any large payload (never copied by the Protocol):
      // hand the pieces over corked, which Node turns into a single writev.
      let total = 0;
      let hasLarge = false;
      for (const chunk of chunks) {
        total += chunk.length;
        if (chunk.length >= ZERO_COPY_THRESHOLD) hasLarge = true;
      }
      if (!hasLarge) {
        socket.write(Buffer.concat(chunks, total));
      } else {
        socket.cork();
        for (const chunk of chunks) socket.write(chunk);
        socket.uncork();
      }
    }
    if (!this.readingPaused && socket.writableLength > this.highWaterMark) {
      // The peer is not keeping up: stop reading until what we owe it has drained.
      this.readingPaused = true;
      socket.pause();
    }
  }

  private onDrain(): void {
    if (this.readingPaused && this.socket.writableLength <= this.highWaterMark) {
      this.readingPaused = false;
      this.socket.resume();
    }
    this.emitSafely('drain');
  }

  private overflow(): void {
    this.localFailure = new ProtocolError(
      CloseCode.POLICY_VIOLATION,
      'WS_ERR_SEND_BUFFER_FULL',
      `send buffer of ${this.bufferedAmount} bytes exceeds maxBufferedAmount ` +
        `${this.maxBufferedAmount}: the peer is not reading`,
    );
    this.machine.dataToSend(); // drop what it will never read
    this.emitError(this.localFailure);
    this.socket.destroy();
  }

  /** Closing handshake done (or failed): send our FIN; destroy if the peer never sends its. */
  private endTransport(): void {
    this.socket.end();
    this.armCloseTimer();
  }

  private armCloseTimer(): void {
    if (this.closeTimer !== undefined || this.socketClosed) return;
    this.closeTimer = setTimeout(() => this.socket.destroy(), this.closeTimeout);
    this.closeTimer.unref();
  }

  private onSocketClose(): void {
    if (this.socketClosed) return;
    this.socketClosed = true;
    clearTimeout(this.closeTimer);
    const { code, reason } = this.closeStatus();
    // The socket is gone already: a listener that throws here can only be reported.
    this.emitSafely('close', code, reason);
  }

  /** The peer's close if it sent one; else why we failed the connection; else 1006. */
  private closeStatus(): { code: number; reason: string } {
    const peer = this.machine.peerClose;
    if (peer) return peer;
    const failure = this.localFailure ?? this.machine.failure;
    if (failure) return { code: failure.closeCode, reason: failure.message };
    return { code: CloseCode.ABNORMAL, reason: '' };
  }

  /** 'error' is only emitted when someone listens: an unhandled one would crash the server. */
  private emitError(error: Error): void {
    reportError(this, error, undefined); // a peer's protocol error is no news for stderr
  }
}
