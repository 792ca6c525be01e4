/**
 * 3.1/08 — An echo server a browser can talk to, on node:net.
 *
 * Put the pieces together on a real socket. Read the upgrade request up to its blank line (it
 * may arrive in pieces) and answer 101 with the accept key, or refuse it with a status. Then
 * read the client's frames — masked, of any length, several in one read or one split across
 * many — and send every text and binary frame back as it came; answer a ping with a pong, and
 * a close with a close carrying the same code, then end the connection. The tests talk to it
 * with the `ws` package, a raw TCP socket and Chromium.
 * You may import your earlier exercises: computeAcceptKey (01), applyMask (02),
 * encodeFrame (03), decodeFrameHeader (04), parseClosePayload (05), checkUpgrade (06).
 * Check: npm run exercise -- watch   (or npm run grade -- 3.1/08)
 */
// Your earlier exercises sit next to this file; import what you need, for example
//   import { encodeFrame } from './03-encode-frame.ts';
// and createServer, Socket from 'node:net'.

export interface EchoServerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: any free port (the server reports the one it got). */
  port?: number;
}

export interface EchoServer {
  port: number;
  /** Stops listening, drops open connections, and resolves once the server has closed. */
  close(): Promise<void>;
}

export const OPCODE = {
  continuation: 0x0,
  text: 0x1,
  binary: 0x2,
  // 0x3–0x7 reserved for further data frames
  close: 0x8,
  ping: 0x9,
  pong: 0xa,
  // 0xb–0xf reserved for further control frames
} as const;

/** A request head that has not ended after this many bytes is refused with 431. */
export const MAX_HEAD_BYTES = 8 * 1024;
/** Frames larger than this are refused with close code 1009 before any is buffered. */
export const MAX_PAYLOAD = 1024 * 1024;

export async function startEchoServer(options: EchoServerOptions = {}): Promise<EchoServer> {
  // TODO 1 (the server): createServer(socket => ...) from 'node:net'; listen on options.host
  //   (default '127.0.0.1') and options.port (default 0) and wait for 'listening'. Resolve with
  //   the port from server.address() and a close() that stops listening, destroys the open
  //   sockets and resolves on the server's 'close' event.
  // TODO 2 (the handshake, per connection): gather 'data' until "\r\n\r\n" (it may take
  //   several reads); checkUpgrade(head) gives the answer. Write "HTTP/1.1 101 Switching
  //   Protocols", its headers and a blank line — or the refusal (a missing Sec-WebSocket-Key
  //   is a 400), then end the socket. A head with no blank line after MAX_HEAD_BYTES is refused
  //   with 431. Bytes after the blank line are already frames.
  // TODO 3 (the frames): keep the bytes not used yet. While a whole frame is there: decode its
  //   header; an unmasked frame fails the connection with close 1002 (§5.1), and a payload
  //   length above MAX_PAYLOAD with close 1009 as soon as the header is read, before waiting
  //   for the payload. Unmask a copy of the payload, remove the frame from the bytes.
  //   Echo text, binary and continuation frames as they came (same opcode, same FIN); answer
  //   a ping with a pong; answer a close with a close carrying the same code and end the socket.
  throw new Error(`TODO: listen on ${options.host ?? '127.0.0.1'}:${options.port ?? 0}`);
}
