/**
 * The opening handshake (RFC 6455 §4), sans-I/O: heads in, strings out.
 * Server: `validateUpgradeRequest` is a list of guard clauses, one HTTP status and one reason
 * each, then `formatSwitchingProtocols` or `formatErrorResponse`.
 * Client: `formatUpgradeRequest`, then `validateUpgradeResponse` on the server's answer.
 */
import { createHash, randomBytes } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { MAGIC_GUID } from './constants.ts';
import { HandshakeError, WebSocketError } from './errors.ts';
import type { Extension } from './extensions/extension.ts';
import { headerLines } from './extensions/extension-header.ts';
import {
  acceptDeflateResponse,
  type DeflateConfig,
  negotiateDeflate,
  type PerMessageDeflateOptions,
  resolveDeflateOptions,
} from './extensions/permessage-deflate.ts';
import { checkedHeaderLine, TOKEN } from './header-lines.ts';
import type { HttpRequestHead, HttpResponseHead } from './http-head.ts';

export interface UpgradeOptions {
  /** Subprotocols this server speaks, most preferred first. */
  protocols?: readonly string[];
  /**
   * WebSocket endpoints this server has, as paths (`'/chat'`); the query is ignored. An upgrade
   * to any other path is refused with 404 before the 101. Default: every path is accepted.
   */
  paths?: readonly string[];
  /** Return false to refuse the connection with 403 (e.g. an Origin allow-list). */
  checkOrigin?: (origin: string | undefined, head: HttpRequestHead) => boolean;
  /**
   * Accept permessage-deflate (RFC 7692) when a client offers it (default off; `true` for the
   * defaults). Offers that are malformed or that these options cannot meet are declined: the
   * connection opens uncompressed.
   */
  perMessageDeflate?: boolean | PerMessageDeflateOptions;
}

export interface UpgradeDecision {
  accept: string;
  protocol: string | undefined;
  key: string;
  /** The extension accepted (its `header` goes into the 101), for this connection's Protocol. */
  extension: Extension | undefined;
}

/** §4.2.2: base64(SHA-1(key + GUID)). */
export function computeAcceptKey(secWebSocketKey: string): string {
  return createHash('sha1')
    .update(secWebSocketKey + MAGIC_GUID)
    .digest('base64');
}

/** §4.1: a 16-byte nonce in base64 is exactly 22 symbols followed by "==". */
const KEY_PATTERN = /^[A-Za-z0-9+/]{22}==$/;

/** Splits a comma-separated header value into lower-cased tokens (RFC 9110 §5.6.1). */
function tokens(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value
    .split(',')
    .map((token) => token.trim().toLowerCase())
    .filter((token) => token !== '');
}

/** The path part of a request target: `'/chat?nick=a'` → `'/chat'`. */
export function targetPath(target: string): string {
  const query = target.indexOf('?');
  return query === -1 ? target : target.slice(0, query);
}

/** True when the request asks for a protocol switch at all (vs. a plain HTTP GET). */
export function isUpgradeRequest(head: HttpRequestHead): boolean {
  return head.headers.has('upgrade');
}

/** §4.2.1: the server's checks, in order. Throws HandshakeError with the status to answer. */
export function validateUpgradeRequest(
  head: HttpRequestHead,
  options: UpgradeOptions = {},
): UpgradeDecision {
  const { headers } = head;
  if (head.method !== 'GET') {
    throw new HandshakeError(
      405,
      'WS_ERR_METHOD_NOT_ALLOWED',
      `method ${head.method} not allowed: use GET`,
      { Allow: 'GET' },
    );
  }
  if (head.version !== 'HTTP/1.1') {
    throw new HandshakeError(
      400,
      'WS_ERR_INVALID_HTTP_VERSION',
      `websocket upgrade requires HTTP/1.1, got ${head.version}`,
    );
  }
  if (!headers.get('host')) {
    throw new HandshakeError(400, 'WS_ERR_MISSING_HOST', 'missing host header');
  }
  if (!tokens(headers.get('upgrade')).includes('websocket')) {
    throw new HandshakeError(
      400,
      'WS_ERR_INVALID_UPGRADE_HEADER',
      'upgrade header must be "websocket"',
    );
  }
  if (!tokens(headers.get('connection')).includes('upgrade')) {
    throw new HandshakeError(
      400,
      'WS_ERR_INVALID_CONNECTION_HEADER',
      'connection header must include "upgrade"',
    );
  }
  if (headers.get('sec-websocket-version') !== '13') {
    // §4.2.2: answer 426 and say which version we speak.
    throw new HandshakeError(
      426,
      'WS_ERR_UNSUPPORTED_VERSION',
      'unsupported sec-websocket-version: this server speaks 13',
      { 'Sec-WebSocket-Version': '13' },
    );
  }
  const key = headers.get('sec-websocket-key');
  if (key === undefined || !KEY_PATTERN.test(key)) {
    throw new HandshakeError(
      400,
      'WS_ERR_INVALID_KEY',
      'sec-websocket-key must be 16 bytes in base64',
    );
  }
  // §4.2.2: "If the requested service is not available, the server MUST send an appropriate
  // HTTP error code (such as 404 Not Found)" — before switching protocols, not after.
  const path = targetPath(head.target);
  if (options.paths && !options.paths.includes(path)) {
    const offer = options.paths.length > 0 ? `try ${options.paths.join(' or ')}` : 'there are none';
    throw new HandshakeError(
      404,
      'WS_ERR_UNKNOWN_PATH',
      `no websocket endpoint at ${path}: ${offer}`,
    );
  }
  if (options.checkOrigin && !options.checkOrigin(headers.get('origin'), head)) {
    throw new HandshakeError(403, 'WS_ERR_ORIGIN_REFUSED', 'origin not allowed');
  }
  // §9.1: the server answers with at most the extensions it supports, chosen from the client's
  // offers; permessage-deflate is ours, when turned on. Declined offers are simply not answered.
  const deflate = resolveDeflateOptions(options.perMessageDeflate);
  const offers = headerLines(head.rawHeaders, 'sec-websocket-extensions');
  const extension = deflate && negotiateDeflate(offers, deflate);
  return {
    accept: computeAcceptKey(key),
    protocol: selectProtocol(head, options.protocols),
    key,
    extension,
  };
}

/**
 * §4.2.2 /subprotocol/: the first of OUR protocols (our preference order) that the client
 * offered; undefined when there is no overlap, in which case no header is sent at all.
 */
export function selectProtocol(
  head: HttpRequestHead,
  supported: readonly string[] | undefined,
): string | undefined {
  if (!supported || supported.length === 0) return undefined;
  const offered = new Set(
    (head.headers.get('sec-websocket-protocol') ?? '')
      .split(',')
      .map((name) => name.trim())
      .filter((name) => name !== ''),
  );
  return supported.find((name) => offered.has(name));
}

/** The complete 101 response head. */
export function formatSwitchingProtocols(decision: UpgradeDecision): string {
  const lines = [
    'HTTP/1.1 101 Switching Protocols',
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Accept: ${decision.accept}`,
  ];
  if (decision.protocol !== undefined) lines.push(`Sec-WebSocket-Protocol: ${decision.protocol}`);
  if (decision.extension !== undefined) {
    lines.push(`Sec-WebSocket-Extensions: ${decision.extension.header}`);
  }
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** A plain HTTP response with a short text body; used for refusals and `onHttpRequest`. */
const FRAMING_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection']);

export function formatHttpResponse(
  status: number,
  headers: Record<string, string>,
  bodyLength: number,
): string {
  // 1xx answers (101 above all) are not final responses with a body; they are not ours to send here.
  if (!Number.isInteger(status) || status < 200 || status > 599) {
    throw new TypeError(`http status must be a whole number from 200 to 599, got ${status}`);
  }
  // RFC 9110 §15.3.5 and §15.4.5: 204 and 304 never have a body.
  const bodiless = status === 204 || status === 304;
  if (bodiless && bodyLength > 0) {
    throw new TypeError(`a ${status} response has no body, got ${bodyLength} bytes`);
  }
  const lines = [`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}`];
  for (const [name, value] of Object.entries(headers)) {
    // The framing is ours: a second Content-Length or a Transfer-Encoding would make the
    // client read the body differently from how we send it.
    if (FRAMING_HEADERS.has(name.toLowerCase())) {
      throw new TypeError(`http header ${name} is set by the server: leave it out`);
    }
    lines.push(checkedHeaderLine(name, value, (message) => new TypeError(message)));
  }
  if (!bodiless) lines.push(`Content-Length: ${bodyLength}`);
  lines.push('Connection: close');
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** The refusal for a HandshakeError: status line, its headers, and the message as the body. */
export function formatErrorResponse(error: HandshakeError): string {
  const body = `${error.message}\n`;
  const headers = { 'Content-Type': 'text/plain; charset=utf-8', ...error.headers };
  return formatHttpResponse(error.status, headers, Buffer.byteLength(body)) + body;
}

// ---- client side ----

/** §4.1: "a randomly selected 16-byte value that has been base64-encoded". */
export function generateKey(): string {
  return randomBytes(16).toString('base64');
}

export function formatUpgradeRequest(
  url: URL,
  key: string,
  options: {
    protocols?: readonly string[];
    headers?: Record<string, string>;
    /** The Sec-WebSocket-Extensions offer, e.g. `permessage-deflate; client_max_window_bits`. */
    extensions?: string;
  } = {},
): string {
  const target = `${url.pathname || '/'}${url.search}`;
  const lines = [
    `GET ${target} HTTP/1.1`,
    `Host: ${url.host}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${key}`,
    'Sec-WebSocket-Version: 13',
  ];
  if (options.protocols && options.protocols.length > 0) {
    // §4.1: each subprotocol is a token — no spaces, commas or control characters.
    const bad = options.protocols.find((name) => !TOKEN.test(name));
    if (bad !== undefined) {
      throw new WebSocketError(
        'WS_ERR_INVALID_SUBPROTOCOL',
        `subprotocol ${JSON.stringify(bad)} is not a valid token`,
      );
    }
    lines.push(`Sec-WebSocket-Protocol: ${options.protocols.join(', ')}`);
  }
  if (options.extensions !== undefined) {
    lines.push(`Sec-WebSocket-Extensions: ${options.extensions}`);
  }
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    lines.push(
      checkedHeaderLine(
        name,
        value,
        (message) => new WebSocketError('WS_ERR_INVALID_HEADER', message),
      ),
    );
  }
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/**
 * §4.1 client checks on the server's answer. Throws HandshakeError with the status received.
 * `deflate` is the permessage-deflate offer we made (resolved options), if we made one.
 */
export function validateUpgradeResponse(
  head: HttpResponseHead,
  key: string,
  offeredProtocols: readonly string[] = [],
  deflate?: DeflateConfig,
): { protocol: string | undefined; extension: Extension | undefined } {
  const { headers, status } = head;
  if (status !== 101) {
    throw new HandshakeError(
      status,
      'WS_ERR_UPGRADE_REFUSED',
      `server refused the upgrade: ${status} ${head.reason}`,
    );
  }
  if (!tokens(headers.get('upgrade')).includes('websocket')) {
    throw new HandshakeError(
      status,
      'WS_ERR_INVALID_UPGRADE_HEADER',
      'server response lacks "upgrade: websocket"',
    );
  }
  if (!tokens(headers.get('connection')).includes('upgrade')) {
    throw new HandshakeError(
      status,
      'WS_ERR_INVALID_CONNECTION_HEADER',
      'server response lacks "connection: upgrade"',
    );
  }
  if (headers.get('sec-websocket-accept') !== computeAcceptKey(key)) {
    throw new HandshakeError(
      status,
      'WS_ERR_INVALID_ACCEPT',
      'sec-websocket-accept does not match the key we sent',
    );
  }
  // §4.1: an extension we did not offer, or (RFC 7692 §7.1) a permessage-deflate answer that
  // breaks its rules, fails the connection: it is never established.
  const extension = acceptDeflateResponse(
    headerLines(head.rawHeaders, 'sec-websocket-extensions'),
    deflate,
  );
  const protocol = headers.get('sec-websocket-protocol');
  if (protocol !== undefined && !offeredProtocols.includes(protocol)) {
    throw new HandshakeError(
      status,
      'WS_ERR_UNEXPECTED_SUBPROTOCOL',
      `server chose subprotocol ${protocol} that we did not offer`,
    );
  }
  return { protocol, extension };
}
