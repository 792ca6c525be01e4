/**
 * The package's error tree. Protocol errors carry the close code the connection fails with;
 * handshake errors carry the HTTP status the server answers with. Turning them into bytes
 * happens in exactly one place each: `Protocol.fail` and `formatErrorResponse`.
 *
 *   WebSocketError
 *   ├── ProtocolError { closeCode }        1002, 1007, 1008, 1009, 1011
 *   │   └── MessageTooBigError             always 1009
 *   ├── HandshakeError { status, headers } 400, 403, 405, 426, 431, ...
 *   └── ConnectionClosedError { code, reason }  sending on a closed connection
 */
import { CloseCode } from './constants.ts';

export class WebSocketError extends Error {
  override name = 'WebSocketError';
}

export class ProtocolError extends WebSocketError {
  override name = 'ProtocolError';
  constructor(
    readonly closeCode: number,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export class MessageTooBigError extends ProtocolError {
  override name = 'MessageTooBigError';
  constructor(message: string) {
    super(CloseCode.MESSAGE_TOO_BIG, message);
  }
}

export class HandshakeError extends WebSocketError {
  override name = 'HandshakeError';
  constructor(
    readonly status: number,
    message: string,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

export class ConnectionClosedError extends WebSocketError {
  override name = 'ConnectionClosedError';
  constructor(
    readonly code: number,
    readonly reason: string,
    message = `cannot send: the connection is closing or closed (code ${code})`,
  ) {
    super(message);
  }
}
