/**
 * 3.1 The whole server on one page — a WebSocket echo server on node:net and node:crypto.
 * Shows:  the handshake, frames (7/16/64-bit lengths, masks, fragments), ping/pong and the
 *         close handshake, every rule in view; each message goes back to its sender.
 * Run:    npx tsx chapters/3.1/src/plain/minimal-server.ts --host 127.0.0.1 --port 0
 * Expect: "listening on ws://127.0.0.1:PORT/"; Ctrl-C closes clients with 1001 and exits 0.
 * ws-core adds what a page cannot hold: backpressure, handshake timeouts, connection limits.
 */
import { createHash } from 'node:crypto';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

export const MAX_MESSAGE_BYTES = 8 * 1024 * 1024; // §10.4: endpoints "MUST protect themselves"
const MAX_HEAD_BYTES = 8192; // a request head longer than this is not a handshake
const MAX_FRAGMENTS = 1024; // frames in one message
export const CLOSE_TIMEOUT_MS = 2000; // how long a peer may take to hang up once we have

/** A request that is not a valid upgrade: answered with 400 and no WebSocket. */
export class HandshakeError extends Error {}
/** A frame or message that breaks the protocol: fails the connection with `closeCode`. */
export class ProtocolError extends Error {
  readonly closeCode: number;
  constructor(closeCode: number, message: string) {
    super(message);
    this.closeCode = closeCode;
  }
}

// #region accept-key
/** §1.3: the GUID a server appends to the client's key, a string only WebSocket servers use. */
export const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** §4.2.2: Sec-WebSocket-Accept is base64(SHA-1(key + GUID)). */
export function computeAcceptKey(key: string): string {
  return createHash('sha1').update(`${key}${WEBSOCKET_GUID}`).digest('base64');
}
// #endregion accept-key

// #region handshake
/** §4.2.1: checks the request head (the text before the blank line), returns the 101 reply. */
export function answerHandshake(head: string): string {
  const [requestLine = '', ...lines] = head.split('\r\n');
  if (!/^GET \S+ HTTP\/1\.1$/.test(requestLine))
    throw new HandshakeError('expected "GET <path> HTTP/1.1"');
  const headers = new Map<string, string>(); // names lower-cased: HTTP ignores their case
  for (const line of lines) {
    const [, field, value = ''] = /^([\w!#$%&'*+.^`|~-]+):[ \t]*(.*?)[ \t]*$/.exec(line) ?? [];
    if (!field) throw new HandshakeError('malformed header line');
    const name = field.toLowerCase();
    // A repeated header joins into a list (RFC 9110), so a second key spoils the first.
    headers.set(name, headers.has(name) ? `${headers.get(name)}, ${value}` : value);
  }
  const has = (name: string, token: string) =>
    (headers.get(name) ?? '').split(',').some((part) => part.trim().toLowerCase() === token);
  if (!headers.has('host')) throw new HandshakeError('missing Host header');
  if (!has('upgrade', 'websocket')) throw new HandshakeError('Upgrade must be websocket');
  if (!has('connection', 'upgrade')) throw new HandshakeError('Connection must include Upgrade');
  if (headers.get('sec-websocket-version') !== '13')
    throw new HandshakeError('Sec-WebSocket-Version must be 13');
  const key = headers.get('sec-websocket-key') ?? '';
  // 16 random bytes in base64 are always 24 characters, the last two "==".
  if (!/^[A-Za-z0-9+/]{22}==$/.test(key))
    throw new HandshakeError('Sec-WebSocket-Key must be 16 bytes in base64');
  return [
    'HTTP/1.1 101 Switching Protocols',
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Accept: ${computeAcceptKey(key)}`,
    '\r\n', // the blank line that ends the head
  ].join('\r\n');
}

/** §4.2.1: refuse with 400; §4.4: name the version we speak; the body says what was wrong. */
export function refuseHandshake(error: HandshakeError): string {
  const body = `${error.message}\n`;
  const head = 'HTTP/1.1 400 Bad Request\r\nSec-WebSocket-Version: 13\r\nConnection: close';
  return `${head}\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}
// #endregion handshake

// #region frame-parser
/** §5.2 opcodes; 0x3–0x7 and 0xB–0xF are reserved. */
export const Opcode = { CONTINUATION: 0, TEXT: 1, BINARY: 2, CLOSE: 8, PING: 9, PONG: 10 } as const;
export type Frame = { fin: boolean; opcode: number; payload: Buffer; size: number }; // size: bytes read

/** Reads one client frame from the front of `bytes`; undefined means "wait for more bytes". */
export function parseFrame(bytes: Buffer, maxPayload: number): Frame | undefined {
  if (bytes.length < 2) return undefined;
  const [first = 0, second = 0] = bytes;
  const fin = (first & 0x80) !== 0;
  const opcode = first & 0x0f;
  // §5.2: RSV1-3 "MUST be 0 unless an extension is negotiated"; we negotiate none.
  if (first & 0x70) throw new ProtocolError(1002, 'reserved bits set');
  if (!Object.values<number>(Opcode).includes(opcode))
    throw new ProtocolError(1002, `reserved opcode ${opcode}`);
  // §5.1: "The server MUST close the connection upon receiving a frame that is not masked."
  if (!(second & 0x80)) throw new ProtocolError(1002, 'client frames must be masked');
  let length = second & 0x7f; // 0–125: the length itself; 126 or 127: a longer length follows
  let start = 2;
  if (length === 126) {
    if (bytes.length < 4) return undefined;
    [length, start] = [bytes.readUInt16BE(2), 4];
  } else if (length === 127) {
    if (bytes.length < 10) return undefined;
    const long = bytes.readBigUInt64BE(2);
    // §5.2: "the most significant bit MUST be 0".
    if (long >> 63n) throw new ProtocolError(1002, '64-bit length with its top bit set');
    [length, start] = [long > maxPayload ? Number.POSITIVE_INFINITY : Number(long), 10];
  }
  // §5.5: control frames have "125 bytes or less" and "MUST NOT be fragmented".
  if (opcode >= 8 && (length > 125 || !fin))
    throw new ProtocolError(1002, 'control frame fragmented or over 125 bytes');
  // Judged on the header alone, before we wait for (and buffer) the payload.
  if (length > maxPayload) throw new ProtocolError(1009, `frame over ${maxPayload} bytes`);
  const size = start + 4 + length; // + the 4-byte masking key
  if (bytes.length < size) return undefined;
  const payload = Buffer.alloc(length);
  // §5.3: octet i of the payload is XORed with octet i MOD 4 of the masking key.
  for (let i = 0; i < length; i++)
    payload[i] = bytes.readUInt8(start + 4 + i) ^ bytes.readUInt8(start + (i % 4));
  return { fin, opcode, payload, size };
}
// #endregion frame-parser

// #region frame-encoder
/** A server frame; §5.1: "A server MUST NOT mask any frames that it sends to the client." */
export function encodeFrame(opcode: number, payload: Uint8Array = Buffer.alloc(0), fin = true) {
  // §5.2: the shortest length that fits: 7 bits, else 126 + 16 bits, else 127 + 64 bits.
  const extra = payload.length < 126 ? 0 : payload.length < 0x10000 ? 2 : 8;
  const header = Buffer.alloc(2 + extra);
  header[0] = (fin ? 0x80 : 0) | opcode;
  header[1] = extra === 0 ? payload.length : extra === 2 ? 126 : 127;
  if (extra === 2) header.writeUInt16BE(payload.length, 2);
  if (extra === 8) header.writeBigUInt64BE(BigInt(payload.length), 2);
  return Buffer.concat([header, payload]);
}

/** §5.5.1: a Close body is a 2-byte code, then a UTF-8 reason (at most 123 bytes). */
export function closeBody(code: number, reason: string): Buffer {
  const body = Buffer.from(`\0\0${reason}`);
  body.writeUInt16BE(code, 0);
  return body;
}
// #endregion frame-encoder

// #region connection
const UTF8 = new TextDecoder('utf-8', { fatal: true });
// §7.4: codes a peer may send (1004–1006 and 1015 are reserved: never on the wire).
const isValidCloseCode = (code: number) =>
  (code >= 1000 && code <= 1014 && ![1004, 1005, 1006].includes(code)) ||
  (code >= 3000 && code <= 4999);

/** One socket's life: the HTTP head, then frames, then close. Returns how to shut it down. */
function serveSocket(socket: Socket, maxMessageBytes: number, closeTimeoutMs: number): () => void {
  let buffered = Buffer.alloc(0); // read but not yet used: reads need not line up with frames
  let upgraded = false;
  let closing = false; // §5.5.1: after our Close frame we send nothing more
  let fragments: Buffer[] = []; // §5.4: the frames of a message not finished yet
  let messageBytes = 0;
  let messageOpcode = 0; // text or binary while a message is open, else 0

  // Last bytes, then end; §7.1.1: the server "SHOULD" close the TCP connection first.
  const hangUp = (lastBytes: Uint8Array | string) => {
    closing = true;
    socket.end(lastBytes);
    // A fixed deadline, not socket.setTimeout(): that one counts only idle time, so a peer that
    // keeps sending after our Close would hold the socket (and a server's shutdown) for ever.
    const deadline = setTimeout(() => socket.destroy(), closeTimeoutMs);
    socket.once('close', () => clearTimeout(deadline));
  };
  const close = (body: Uint8Array) => hangUp(encodeFrame(Opcode.CLOSE, body));
  const checkUtf8 = (bytes: Uint8Array) => {
    try {
      UTF8.decode(bytes);
    } catch {
      throw new ProtocolError(1007, 'text is not valid UTF-8'); // §8.1
    }
  };

  function onFrame({ fin, opcode, payload }: Frame) {
    // §5.5.2: a Ping "MUST" get a Pong with the same data; §5.5.3: a Pong needs no answer.
    if (opcode === Opcode.PING) socket.write(encodeFrame(Opcode.PONG, payload));
    if (opcode === Opcode.PING || opcode === Opcode.PONG) return;
    if (opcode === Opcode.CLOSE) {
      if (payload.length === 1) throw new ProtocolError(1002, 'close body of 1 byte');
      if (payload.length >= 2 && !isValidCloseCode(payload.readUInt16BE(0)))
        throw new ProtocolError(1002, 'close code not allowed');
      checkUtf8(payload.subarray(2));
      return close(payload); // §5.5.1: echo the Close (code and reason), then end
    }
    // §5.4: a message is one text/binary frame, then continuations until FIN; never two at once.
    if (opcode === Opcode.CONTINUATION && !messageOpcode)
      throw new ProtocolError(1002, 'continuation without a message');
    if (opcode !== Opcode.CONTINUATION && messageOpcode)
      throw new ProtocolError(1002, 'new message inside a fragmented one');
    if (opcode !== Opcode.CONTINUATION) messageOpcode = opcode;
    fragments.push(payload);
    messageBytes += payload.length;
    // Many tiny frames cost memory too, so their number is capped as well as their bytes.
    if (messageBytes > maxMessageBytes || fragments.length > MAX_FRAGMENTS)
      throw new ProtocolError(1009, 'message too big');
    if (!fin) return;
    const data = Buffer.concat(fragments);
    if (messageOpcode === Opcode.TEXT) checkUtf8(data);
    socket.write(encodeFrame(messageOpcode, data)); // the echo
    [fragments, messageBytes, messageOpcode] = [[], 0, 0];
  }

  socket.on('data', (chunk: Buffer) => {
    if (closing) return;
    buffered = Buffer.concat([buffered, chunk]);
    try {
      if (!upgraded) {
        const end = buffered.indexOf('\r\n\r\n'); // the blank line after the head
        if ((end === -1 ? buffered.length : end) > MAX_HEAD_BYTES)
          throw new HandshakeError('head too long');
        if (end === -1) return; // the rest of the head is still on its way
        socket.write(answerHandshake(buffered.subarray(0, end).toString('latin1')));
        [upgraded, buffered] = [true, buffered.subarray(end + 4)]; // a frame may follow at once
      }
      // One read may hold several frames, or a piece of one: parse until we run short.
      while (!closing) {
        const frame = parseFrame(buffered, maxMessageBytes);
        if (!frame) break; // the rest of this frame is still on its way
        buffered = buffered.subarray(frame.size);
        onFrame(frame);
      }
    } catch (error) {
      // Bad input becomes an HTTP status or a close code here, and only here.
      if (error instanceof HandshakeError) hangUp(refuseHandshake(error));
      else if (error instanceof ProtocolError) close(closeBody(error.closeCode, error.message));
      else close(closeBody(1011, 'internal error')); // a bug of ours, not the peer's fault
    }
  });
  socket.on('error', () => {}); // a peer that vanishes (ECONNRESET); 'close' follows
  return function shutDown() {
    if (!upgraded)
      socket.destroy(); // no WebSocket yet: nobody to say goodbye to
    else if (!closing) close(closeBody(1001, 'server shutting down')); // §7.4.1 "going away"
  };
}
// #endregion connection

// #region listen
export type MinimalServer = { port: number; server: Server; close(): Promise<void> };

export function startMinimalServer({
  host = '127.0.0.1',
  port = 0,
  maxMessageBytes = MAX_MESSAGE_BYTES,
  closeTimeoutMs = CLOSE_TIMEOUT_MS,
} = {}): Promise<MinimalServer> {
  const shutDowns = new Map<Socket, () => void>();
  const server = createServer((socket) => {
    shutDowns.set(socket, serveSocket(socket, maxMessageBytes, closeTimeoutMs));
    socket.once('close', () => shutDowns.delete(socket));
  });
  const close = () =>
    new Promise<void>((done) => {
      server.close(() => done()); // called once the last socket has closed
      for (const shutDown of shutDowns.values()) shutDown();
    });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () =>
      resolve({ port: (server.address() as AddressInfo).port, server, close }),
    );
  });
}

async function main() {
  const options = {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '1234' },
  } as const;
  const { host, port } = parseArgs({ options }).values;
  const server = await startMinimalServer({ host, port: Number(port) });
  console.log(`listening on ws://${host.includes(':') ? `[${host}]` : host}:${server.port}/`);
  const stop = () => void server.close(); // with every socket gone, Node exits with code 0
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error: Error) => {
    console.error(`minimal-server: ${error.message}`);
    process.exitCode = 1;
  });
}
// #endregion listen
