/**
 * A small WebSocket client over node:net, for samples and tests: send the upgrade request,
 * check the server's 101 (Sec-WebSocket-Accept must match our key), then speak frames —
 * every one masked, as §5.1 requires of clients.
 */
import { connect as connectTcp, type Socket } from 'node:net';
import { WebSocketConnection } from './connection.ts';
import { DEFAULT_HANDSHAKE_TIMEOUT } from './constants.ts';
import { HandshakeError, WebSocketError } from './errors.ts';
import { formatUpgradeRequest, generateKey, validateUpgradeResponse } from './handshake.ts';
import { HttpResponseParser } from './http-head.ts';
import { Protocol } from './protocol.ts';

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
  highWaterMark?: number;
  maxBufferedAmount?: number;
}

/** Opens a connection to a ws:// URL; rejects with HandshakeError if the server refuses. */
export function connect(url: string, options: ConnectOptions = {}): Promise<WebSocketConnection> {
  // A promise either way: a malformed URL rejects like every other failure, never throws.
  if (!URL.canParse(url)) {
    return Promise.reject(
      new WebSocketError(`not a url: ${JSON.stringify(url)} (e.g. ws://127.0.0.1:1234/)`),
    );
  }
  const target = new URL(url);
  if (target.protocol !== 'ws:') {
    return Promise.reject(
      new WebSocketError(`unsupported url scheme ${target.protocol} (use ws:)`),
    );
  }
  const key = generateKey();
  const socket = connectTcp({
    host: target.hostname.replace(/^\[|\]$/g, ''),
    port: Number(target.port || 80),
  });
  return new Promise((resolve, reject) => {
    const parser = new HttpResponseParser();
    const timer = setTimeout(() => {
      fail(new WebSocketError('handshake timed out waiting for the server'));
    }, options.handshakeTimeout ?? DEFAULT_HANDSHAKE_TIMEOUT);
    const cleanup = () => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('error', fail);
      socket.off('close', onClose);
    };
    function fail(error: Error) {
      cleanup();
      socket.destroy();
      reject(error);
    }
    const onClose = () => fail(new WebSocketError('connection closed during the handshake'));
    const onData = (chunk: Buffer) => {
      let parsed: ReturnType<HttpResponseParser['push']>;
      try {
        parsed = parser.push(chunk);
        if (parsed === undefined) return;
        const { protocol } = validateUpgradeResponse(parsed.head, key, options.protocols);
        cleanup();
        resolve(open(socket, target, protocol, parsed.rest, options));
      } catch (error) {
        fail(error instanceof HandshakeError ? error : new WebSocketError(String(error)));
      }
    };
    socket.on('data', onData);
    socket.on('error', fail);
    socket.on('close', onClose);
    socket.write(formatUpgradeRequest(target, key, options));
  });
}

function open(
  socket: Socket,
  target: URL,
  protocol: string | undefined,
  rest: Uint8Array,
  options: ConnectOptions,
): WebSocketConnection {
  const connection = new WebSocketConnection(
    socket,
    new Protocol({
      role: 'client',
      maxPayload: options.maxPayload,
      generateMask: options.generateMask,
    }),
    {
      protocol,
      path: `${target.pathname}${target.search}`,
      closeTimeout: options.closeTimeout,
      highWaterMark: options.highWaterMark,
      maxBufferedAmount: options.maxBufferedAmount,
    },
  );
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
