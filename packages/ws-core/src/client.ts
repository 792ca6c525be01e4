/**
 * A small WebSocket client over node:net (or node:tls for wss:), for samples and tests: send
 * the upgrade request, check the server's 101 (Sec-WebSocket-Accept must match our key), then
 * speak frames — every one masked, as §5.1 requires of clients.
 */
import { connect as connectTcp, isIP, type Socket } from 'node:net';
import { connect as connectTls, type ConnectionOptions as TlsOptions } from 'node:tls';
import { WebSocketConnection } from './connection.ts';
import { DEFAULT_HANDSHAKE_TIMEOUT, DEFAULT_PONG_TIMEOUT } from './constants.ts';
import { HandshakeError, WebSocketError } from './errors.ts';
import type { Extension } from './extensions/extension.ts';
import {
  type DeflateConfig,
  formatDeflateOffer,
  type PerMessageDeflateOptions,
  resolveDeflateOptions,
} from './extensions/permessage-deflate.ts';
import { formatUpgradeRequest, generateKey, validateUpgradeResponse } from './handshake.ts';
import { HttpResponseParser } from './http-head.ts';
import { KeepaliveSweep } from './keepalive.ts';
import { asError } from './listeners.ts';
import { type KeepaliveSettings, keepaliveSettings } from './liveness.ts';
import { Protocol } from './protocol.ts';

/** Keepalive is off unless asked for (pingInterval 0); pongTimeout as on the server. */
const CLIENT_KEEPALIVE_DEFAULTS = { pingInterval: 0, pongTimeout: DEFAULT_PONG_TIMEOUT };

/** Most of a refusal's body we read to report the server's reason (ws-core sends one line). */
const MAX_REFUSAL_BODY = 1024;

export interface ConnectOptions {
  /** Subprotocols to offer, most preferred first. */
  protocols?: readonly string[];
  /** Extra request headers, e.g. { Origin: 'http://example.com' }. */
  headers?: Record<string, string>;
  maxPayload?: number;
  /** Where masks come from; crypto-random unless injected (tests). */
  generateMask?: () => Uint8Array;
  /** ms for the server's answer (default 10 s). */
  handshakeTimeout?: number;
  closeTimeout?: number;
  /**
   * For wss: URLs, passed to tls.connect: e.g. `ca` to trust a private certificate. The
   * server's certificate is verified unless you set `rejectUnauthorized: false` (tests only).
   */
  tls?: TlsOptions;
  highWaterMark?: number;
  maxBufferedAmount?: number;
  /**
   * Keepalive, off by default on the client (0): ms of silence from the server after which we
   * ping it. A server pings its clients itself (ours does by default), which keeps the path
   * open both ways; set this when the server does not, or to notice a dead server sooner.
   */
  pingInterval?: number;
  /** ms after our ping within which the server must send something, else 1011 (default 20 s). */
  pongTimeout?: number;
  /**
   * Offer permessage-deflate (RFC 7692; default off, `true` for the defaults). A server that
   * declines it gets an uncompressed connection; one that answers it wrongly fails `connect`
   * with WS_ERR_INVALID_EXTENSION.
   */
  perMessageDeflate?: boolean | PerMessageDeflateOptions;
}

/**
 * Opens a connection to a ws: or wss: URL. Never throws: every failure rejects with a
 * WebSocketError that has a `code` — a HandshakeError with the status when the server refused
 * or answered its 101 wrongly; for a socket error, Node's error is the `cause`.
 */
export function connect(url: string, options: ConnectOptions = {}): Promise<WebSocketConnection> {
  // A promise either way: a malformed URL rejects like every other failure, never throws.
  if (!URL.canParse(url)) {
    return Promise.reject(
      new WebSocketError(
        'WS_ERR_INVALID_URL',
        `not a url: ${JSON.stringify(url)} (e.g. ws://127.0.0.1:1234/)`,
      ),
    );
  }
  const target = new URL(url);
  if (target.protocol !== 'ws:' && target.protocol !== 'wss:') {
    return Promise.reject(
      new WebSocketError(
        'WS_ERR_INVALID_URL',
        `unsupported url scheme ${target.protocol} (use ws: or wss:)`,
      ),
    );
  }
  let keepalive: ReturnType<typeof keepaliveSettings>;
  let deflate: DeflateConfig | undefined;
  try {
    keepalive = keepaliveSettings(options, CLIENT_KEEPALIVE_DEFAULTS);
    deflate = resolveDeflateOptions(options.perMessageDeflate);
  } catch (error) {
    const message = asError(error).message;
    return Promise.reject(new WebSocketError('WS_ERR_INVALID_OPTION', message, { cause: error }));
  }
  const key = generateKey();
  const secure = target.protocol === 'wss:';
  const host = target.hostname.replace(/^\[|\]$/g, '');
  const port = Number(target.port || (secure ? 443 : 80));
  let request: string;
  let socket: Socket;
  try {
    // Checked before any socket exists: a bad header or subprotocol, or tls options that
    // node:tls rejects (say, a malformed certificate), reject the promise and leak nothing.
    request = formatUpgradeRequest(target, key, {
      protocols: options.protocols,
      headers: options.headers,
      ...(deflate ? { extensions: formatDeflateOffer(deflate) } : {}),
    });
    socket = secure
      ? // SNI carries host names only (RFC 6066 §3), never an IP address.
        connectTls({ host, port, servername: isIP(host) ? undefined : host, ...options.tls })
      : connectTcp({ host, port });
  } catch (error) {
    if (error instanceof WebSocketError) return Promise.reject(error);
    const reason = asError(error).message;
    return Promise.reject(
      new WebSocketError('WS_ERR_CONNECT_FAILED', `could not open ${url}: ${reason}`, {
        cause: error,
      }),
    );
  }
  return new Promise((resolve, reject) => {
    const parser = new HttpResponseParser();
    /** Set once TCP (and TLS, for wss:) is up: a socket error before it means "could not open". */
    let opened = false;
    socket.once(secure ? 'secureConnect' : 'connect', () => {
      opened = true;
    });
    /** Set once the server has refused: its short text body says why, and is read first. */
    let refusal: { status: number; message: string; body: Buffer; want: number } | undefined;
    const timer = setTimeout(() => {
      if (refusal) return refuse();
      fail(
        new WebSocketError(
          'WS_ERR_HANDSHAKE_TIMEOUT',
          'handshake timed out waiting for the server',
        ),
      );
    }, options.handshakeTimeout ?? DEFAULT_HANDSHAKE_TIMEOUT);
    const cleanup = () => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('close', onClose);
    };
    function fail(error: Error) {
      cleanup();
      socket.destroy();
      reject(error);
    }
    /** Rejects with the refusal's status, and the server's own words when it sent some. */
    function refuse() {
      const { status, message, body } = refusal as NonNullable<typeof refusal>;
      const said = body
        .toString('utf8')
        .replace(/\p{Cc}+/gu, ' ') // control characters (CR, LF, escapes) become one space
        .trim();
      const reason = said === '' ? message : `${message}: ${said}`;
      fail(new HandshakeError(status, 'WS_ERR_UPGRADE_REFUSED', reason));
    }
    const onClose = () =>
      refusal
        ? refuse()
        : fail(
            new WebSocketError(
              'WS_ERR_CLOSED_DURING_HANDSHAKE',
              'connection closed during the handshake',
            ),
          );
    // Node's error (ECONNREFUSED, an untrusted certificate, a reset) becomes the cause of ours,
    // whose message says where it happened.
    const onError = (error: Error) =>
      fail(
        opened
          ? new WebSocketError(
              'WS_ERR_CLOSED_DURING_HANDSHAKE',
              `connection to ${url} failed during the handshake: ${error.message}`,
              { cause: error },
            )
          : new WebSocketError('WS_ERR_CONNECT_FAILED', `could not open ${url}: ${error.message}`, {
              cause: error,
            }),
      );
    const onData = (chunk: Buffer) => {
      if (refusal) return readRefusal(chunk);
      let parsed: ReturnType<HttpResponseParser['push']>;
      try {
        parsed = parser.push(chunk);
        if (parsed === undefined) return;
        if (parsed.head.status !== 101) {
          const { status, reason, headers } = parsed.head;
          const length = Number(headers.get('content-length'));
          const want =
            Number.isInteger(length) && length > 0 ? Math.min(length, MAX_REFUSAL_BODY) : 0;
          const message = `server refused the upgrade: ${status} ${reason}`;
          refusal = { status, message, body: Buffer.alloc(0), want };
          return readRefusal(Buffer.from(parsed.rest));
        }
        const { protocol, extension } = validateUpgradeResponse(
          parsed.head,
          key,
          options.protocols,
          deflate,
        );
        cleanup();
        resolve(open(socket, target, { protocol, extension }, parsed.rest, options, keepalive));
      } catch (error) {
        // HandshakeError for a bad 101, WS_ERR_INVALID_RESPONSE for a head that is not HTTP.
        fail(
          error instanceof WebSocketError
            ? error
            : new WebSocketError('WS_ERR_INTERNAL', String(error), { cause: error }),
        );
      }
    };
    const readRefusal = (chunk: Buffer) => {
      const state = refusal as NonNullable<typeof refusal>;
      const room = state.want - state.body.length;
      if (room > 0) state.body = Buffer.concat([state.body, chunk.subarray(0, room)]);
      if (state.body.length >= state.want) refuse();
    };
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('close', onClose);
    socket.write(request);
  });
}

function open(
  socket: Socket,
  target: URL,
  { protocol, extension }: { protocol: string | undefined; extension: Extension | undefined },
  rest: Uint8Array,
  options: ConnectOptions,
  keepalive: KeepaliveSettings | undefined,
): WebSocketConnection {
  const connection = new WebSocketConnection(
    socket,
    new Protocol({
      role: 'client',
      maxPayload: options.maxPayload,
      generateMask: options.generateMask,
      extension,
    }),
    {
      protocol,
      path: `${target.pathname}${target.search}`,
      closeTimeout: options.closeTimeout,
      highWaterMark: options.highWaterMark,
      maxBufferedAmount: options.maxBufferedAmount,
    },
  );
  if (keepalive) {
    connection.trackLiveness(keepalive);
    // A sweep of one: the same code as the server's, over this connection until it closes.
    new KeepaliveSweep(keepalive, () =>
      connection.readyState === 'closed' ? [] : [connection],
    ).wake();
  }
  // The server may send frames in the same read as its 101; they must not be lost. They are
  // fed a little later so the caller can attach 'message' listeners first, with the socket
  // paused meanwhile so that later bytes cannot overtake them.
  if (rest.length > 0) {
    socket.pause();
    setImmediate(() => {
      connection.receive(rest);
      socket.resume();
    });
  }
  return connection;
}
