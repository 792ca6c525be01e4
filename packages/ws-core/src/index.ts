/**
 * @course/ws-core — RFC 6455 WebSocket: a sans-I/O protocol core (handshake, frames,
 * Protocol) and a thin node:net layer (server, connection, client). See README.md.
 *
 * This file is the package's public API and its only entry point. Every other name in src/
 * (head parsing internals, the opening's deadline, keepalive's rule and sweep, mask kernels,
 * piece collectors, listener plumbing) may change without notice. test/public-api.test.ts
 * pins the list, so a new export is a decision, not an accident.
 */
// biome-ignore-all assist/source/organizeImports: grouped in the order a user reaches for them

// #region api
// Server over node:net: createServer(options, onConnection), then listen().
export {
  createServer,
  type HttpResponse,
  type ServerOptions,
  WebSocketServer,
  type WebSocketServerEvents,
} from './server.ts';

// One open connection, on either side: send, ping, close, and its events.
export {
  type ConnectionInfo,
  type ConnectionOptions,
  WebSocketConnection,
  type WebSocketConnectionEvents,
} from './connection.ts';

// Client: connect('ws://…' or 'wss://…') resolves to an open connection.
export { type ConnectOptions, connect } from './client.ts';

// The server's admit hook (ServerOptions.admit): true, or a refusal sent before the 101.
export type { Admission, AdmissionRequest, AdmitHook, Refusal } from './admission.ts';

// The opening handshake, sans-I/O (§4): request and response heads in, strings out.
export {
  computeAcceptKey,
  formatErrorResponse,
  formatHttpResponse,
  formatSwitchingProtocols,
  formatUpgradeRequest,
  generateKey,
  isUpgradeRequest,
  selectProtocol,
  targetPath,
  type UpgradeDecision,
  type UpgradeOptions,
  validateUpgradeRequest,
  validateUpgradeResponse,
} from './handshake.ts';
export {
  type HttpRequestHead,
  HttpRequestParser,
  type HttpResponseHead,
  HttpResponseParser,
} from './http-head.ts';

// Frames, sans-I/O (§5.2, §5.3): encode a frame, decode a header, mask a payload.
export {
  decodeFrameHeader,
  encodeFrame,
  type Frame,
  type FrameHeader,
  firstHeaderByte,
  frame,
  frameHeaderLength,
  writeFrameHeader,
} from './frames.ts';
export { applyMask } from './mask.ts';

// Chunks of any size in, whole unmasked frames out; judges nothing (Protocol does).
export { FrameParser, type FrameSink } from './frame-parser.ts';

// The connection's state machine, sans-I/O (§5–7): bytes in, events and bytes out.
export {
  Protocol,
  type ProtocolEvent,
  type ProtocolOptions,
  type ProtocolState,
  type Role,
  randomMask,
} from './protocol.ts';

// permessage-deflate (RFC 7692): the `perMessageDeflate` option of the server and the client,
// and the seam through which the Protocol applies a negotiated extension to each message.
export type { Extension } from './extensions/extension.ts';
export type { PerMessageDeflateOptions } from './extensions/permessage-deflate.ts';

// Close frames (§5.5.1, §7.4): which codes may be sent, and the payload both ways.
export {
  decodeClosePayload,
  encodeClosePayload,
  isValidCloseCode,
  truncateReason,
} from './close.ts';

// RFC 6455 constants and the package's defaults.
export {
  CloseCode,
  DEFAULT_CLOSE_TIMEOUT,
  DEFAULT_HANDSHAKE_TIMEOUT,
  DEFAULT_HIGH_WATER_MARK,
  DEFAULT_MAX_BUFFERED_AMOUNT,
  DEFAULT_MAX_HEADER_BYTES,
  DEFAULT_MAX_INFLATED_PAYLOAD,
  DEFAULT_MAX_PAYLOAD,
  DEFAULT_PING_INTERVAL,
  DEFAULT_PONG_TIMEOUT,
  MAGIC_GUID,
  MAX_CLOSE_REASON_BYTES,
  MAX_CONTROL_PAYLOAD,
  MAX_HEADER_LENGTH,
  Opcode,
  type OpcodeValue,
  RETRY_AFTER_SECONDS,
  WRITE_SLICE,
  ZERO_COPY_THRESHOLD,
} from './constants.ts';

// The error tree; programs match on `err.code`, one of ERROR_CODES.
export {
  ConnectionClosedError,
  ERROR_CODES,
  type ErrorCode,
  HandshakeError,
  MessageTooBigError,
  ProtocolError,
  WebSocketError,
} from './errors.ts';
// #endregion api
