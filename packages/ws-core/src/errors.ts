/**
 * The package's error tree. Protocol errors carry the close code the connection fails with;
 * handshake errors carry the HTTP status the server answers with. Turning them into bytes
 * happens in exactly one place each: `Protocol.fail` and `formatErrorResponse`.
 *
 *   WebSocketError { code }
 *   ├── ProtocolError { closeCode }        1002, 1007, 1008, 1009, 1011
 *   │   └── MessageTooBigError             always 1009
 *   ├── HandshakeError { status, headers } 400, 403, 405, 408, 426, 431, 503, ...
 *   └── ConnectionClosedError { closeCode, reason }  sending on a closed connection
 *
 * Every one carries `code`, a name from ERROR_CODES for programs to match on (messages are
 * for people and may be reworded). Where `ws` names the same case, the name is the same.
 *
 * Two kinds of trouble are not in this tree, on purpose:
 *   - an argument that can never work, passed to a synchronous call (createServer's tls with no
 *     certificate or a pingInterval of -1, a close code that may not be sent, a ping over 125
 *     bytes) throws TypeError or RangeError at the call: it is a bug in the caller, not a
 *     failure to handle. connect() is asynchronous and never throws: it rejects with a
 *     WebSocketError for everything, its own arguments included (WS_ERR_INVALID_URL,
 *     WS_ERR_INVALID_OPTION, ...), and a socket error behind a failure is its `cause`;
 *   - once a connection is open, Node's own socket errors (ECONNRESET, EPIPE) reach its
 *     'error' listeners as they are, with Node's `code`.
 */
import { CloseCode } from './constants.ts';

/** Each `err.code`, and when it is thrown. [n] is the close code, (n) the HTTP status. */
export const ERROR_CODES = {
  // ---- failing the connection (ProtocolError) ----
  WS_ERR_UNEXPECTED_RSV_1:
    '[1002] RSV1 set with no extension negotiated (§5.2), or on a control or continuation frame (RFC 7692 §6.1)',
  WS_ERR_UNEXPECTED_RSV_2_3: '[1002] RSV2 or RSV3 set, and no extension was negotiated (§5.2)',
  WS_ERR_EXPECTED_MASK: '[1002] a client frame that is not masked (§5.1)',
  WS_ERR_UNEXPECTED_MASK: '[1002] a server frame that is masked (§5.1)',
  WS_ERR_INVALID_OPCODE:
    '[1002] a reserved opcode, a continuation with nothing to continue, or a new data frame inside a fragmented message (§5.2, §5.4)',
  WS_ERR_EXPECTED_FIN: '[1002] a fragmented control frame (§5.5)',
  WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH:
    '[1002] a control frame over 125 bytes, or a close frame of 1 byte (§5.5, §5.5.1)',
  WS_ERR_INVALID_PAYLOAD_LENGTH: '[1002] a 64-bit length with its most significant bit set (§5.2)',
  WS_ERR_INVALID_CLOSE_CODE: '[1002] a close code that may not be sent (§7.4)',
  WS_ERR_INVALID_UTF8: '[1007] a text message or close reason that is not UTF-8 (§8.1)',
  WS_ERR_INVALID_DEFLATE_DATA:
    '[1007] a compressed message (RSV1) whose payload does not inflate (RFC 7692 §7.2.2)',
  WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH: '[1009] a frame length above 2^53 - 1',
  WS_ERR_UNSUPPORTED_MESSAGE_LENGTH:
    '[1009] a message over maxPayload (§10.4), compressed messages counted as they inflate',
  WS_ERR_SEND_BUFFER_FULL: '[1008] bytes waiting to be written passed maxBufferedAmount',
  WS_ERR_KEEPALIVE_TIMEOUT: '[1011] the peer sent nothing within pongTimeout of our ping',
  WS_ERR_PEER_NOT_READING:
    '[1008] we owed the peer bytes and it took none of them for pongTimeout (keepalive)',
  WS_ERR_INTERNAL:
    '[1011] a bug on our side while handling the peer’s bytes (or the server’s answer)',
  WS_ERR_CONNECTION_CLOSED: 'a send after our close frame (ConnectionClosedError)',
  // ---- the server's refusals (HandshakeError) ----
  WS_ERR_HANDSHAKE_TIMEOUT: '(408) the request head did not arrive within handshakeTimeout',
  WS_ERR_HEAD_TOO_LARGE: '(431) a request head over maxHeaderBytes',
  WS_ERR_MALFORMED_HEAD: '(400) a request line or a header line that is not HTTP',
  WS_ERR_METHOD_NOT_ALLOWED: '(405) an upgrade request that is not GET',
  WS_ERR_INVALID_HTTP_VERSION: '(400) an upgrade request that is not HTTP/1.1',
  WS_ERR_MISSING_HOST: '(400) no Host header',
  WS_ERR_INVALID_UPGRADE_HEADER: '(400) Upgrade is not "websocket" (also a 101 without it)',
  WS_ERR_INVALID_CONNECTION_HEADER: '(400) Connection lacks "upgrade" (also a 101 without it)',
  WS_ERR_UNSUPPORTED_VERSION: '(426) Sec-WebSocket-Version is not 13',
  WS_ERR_INVALID_KEY: '(400) Sec-WebSocket-Key is not 16 bytes in base64',
  WS_ERR_UNKNOWN_PATH: '(404) an upgrade to a path outside `paths`',
  WS_ERR_ORIGIN_REFUSED: '(403) checkOrigin returned false',
  WS_ERR_SERVER_FULL: '(503) maxConnections are open',
  WS_ERR_ADMISSION_REFUSED: '(the hook’s status) the admit hook refused the request',
  WS_ERR_ADMISSION_TIMEOUT:
    '(503) an async admit hook did not answer within handshakeTimeout (with Retry-After)',
  WS_ERR_NOT_AN_UPGRADE: '(426) a plain HTTP request to a server with no onHttpRequest',
  WS_ERR_HTTP_NOT_FOUND: '(404) onHttpRequest returned undefined',
  WS_ERR_HOOK_FAILED: '(500) an application hook threw or answered something invalid',
  // ---- the client's opening (WebSocketError, or HandshakeError with the status received) ----
  WS_ERR_INVALID_URL: 'connect() was given a malformed url or one that is not ws: or wss:',
  WS_ERR_INVALID_OPTION: 'connect() was given an option it cannot use (e.g. pingInterval -1)',
  WS_ERR_INVALID_HEADER: 'an extra request header with a bad name or a control character',
  WS_ERR_INVALID_SUBPROTOCOL: 'a subprotocol to offer that is not a token',
  WS_ERR_CONNECT_FAILED: 'the TCP or TLS connection could not be opened (Node’s error is `cause`)',
  WS_ERR_CLOSED_DURING_HANDSHAKE:
    'the connection ended, or failed (Node’s error is `cause`), before the server answered',
  WS_ERR_INVALID_RESPONSE:
    'the server’s answer is not an HTTP response head (malformed, or over 8 KiB): no status',
  WS_ERR_UPGRADE_REFUSED: 'the server answered with a status other than 101',
  WS_ERR_INVALID_ACCEPT: 'Sec-WebSocket-Accept does not match the key we sent (§4.1)',
  WS_ERR_UNEXPECTED_EXTENSION: 'the server accepted an extension we did not offer (§4.1)',
  WS_ERR_INVALID_EXTENSION:
    'the server accepted permessage-deflate with parameters we did not offer or that are invalid (RFC 7692 §7.1)',
  WS_ERR_UNEXPECTED_SUBPROTOCOL: 'the server chose a subprotocol we did not offer (§4.1)',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class WebSocketError extends Error {
  override name = 'WebSocketError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export class ProtocolError extends WebSocketError {
  override name = 'ProtocolError';
  constructor(
    readonly closeCode: number,
    code: ErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(code, message, options);
  }
}

export class MessageTooBigError extends ProtocolError {
  override name = 'MessageTooBigError';
  constructor(
    code: 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' | 'WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH',
    message: string,
  ) {
    super(CloseCode.MESSAGE_TOO_BIG, code, message);
  }
}

export class HandshakeError extends WebSocketError {
  override name = 'HandshakeError';
  constructor(
    readonly status: number,
    code: ErrorCode,
    message: string,
    readonly headers?: Record<string, string>,
  ) {
    super(code, message);
  }
}

export class ConnectionClosedError extends WebSocketError {
  override name = 'ConnectionClosedError';
  constructor(
    /** The close code we sent (1005 when our close frame carried none). */
    readonly closeCode: number,
    readonly reason: string,
    message = `cannot send: the connection is closing or closed (code ${closeCode})`,
  ) {
    super('WS_ERR_CONNECTION_CLOSED', message);
  }
}
