/**
 * One WebSocket connection over a node:net socket: the thin I/O layer around Protocol.
 * Used by both the server (role 'server') and the client (role 'client').
 *
 * Writes are batched: everything sent during one tick (or while handling one read) leaves in a
 * single socket write. The socket is handed at most WRITE_SLICE bytes at a time; the rest is
 * held here and handed on as the socket finishes each write, so the peer's reading shows as
 * progress (`sent` grows) even in the middle of one large message.
 * Backpressure policy, in bytes waiting to be written (`bufferedAmount`):
 *   - above `highWaterMark` we stop reading from the socket until it drains, so a peer that
 *     keeps sending but stops reading cannot make us queue its replies without bound;
 *   - a send that leaves more than `maxBufferedAmount` waiting fails the connection with 1008
 *     and destroys the socket (a close frame could not get through anyway).
 * Keepalive: once its owner (the server, or connect()) calls trackLiveness, every read counts as
 * the peer's activity, and a sweep (one timer for many connections, keepalive.ts) calls
 * checkLiveness with what the socket shows of our writes, to ping a silent peer, or fail a dead
 * one or one that stopped reading.
 */
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import {
  CloseCode,
  DEFAULT_CLOSE_TIMEOUT,
  DEFAULT_HIGH_WATER_MARK,
  DEFAULT_MAX_BUFFERED_AMOUNT,
  WRITE_SLICE,
  ZERO_COPY_THRESHOLD,
} from './constants.ts';
import { ProtocolError } from './errors.ts';
import type { Frame } from './frames.ts';
import type { KeepaliveMember } from './keepalive.ts';
import { asError, callEachListener, reportError } from './listeners.ts';
import { type KeepaliveSettings, Liveness } from './liveness.ts';
import type { Protocol, ProtocolState, Role } from './protocol.ts';

export interface ConnectionOptions {
  /** ms to wait for the peer's close frame (and then its FIN) before destroying the socket. */
  closeTimeout?: number;
  highWaterMark?: number;
  maxBufferedAmount?: number;
}

/** What a connection is told when it wraps a socket: what the handshake settled, and its options. */
export interface ConnectionInfo extends ConnectionOptions {
  /** The subprotocol both sides agreed on, if any. */
  protocol?: string | undefined;
  /** The request target, e.g. '/chat' (default '/'). */
  path?: string;
}

export interface WebSocketConnectionEvents {
  message: [data: string | Buffer, isBinary: boolean];
  ping: [data: Buffer];
  pong: [data: Buffer];
  close: [code: number, reason: string];
  error: [error: Error];
  drain: [];
}

/** The connection a socket carries, for the socket listeners that every connection shares. */
const owner = Symbol('WebSocketConnection');
type OwnedSocket = Socket & { [owner]: WebSocketConnection };

/** The default clock for keepalive: monotonic ms, unaffected by changes to the wall clock. */
function monotonicNow(): number {
  return performance.now();
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
  /** Bytes not yet handed to the socket, in order, from `heldStart` on (see handOut). */
  private held: Uint8Array[] = [];
  private heldStart = 0;
  private heldBytes = 0;
  /** Bytes ever handed to the socket; less its writableLength, the bytes it has written. */
  private handed: number;
  /** A write was refused (the socket is full): 'drain' is owed once everything is written. */
  private drainOwed = false;
  /** The closing handshake is over but bytes are still held: end the socket after them. */
  private endWhenWritten = false;
  private closeTimer: NodeJS.Timeout | undefined;
  private socketClosed = false;
  private localFailure: ProtocolError | undefined;
  /** Keepalive state, once the owner's sweep watches this connection (trackLiveness). */
  private liveness: Liveness | undefined;
  /** The owner's clock, the time given to `liveness`. */
  private clock: () => number = monotonicNow;
  /**
   * socket.write's callback (afterWrite, bound once), made at the first write: an idle
   * connection writes nothing, so it holds no function for it.
   */
  private writeDone: (() => void) | undefined;

  constructor(
    private readonly socket: Socket,
    /** The sans-I/O state machine this class drives. */
    private readonly machine: Protocol,
    info: ConnectionInfo = {},
  ) {
    super();
    // The socket's listeners find their connection through the socket: a second connection on
    // it would take every byte and close from the first, which would then stay open for ever.
    if ((socket as Partial<OwnedSocket>)[owner] !== undefined) {
      throw new TypeError(
        'this socket already carries a WebSocketConnection: wrap each socket once',
      );
    }
    this.role = machine.role;
    this.protocol = info.protocol;
    this.path = info.path ?? '/';
    this.remoteAddress = socket.remoteAddress;
    this.closeTimeout = info.closeTimeout ?? DEFAULT_CLOSE_TIMEOUT;
    this.highWaterMark = info.highWaterMark ?? DEFAULT_HIGH_WATER_MARK;
    this.maxBufferedAmount = info.maxBufferedAmount ?? DEFAULT_MAX_BUFFERED_AMOUNT;
    // The server's 101 may still be in the socket: it is not ours to count as sent.
    this.handed = socket.writableLength;
    // Small frames should leave now, not wait for Nagle's algorithm; we batch ourselves.
    socket.setNoDelay(true);
    (socket as OwnedSocket)[owner] = this;
    socket.on('data', WebSocketConnection.onSocketData);
    socket.on('error', WebSocketConnection.onSocketError);
    socket.on('close', WebSocketConnection.onSocketClose);
  }

  // The socket's listeners: one set of functions shared by every connection, which the socket
  // calls with itself as `this` (closures would cost each connection three functions and their
  // context).
  private static readonly onSocketData = function (this: Socket, chunk: Buffer): void {
    (this as OwnedSocket)[owner].receive(chunk);
  };
  private static readonly onSocketError = function (this: Socket, error: Error): void {
    (this as OwnedSocket)[owner].emitError(error);
  };
  private static readonly onSocketClose = function (this: Socket): void {
    (this as OwnedSocket)[owner].onSocketClose();
  };

  /** The negotiated extension as the 101 said it (`permessage-deflate; …`), or '' (none). */
  get extensions(): string {
    return this.machine.extension?.header ?? '';
  }

  get readyState(): ProtocolState {
    if (this.socketClosed) return 'closed';
    return this.machine.state === 'open' ? 'open' : 'closing';
  }

  /** Bytes queued in user space plus the socket's own write buffer. */
  get bufferedAmount(): number {
    return this.machine.bytesToSend + this.heldBytes + this.socket.writableLength;
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
    const machine = this.machine;
    // Once the connection has failed or its closing handshake is done, the Protocol reads no
    // more: what still arrives (say, the rest of a message refused from its header) changes
    // nothing, and the failure was reported by the read that found it.
    if (chunk.length === 0 || machine.shouldCloseTransport) return;
    this.liveness?.onActivity(this.clock());
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
   * Puts this connection under its owner's keepalive sweep (keepalive.ts), which then calls
   * checkLiveness: from here on every read counts as the peer's activity, timed on `clock`.
   * The server and connect() call it right after construction, before any byte is read.
   * @internal
   */
  trackLiveness(settings: KeepaliveSettings, clock: () => number = monotonicNow): void {
    this.clock = clock;
    this.liveness = new Liveness(settings, clock());
  }

  /**
   * Called by a keepalive sweep: tells the Liveness what the socket shows of our writes, then
   * pings a peer that has been silent for pingInterval, fails one that stayed silent
   * pongTimeout after that ping, and one that took none of what we owe it for pongTimeout.
   * @internal
   */
  checkLiveness(now: number): void {
    const liveness = this.liveness;
    if (liveness === undefined || this.readyState !== 'open') return;
    const owed = this.bufferedAmount;
    const verdict = liveness.due(now, {
      sent: this.handed - this.socket.writableLength,
      owed,
      // While reading is paused (backpressure) we cannot hear the peer: silence proves nothing.
      listening: !this.readingPaused,
    });
    const { pongTimeout } = liveness.settings;
    if (verdict === 'ping') this.ping();
    else if (verdict === 'dead') this.failSilentPeer(pongTimeout);
    else if (verdict === 'stalled') {
      this.abandon(
        new ProtocolError(
          CloseCode.POLICY_VIOLATION,
          'WS_ERR_PEER_NOT_READING',
          `peer is not reading: ${owed} bytes waiting, none taken within ${pongTimeout} ms`,
        ),
      );
    }
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

  /** Takes everything the Protocol has queued and hands the socket what it will take now. */
  private flush(): void {
    this.flushScheduled = false;
    const chunks = this.machine.dataToSend();
    if (chunks.length === 0 || this.socket.destroyed) return;
    for (const chunk of chunks) {
      this.held.push(chunk);
      this.heldBytes += chunk.length;
    }
    this.handOut();
    if (!this.readingPaused && this.heldBytes + this.socket.writableLength > this.highWaterMark) {
      // The peer is not keeping up: stop reading until what we owe it has drained.
      this.readingPaused = true;
      this.socket.pause();
    }
  }

  /**
   * Hands held bytes to the socket in batches of at most WRITE_SLICE while it holds no more than
   * a slice: a batch the kernel takes at once is followed by the next; otherwise one batch is
   * being written and one waits behind it (so the kernel never waits for us), and afterWrite
   * hands on more as each is written.
   */
  private handOut(): void {
    const socket = this.socket;
    while (this.heldBytes > 0 && socket.writableLength <= WRITE_SLICE && !socket.destroyed) {
      this.writeBatch(this.takeBatch());
    }
    if (this.endWhenWritten && this.heldBytes === 0) {
      this.endWhenWritten = false;
      socket.end();
    }
  }

  /** The next held bytes to write: whole frames up to WRITE_SLICE, or a slice of a larger one. */
  private takeBatch(): { chunks: Uint8Array[]; size: number } {
    const chunks: Uint8Array[] = [];
    let size = 0;
    while (this.heldStart < this.held.length) {
      const chunk = this.held[this.heldStart] as Uint8Array;
      const room = WRITE_SLICE - size;
      if (chunk.length <= room) {
        chunks.push(chunk);
        size += chunk.length;
        this.heldStart++;
        continue;
      }
      if (chunk.length > WRITE_SLICE) {
        // A large payload goes a slice at a time, without copying.
        chunks.push(chunk.subarray(0, room));
        size += room;
        this.held[this.heldStart] = chunk.subarray(room);
      }
      break; // a frame that fits in a slice of its own waits for the next batch, whole
    }
    this.heldBytes -= size;
    if (this.heldStart === this.held.length) {
      this.held = [];
      this.heldStart = 0;
    }
    return { chunks, size };
  }

  /** One batch in one write: small frames joined; with a large payload, corked into one writev. */
  private writeBatch({ chunks, size }: { chunks: Uint8Array[]; size: number }): void {
    const socket = this.socket;
    this.writeDone ??= this.afterWrite.bind(this);
    const done = this.writeDone;
    this.handed += size;
    let accepted = true;
    if (chunks.length === 1) {
      accepted = socket.write(chunks[0] as Uint8Array, done);
    } else if (!chunks.some((chunk) => chunk.length >= ZERO_COPY_THRESHOLD)) {
      accepted = socket.write(Buffer.concat(chunks, size), done);
    } else {
      // Payloads this large are never copied by the Protocol; Node joins the pieces in a writev.
      socket.cork();
      for (const chunk of chunks) accepted = socket.write(chunk, done);
      socket.uncork();
    }
    if (!accepted) this.drainOwed = true;
  }

  /**
   * A write has finished (the kernel took it): hand on what is held, read the peer again once
   * what we owe it is back under highWaterMark, and say 'drain' once everything is written.
   */
  private afterWrite(): void {
    if (this.socket.destroyed) return;
    this.handOut();
    const owed = this.heldBytes + this.socket.writableLength;
    if (this.readingPaused && owed <= this.highWaterMark) {
      this.readingPaused = false;
      this.socket.resume();
    }
    if (this.drainOwed && owed === 0) {
      this.drainOwed = false;
      this.emitSafely('drain');
    }
  }

  private overflow(): void {
    this.abandon(
      new ProtocolError(
        CloseCode.POLICY_VIOLATION,
        'WS_ERR_SEND_BUFFER_FULL',
        `send buffer of ${this.bufferedAmount} bytes exceeds maxBufferedAmount ` +
          `${this.maxBufferedAmount}: the peer is not reading`,
      ),
    );
  }

  /**
   * Fails the connection with a peer that is not reading: no close frame (it would wait behind
   * everything the peer is not reading), what we owe it is dropped, and the socket destroyed.
   */
  private abandon(failure: ProtocolError): void {
    this.localFailure = failure;
    this.machine.dataToSend();
    this.dropHeld();
    this.emitError(failure);
    this.socket.destroy();
  }

  private dropHeld(): void {
    this.held = [];
    this.heldStart = 0;
    this.heldBytes = 0;
  }

  /** Closing handshake done (or failed): send our FIN; destroy if the peer never sends its. */
  private endTransport(): void {
    // Our close frame may still be held behind other frames: the FIN goes after them.
    if (this.heldBytes > 0) this.endWhenWritten = true;
    else this.socket.end();
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
    this.dropHeld();
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
