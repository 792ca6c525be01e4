/**
 * The WebSocket server over raw node:net: accept TCP, parse the HTTP request head from bytes,
 * answer 101 (or a refusal), then hand the socket to a WebSocketConnection.
 *
 *   TCP accept ─▶ ServerOpening (head limit 431, deadline 408) ─▶ not an upgrade? onHttpRequest / 426
 *              └▶ validateUpgradeRequest ─▶ admit hook ─▶ 101 ─▶ WebSocketConnection ─▶ 'connection'
 *                                        └▶ HandshakeError ─▶ formatErrorResponse, end
 */
import { EventEmitter } from 'node:events';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { createSecureContext, type SecureContext, TLSSocket, type TlsOptions } from 'node:tls';
import { type AdmitHook, refusalFor } from './admission.ts';
import { WebSocketConnection } from './connection.ts';
import { CloseCode, DEFAULT_CLOSE_TIMEOUT, RETRY_AFTER_SECONDS } from './constants.ts';
import { HandshakeError } from './errors.ts';
import { resolveDeflateOptions } from './extensions/permessage-deflate.ts';
import {
  formatErrorResponse,
  formatHttpResponse,
  formatSwitchingProtocols,
  isUpgradeRequest,
  type UpgradeDecision,
  type UpgradeOptions,
  validateUpgradeRequest,
} from './handshake.ts';
import type { HttpRequestHead } from './http-head.ts';
import { KeepaliveSweep } from './keepalive.ts';
import { asError, callEachListener, reportError } from './listeners.ts';
import { type KeepaliveSettings, keepaliveSettings } from './liveness.ts';
import { ServerOpening } from './opening.ts';
import { Protocol } from './protocol.ts';

export interface HttpResponse {
  status: number;
  headers?: Record<string, string>;
  body: string | Uint8Array;
}

export interface ServerOptions extends UpgradeOptions {
  /** Default '127.0.0.1'. */
  host?: string;
  /** Default 0: any free port. */
  port?: number;
  /** Largest message accepted, in bytes (default DEFAULT_MAX_PAYLOAD, 64 MiB). */
  maxPayload?: number;
  /** Request head limit (default 8 KiB); longer heads get 431. */
  maxHeaderBytes?: number;
  /** ms for the whole handshake to arrive (default 10 s); slower clients are cut off. */
  handshakeTimeout?: number;
  /** ms to wait for the peer's close frame before destroying the socket (default 5 s). */
  closeTimeout?: number;
  /** Bytes waiting to be written above which we stop reading the peer (default 1 MiB). */
  highWaterMark?: number;
  /**
   * Most WebSocket connections open at once (default: no limit). One more is refused before
   * the 101 with 503 and Retry-After, instead of being accepted and then closed.
   */
  maxConnections?: number;
  /** Bytes waiting to be written above which the connection is failed (default 128 MiB). */
  maxBufferedAmount?: number;
  /**
   * ms of silence from a peer after which it is pinged (default 20 s; 0 turns keepalive off).
   * Anything the peer sends counts as an answer; see liveness.ts.
   */
  pingInterval?: number;
  /** ms after that ping within which the peer must send something, else 1011 (default 20 s). */
  pongTimeout?: number;
  /**
   * Serve wss: instead of ws: — node:tls options, at least `key` and `cert` (or `pfx`, or an
   * `SNICallback`). One `handshakeTimeout` (above) covers the TLS and the HTTP handshake.
   */
  tls?: TlsOptions;
  /**
   * The server's time in ms, for its deadlines and keepalive (default `performance.now()`).
   * For tests and simulations: a clock the test moves makes a deadline's outcome depend on
   * the test's steps, not on how fast the machine is. Never goes backwards.
   */
  clock?: () => number;
  /** Plain HTTP (non-upgrade) GET requests, e.g. to serve a page; return undefined for 404. */
  onHttpRequest?: (head: HttpRequestHead) => HttpResponse | undefined;
  /**
   * Decides on a valid upgrade request before the 101, seeing the head and the peer's address:
   * return `true`, or `{ status, reason, headers? }` to refuse (see admission.ts). May be
   * async: bounded by handshakeTimeout (503 once it passes). A throw, a rejection or any
   * other answer costs the request a 500 and goes to 'error'.
   */
  admit?: AdmitHook;
}

export interface WebSocketServerEvents {
  connection: [connection: WebSocketConnection, head: HttpRequestHead];
  error: [error: Error];
  listening: [];
}

/** With no 'error' listener, the application's bugs and the server's own trouble go to stderr. */
const SERVER_ERROR = 'websocket server error:';

export class WebSocketServer extends EventEmitter<WebSocketServerEvents> {
  private readonly tcp: Server;
  /** Set when serving wss: every accepted socket starts with a TLS handshake. */
  private readonly secureContext: SecureContext | undefined;
  private readonly live = new Set<WebSocketConnection>();
  /**
   * Raw TCP sockets still in their opening (TLS and/or HTTP), each with the 'close' listener
   * that forgets it; close() destroys them.
   */
  private readonly handshaking = new Map<Socket, () => void>();
  private closing = false;
  /** Keepalive: the settings every connection's Liveness shares, and the one sweep over `live`. */
  private readonly keepalive: KeepaliveSettings | undefined;
  private readonly sweep: KeepaliveSweep | undefined;
  /** The time every deadline and keepalive rule is given: options.clock, or performance.now. */
  private readonly clock: () => number;

  constructor(private readonly options: ServerOptions = {}) {
    super();
    if (options.tls) {
      const { key, cert, pfx, SNICallback } = options.tls;
      if (!((key && cert) || pfx || SNICallback)) {
        throw new TypeError('tls needs key and cert (or pfx, or SNICallback) to serve wss:');
      }
      if (options.tls.handshakeTimeout !== undefined) {
        throw new TypeError(
          'set handshakeTimeout on the server options, not inside tls: one deadline covers both handshakes',
        );
      }
      // Built once, here, so that a bad key or certificate fails createServer, not each client.
      this.secureContext = createSecureContext(options.tls);
    }
    // Checked now, so that a bad option fails createServer rather than each upgrade.
    resolveDeflateOptions(options.perMessageDeflate);
    this.clock = options.clock ?? (() => performance.now());
    this.keepalive = keepaliveSettings(options);
    this.sweep = this.keepalive && new KeepaliveSweep(this.keepalive, () => this.live, this.clock);
    this.tcp = createTcpServer((socket) => this.accept(socket));
    // Errors before 'listening' reject listen(); later ones go to 'error' listeners, if any
    // (an 'error' event nobody listens to would crash the process).
    this.tcp.on('error', (error) => {
      if (this.tcp.listening) reportError(this, error, SERVER_ERROR);
    });
  }

  /** Upgraded connections that are not yet closed. */
  get connections(): ReadonlySet<WebSocketConnection> {
    return this.live;
  }

  listen(): Promise<{ host: string; port: number; url: string }> {
    const host = this.options.host ?? '127.0.0.1';
    return new Promise((resolve, reject) => {
      this.tcp.once('error', reject);
      this.tcp.listen(this.options.port ?? 0, host, () => {
        this.tcp.off('error', reject);
        const address = this.tcp.address();
        const port = typeof address === 'object' && address !== null ? address.port : 0;
        const urlHost = host.includes(':') ? `[${host}]` : host;
        const scheme = this.options.tls ? 'wss' : 'ws';
        this.emit('listening');
        resolve({ host, port, url: `${scheme}://${urlHost}:${port}/` });
      });
    });
  }

  /**
   * Graceful shutdown: stop accepting, send `code` (1001) to every client, wait for each to
   * finish its closing handshake (bounded by closeTimeout), then resolve.
   */
  async close(code: number = CloseCode.GOING_AWAY, reason = 'server shutting down'): Promise<void> {
    this.closing = true;
    this.sweep?.stop();
    const stopped = new Promise<void>((resolve) => this.tcp.close(() => resolve()));
    // Cleared now, not when each socket reports 'close' (a later tick): an admit hook's answer
    // arriving in between must find its opening over.
    for (const socket of this.handshaking.keys()) socket.destroy();
    this.handshaking.clear();
    const gone = [...this.live].map(
      (connection) =>
        new Promise<void>((resolve) => {
          if (connection.readyState === 'closed') return resolve();
          connection.once('close', () => resolve());
          connection.close(code, reason);
        }),
    );
    await Promise.all(gone);
    await stopped;
  }

  private accept(raw: Socket): void {
    // No address means the peer is gone already (Node gives none for a closed socket).
    if (this.closing || raw.remoteAddress === undefined) {
      raw.destroy();
      return;
    }
    this.trackOpening(raw);
    // Errors during the opening (e.g. ECONNRESET) just end that socket. (A shared listener,
    // not a closure: it stays on the socket for its whole life and must hold nothing.)
    raw.on('error', destroyOnError);
    // One deadline for the whole opening: the TLS handshake (wss:), then the HTTP request.
    const opening = new ServerOpening({
      startedAt: this.clock(),
      handshakeTimeout: this.options.handshakeTimeout,
      maxHeaderBytes: this.options.maxHeaderBytes,
    });
    if (this.secureContext === undefined) {
      this.readRequest(raw, raw, opening);
      return;
    }
    const secure = new TLSSocket(raw, {
      ...this.options.tls,
      isServer: true,
      secureContext: this.secureContext,
    });
    // A client that never finishes TLS (a plain ws: client, a scanner, a silent socket) gets
    // no HTTP answer: it could not read one. Its socket is simply closed.
    const stopWatching = watchDeadline(opening, this.clock, () => raw.destroy());
    secure.on('error', destroyOnError);
    secure.once('close', stopWatching);
    secure.once('secure', () => {
      stopWatching();
      secure.off('close', stopWatching); // it holds the opening: not for the connection's life
      const { requestCert, rejectUnauthorized } = this.options.tls ?? {};
      // Only when client certificates were asked for and must be valid (tls.Server's rule).
      if (requestCert && rejectUnauthorized !== false && !secure.authorized) {
        secure.destroy();
        return;
      }
      this.readRequest(raw, secure, opening);
    });
  }

  /**
   * Puts `raw` in `handshaking` until its opening ends or it closes. The listener is made here,
   * not in accept(), so that it holds the socket and nothing of the opening.
   */
  private trackOpening(raw: Socket): void {
    const forget = () => this.handshaking.delete(raw);
    this.handshaking.set(raw, forget);
    raw.once('close', forget);
  }

  /**
   * The opening is over: `raw` leaves `handshaking` and loses its 'close' listener, so that an
   * upgraded socket keeps nothing of its opening.
   */
  private endOpening(raw: Socket): void {
    const forget = this.handshaking.get(raw);
    if (forget === undefined) return;
    raw.off('close', forget);
    this.handshaking.delete(raw);
  }

  /** Reads the HTTP request head from `socket` (the raw socket, or TLS on top of it). */
  private readRequest(raw: Socket, socket: Socket, opening: ServerOpening): void {
    // A client that trickles (or never finishes) its request, or an admit hook that does not
    // decide in time, is cut off at the opening's deadline: 408 (the client was slow) or 503
    // (the hook was) says why.
    const stopWatching = watchDeadline(opening, this.clock, (error) => refuse(error));
    // Ends the opening; while it runs, `raw` is in `handshaking` (server.close() destroys it).
    // Every listener that holds the opening (its parser, the request head, the deadline's
    // timer) comes off the socket here: an upgraded connection keeps none of them.
    const done = () => {
      stopWatching();
      socket.off('data', onData);
      socket.off('close', done);
      this.endOpening(raw);
    };
    const refuse = (error: HandshakeError) => {
      done();
      socket.resume(); // read (and drop) whatever comes, so that the peer's FIN is seen
      socket.end(formatErrorResponse(error));
      destroySoon(socket, this.options.closeTimeout ?? DEFAULT_CLOSE_TIMEOUT);
    };
    const onData = (chunk: Buffer) => {
      const step = opening.receive(chunk, this.clock());
      if (step.kind === 'waiting') return;
      if (step.kind === 'refused') return refuse(step.error);
      socket.off('data', onData);
      this.handleRequest({ raw, socket, opening, head: step.head, rest: step.rest, refuse, done });
    };
    socket.on('data', onData);
    if (socket !== raw) socket.on('error', destroyOnError);
    socket.on('close', done);
  }

  private handleRequest(request: OpeningRequest): void {
    const { socket, head, refuse, done } = request;
    // RFC 9110 §9.1: HEAD is answered like GET, without the body.
    if ((head.method === 'GET' || head.method === 'HEAD') && !isUpgradeRequest(head)) {
      done();
      this.answerPlainHttp(socket, head, refuse);
      return;
    }
    let decision: ReturnType<typeof validateUpgradeRequest>;
    try {
      decision = validateUpgradeRequest(head, this.options);
    } catch (error) {
      refuse(this.asHandshakeError(error));
      return;
    }
    this.admit(request, () => {
      done();
      this.upgrade(request, decision);
    });
  }

  /**
   * Asks the application's admit hook (if any) about a valid upgrade request, then calls
   * `admitted` — or refuses with the hook's status. An async hook is bounded by the opening's
   * deadline: the watch started in readRequest still runs and answers 503 when it passes,
   * and an answer that comes later is dropped. A hook that throws, rejects or answers neither
   * true nor a refusal costs the request a 500 and is reported to 'error'.
   */
  private admit(request: OpeningRequest, admitted: () => void): void {
    const { raw, socket, opening, head, refuse } = request;
    const hook = this.options.admit;
    if (hook === undefined) {
      admitted();
      return;
    }
    const verdict = (answer: unknown): HandshakeError | undefined => {
      try {
        return refusalFor(answer);
      } catch (error) {
        return this.asHandshakeError(error);
      }
    };
    const conclude = (refusal: HandshakeError | undefined) =>
      refusal === undefined ? admitted() : refuse(refusal);
    let answer: ReturnType<AdmitHook>;
    try {
      answer = hook({
        head,
        remoteAddress: raw.remoteAddress as string, // checked in accept()
        remotePort: raw.remotePort as number,
      });
    } catch (error) {
      refuse(this.asHandshakeError(error));
      return;
    }
    if (!isPromiseLike(answer)) {
      conclude(verdict(answer));
      return;
    }
    // Bytes after the head (early frames) wait in the socket until there is a connection.
    socket.pause();
    opening.startAdmission();
    Promise.resolve(answer)
      .then(verdict, (error: unknown) => this.asHandshakeError(error))
      .then((refusal) => {
        // Refused at the deadline already, closed by the peer, or the server is closing: the
        // answer comes in a microtask, possibly after close() began, and must not upgrade.
        if (raw.destroyed || this.closing || !this.handshaking.has(raw)) return;
        conclude(opening.finishAdmission(this.clock()) ?? refusal);
      })
      .catch((error: unknown) => {
        // A bug of ours past this point must not become an unhandled rejection.
        reportError(this, asError(error), SERVER_ERROR);
        socket.destroy();
      });
  }

  /** The request is admitted: 101 (unless the server is full), then the WebSocket connection. */
  private upgrade(request: OpeningRequest, decision: UpgradeDecision): void {
    const { socket, head, rest, refuse } = request;
    if (this.closing) {
      // close() has stopped the sweep and is counting the connections it waits for: one
      // made now would outlive it.
      socket.destroy();
      return;
    }
    const maxConnections = this.options.maxConnections ?? Number.POSITIVE_INFINITY;
    if (this.live.size >= maxConnections) {
      // Refused before the 101, while an HTTP status can still say why and when to come back.
      refuse(
        new HandshakeError(
          503,
          'WS_ERR_SERVER_FULL',
          `server is full (${maxConnections} connections): try again later`,
          { 'Retry-After': String(RETRY_AFTER_SECONDS) },
        ),
      );
      return;
    }
    socket.write(formatSwitchingProtocols(decision));
    const connection = new WebSocketConnection(
      socket,
      new Protocol({
        role: 'server',
        maxPayload: this.options.maxPayload,
        extension: decision.extension,
      }),
      {
        protocol: decision.protocol,
        path: head.target,
        closeTimeout: this.options.closeTimeout,
        highWaterMark: this.options.highWaterMark,
        maxBufferedAmount: this.options.maxBufferedAmount,
      },
    );
    if (this.keepalive) connection.trackLiveness(this.keepalive, this.clock);
    this.live.add(connection);
    this.sweep?.wake();
    connection.on('close', () => this.live.delete(connection));
    // Every listener runs even if one throws; a throw fails only this connection (1011).
    for (const thrown of callEachListener(this.rawListeners('connection'), this, [
      connection,
      head,
    ])) {
      connection.handlerFailed(thrown);
    }
    // Reading was paused while an async admit hook decided. resume() takes effect on the next
    // tick, so the bytes held meanwhile come after `rest`; a pause for backpressure while
    // handling `rest` comes later, and wins.
    socket.resume();
    // Frames that arrived in the same read as the request head — even after a failed
    // listener: they may hold the peer's close frame, which lets the closing finish now.
    connection.receive(rest);
  }

  /** Not a WebSocket request: serve it through onHttpRequest, or say this is a WebSocket server. */
  private answerPlainHttp(
    socket: Socket,
    head: HttpRequestHead,
    refuse: (error: HandshakeError) => void,
  ): void {
    const hook = this.options.onHttpRequest;
    if (hook === undefined) {
      const message = 'this is a websocket endpoint: send an upgrade request';
      refuse(new HandshakeError(426, 'WS_ERR_NOT_AN_UPGRADE', message, { Upgrade: 'websocket' }));
      return;
    }
    let responseHead: string;
    let body: Uint8Array;
    try {
      const response = hook(head);
      if (response === undefined) {
        refuse(new HandshakeError(404, 'WS_ERR_HTTP_NOT_FOUND', 'not found'));
        return;
      }
      body = typeof response.body === 'string' ? Buffer.from(response.body) : response.body;
      // Checked, not trusted: a CR or LF from application data in a header would let it
      // write headers of its own (response splitting).
      responseHead = formatHttpResponse(response.status, response.headers ?? {}, body.length);
    } catch (error) {
      refuse(this.asHandshakeError(error));
      return;
    }
    socket.write(responseHead);
    if (head.method === 'HEAD') socket.end();
    else socket.end(body);
    destroySoon(socket, this.options.closeTimeout ?? DEFAULT_CLOSE_TIMEOUT);
  }

  /**
   * A guard's refusal stays as it is. Anything else was thrown by the application's hook
   * (checkOrigin, onHttpRequest): the client gets 500, the server's 'error' listeners (if any)
   * get the error, and the process keeps serving everyone else.
   */
  private asHandshakeError(error: unknown): HandshakeError {
    if (error instanceof HandshakeError) return error;
    reportError(this, asError(error), SERVER_ERROR);
    return new HandshakeError(500, 'WS_ERR_HOOK_FAILED', 'internal server error');
  }
}

/** An upgrade request whose head is in, and what its opening needs to answer it. */
interface OpeningRequest {
  /** The TCP socket: its address is the peer's; while in `handshaking`, the opening runs. */
  readonly raw: Socket;
  /** raw, or TLS on top of it: where the answer goes. */
  readonly socket: Socket;
  readonly opening: ServerOpening;
  readonly head: HttpRequestHead;
  /** Bytes that came after the head in the same read (early frames). */
  readonly rest: Uint8Array;
  /** Sends the refusal and ends the opening. */
  readonly refuse: (error: HandshakeError) => void;
  /** Ends the opening (the deadline watch) without an answer: the caller answers. */
  readonly done: () => void;
}

function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | undefined)?.then === 'function';
}

/**
 * Keeps one timer on an opening's deadline and calls `onLate` when the opening says it is late.
 * A timer that fires before the clock reaches the deadline is armed again for the rest; once
 * the opening has decided, the watch ends by itself.
 * Returns the function that stops watching.
 */
function watchDeadline(
  opening: ServerOpening,
  clock: () => number,
  onLate: (error: HandshakeError) => void,
): () => void {
  const check = () => {
    const late = opening.expire(clock());
    if (late) onLate(late);
    else if (opening.waiting) timer = setTimeout(check, Math.max(1, opening.timeLeft(clock())));
  };
  let timer = setTimeout(check, opening.timeLeft(clock()));
  return () => clearTimeout(timer);
}

/** An 'error' listener for a socket in its opening: the socket just ends (`this` is the socket). */
function destroyOnError(this: Socket): void {
  this.destroy();
}

/** After end(), give the peer a bounded time to read the answer, then free the socket. */
function destroySoon(socket: Socket, ms: number): void {
  const timer = setTimeout(() => socket.destroy(), ms);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}

export function createServer(
  options: ServerOptions = {},
  onConnection?: (connection: WebSocketConnection, head: HttpRequestHead) => void,
): WebSocketServer {
  const server = new WebSocketServer(options);
  if (onConnection) server.on('connection', onConnection);
  return server;
}
