/**
 * Incremental HTTP/1.1 head parsing (RFC 9112 §2–5), just enough for the opening handshake.
 * The head may arrive in many reads, so bytes accumulate in a buffer that doubles in size up to
 * the limit (linear even when fed one byte at a time). The limit is checked before buffering
 * more, so a peer cannot make us hold more than `maxHeaderBytes` (+ one read) of head.
 *
 * A bad request head is the client's fault and the server answers it with a status, so the
 * request parser throws HandshakeError (431, 400). A bad response head is the server's, and the
 * client has no one to answer: the response parser throws a WebSocketError with no status.
 */
import { DEFAULT_MAX_HEADER_BYTES } from './constants.ts';
import { HandshakeError, WebSocketError } from './errors.ts';
import { isFieldValue, TOKEN } from './header-lines.ts';

export interface HttpRequestHead {
  method: string;
  target: string;
  version: string;
  /** Names lower-cased; repeated headers joined with ', ' (RFC 9110 §5.3). */
  headers: Map<string, string>;
  /** As received, for teaching dumps. */
  rawHeaders: Array<[name: string, value: string]>;
}

export interface HttpResponseHead {
  version: string;
  status: number;
  reason: string;
  headers: Map<string, string>;
  rawHeaders: Array<[name: string, value: string]>;
}

const REQUEST_LINE = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+) (\S+) (HTTP\/\d\.\d)$/;
const STATUS_LINE = /^(HTTP\/\d\.\d) (\d{3})(?: (.*))?$/;

interface ParsedHead {
  startLine: string;
  headers: Map<string, string>;
  rawHeaders: Array<[string, string]>;
}

/** How a parser reports a head it cannot accept. */
interface HeadErrors {
  tooLarge(limit: number): Error;
  malformed(message: string): Error;
}

const REQUEST_ERRORS: HeadErrors = {
  tooLarge: (limit) =>
    new HandshakeError(431, 'WS_ERR_HEAD_TOO_LARGE', `request head exceeds ${limit} bytes`),
  malformed: (message) => new HandshakeError(400, 'WS_ERR_MALFORMED_HEAD', message),
};

const RESPONSE_ERRORS: HeadErrors = {
  tooLarge: (limit) =>
    new WebSocketError('WS_ERR_INVALID_RESPONSE', `response head exceeds ${limit} bytes`),
  malformed: (message) => new WebSocketError('WS_ERR_INVALID_RESPONSE', message),
};

/**
 * Finds the blank line that ends the head, splits it into a start line and header fields, and
 * lets `toHead` read the start line. Throws what `errors` makes of a head that is too long or
 * malformed.
 */
class HeadParser<Head> {
  private buffer = Buffer.allocUnsafe(256);
  private length = 0;
  private done = false;

  constructor(
    private readonly maxHeaderBytes: number,
    private readonly errors: HeadErrors,
    private readonly toHead: (parsed: ParsedHead, errors: HeadErrors) => Head,
  ) {}

  /** Feeds bytes; returns the head once complete (plus any bytes after it), else undefined. */
  push(chunk: Uint8Array): { head: Head; rest: Uint8Array } | undefined {
    if (this.done) throw new Error('the head was already parsed; feed later bytes elsewhere');
    // Only look at what fits under the limit (+3 bytes of a "\r\n\r\n" that may straddle it).
    const room = this.maxHeaderBytes + 4 - this.length;
    const take = Math.min(chunk.length, room);
    const searchFrom = Math.max(0, this.length - 3);
    this.append(chunk.subarray(0, take));
    const end = this.buffer.subarray(0, this.length).indexOf('\r\n\r\n', searchFrom, 'latin1');
    if (end === -1) {
      if (this.length > this.maxHeaderBytes) throw this.errors.tooLarge(this.maxHeaderBytes);
      return undefined;
    }
    const headLength = end + 4;
    if (end > this.maxHeaderBytes) throw this.errors.tooLarge(this.maxHeaderBytes);
    this.done = true;
    // Bytes after the head (e.g. frames sent right behind a 101) are handed back untouched.
    const restInBuffer = this.buffer.subarray(headLength, this.length);
    const rest =
      take === chunk.length ? restInBuffer : Buffer.concat([restInBuffer, chunk.subarray(take)]);
    const parsed = splitHead(this.buffer.toString('latin1', 0, end), this.errors);
    return { head: this.toHead(parsed, this.errors), rest };
  }

  private append(bytes: Uint8Array): void {
    if (this.length + bytes.length > this.buffer.length) {
      let size = this.buffer.length * 2;
      while (size < this.length + bytes.length) size *= 2;
      const grown = Buffer.allocUnsafe(size);
      this.buffer.copy(grown, 0, 0, this.length);
      this.buffer = grown;
    }
    this.buffer.set(bytes, this.length);
    this.length += bytes.length;
  }
}

function splitHead(text: string, errors: HeadErrors): ParsedHead {
  const lines = text.split('\r\n');
  const startLine = lines[0] ?? '';
  const headers = new Map<string, string>();
  const rawHeaders: Array<[string, string]> = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] ?? '';
    // RFC 9112 §5.2: obsolete line folding may be rejected with 400.
    if (line.startsWith(' ') || line.startsWith('\t')) {
      throw errors.malformed('folded header lines are not supported');
    }
    const colon = line.indexOf(':');
    const name = colon === -1 ? '' : line.slice(0, colon);
    if (!TOKEN.test(name)) throw errors.malformed(`malformed header line ${JSON.stringify(line)}`);
    const value = line.slice(colon + 1).trim();
    if (!isFieldValue(value)) throw errors.malformed(`header ${name} contains control characters`);
    rawHeaders.push([name, value]);
    const key = name.toLowerCase();
    const previous = headers.get(key);
    headers.set(key, previous === undefined ? value : `${previous}, ${value}`);
  }
  return { startLine, headers, rawHeaders };
}

function toRequestHead(
  { startLine, headers, rawHeaders }: ParsedHead,
  errors: HeadErrors,
): HttpRequestHead {
  const match = REQUEST_LINE.exec(startLine);
  if (match === null) throw errors.malformed(`malformed request line ${JSON.stringify(startLine)}`);
  const [, method = '', target = '', version = ''] = match;
  return { method, target, version, headers, rawHeaders };
}

function toResponseHead(
  { startLine, headers, rawHeaders }: ParsedHead,
  errors: HeadErrors,
): HttpResponseHead {
  const match = STATUS_LINE.exec(startLine);
  if (match === null) throw errors.malformed(`malformed status line ${JSON.stringify(startLine)}`);
  const [, version = '', status = '0', reason = ''] = match;
  return { version, status: Number(status), reason, headers, rawHeaders };
}

/**
 * Parses a request head; `push` returns it once complete, with any bytes that followed it.
 * Throws HandshakeError: 431 for a head over maxHeaderBytes, 400 for a malformed one.
 */
export class HttpRequestParser extends HeadParser<HttpRequestHead> {
  constructor(options: { maxHeaderBytes?: number } = {}) {
    super(options.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES, REQUEST_ERRORS, toRequestHead);
  }
}

/**
 * The client's side: parses the server's response head (the 101, or an error). Throws
 * WebSocketError `WS_ERR_INVALID_RESPONSE` (no status: the server sent none we could read).
 */
export class HttpResponseParser extends HeadParser<HttpResponseHead> {
  constructor(options: { maxHeaderBytes?: number } = {}) {
    super(options.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES, RESPONSE_ERRORS, toResponseHead);
  }
}
