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
import { once } from 'node:events';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { applyMask } from './02-unmask.ts';
import { encodeFrame } from './03-encode-frame.ts';
import { decodeFrameHeader, FrameError } from './04-decode-frame-header.ts';
import { CloseFrameError, parseClosePayload } from './05-close-frame.ts';
import { checkUpgrade, type UpgradeResponse } from './06-validate-upgrade.ts';

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

const STATUS_TEXT: Record<number, string> = {
  101: 'Switching Protocols',
  400: 'Bad Request',
  405: 'Method Not Allowed',
  426: 'Upgrade Required',
  431: 'Request Header Fields Too Large',
};

export async function startEchoServer(options: EchoServerOptions = {}): Promise<EchoServer> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    serveConnection(socket);
  });
  server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    async close() {
      const closed = once(server, 'close');
      server.close();
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

/** The HTTP response for checkUpgrade's answer: 101 and its headers, or a status and why. */
function httpResponse({ status, headers, reason }: UpgradeResponse): string {
  const lines = [`HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? ''}`.trimEnd()];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  if (status === 101) return `${lines.join('\r\n')}\r\n\r\n`;
  const body = `${reason}\n`;
  lines.push(
    'Content-Type: text/plain; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
  );
  lines.push('Connection: close');
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

/** One connection: the handshake, then frames, until one side closes. */
function serveConnection(socket: Socket): void {
  let state: 'handshake' | 'open' | 'closed' = 'handshake';
  let pending: Buffer = Buffer.alloc(0);
  socket.setNoDelay(true); // echoes go out at once, not batched
  socket.on('error', () => {}); // a peer that resets the connection: 'close' follows

  socket.on('data', (chunk: Buffer) => {
    if (state === 'closed') return;
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    if (state === 'handshake' && !readHandshake()) return;
    try {
      readFrames();
    } catch (error) {
      if (!(error instanceof FrameError || error instanceof CloseFrameError)) throw error;
      sendClose(error.closeCode); // §7.1.7: fail the connection with a status code
    }
  });

  /** True once the upgrade is done; false while the head is incomplete or was refused. */
  function readHandshake(): boolean {
    const end = pending.indexOf('\r\n\r\n');
    if (end < 0) {
      if (pending.length > MAX_HEAD_BYTES) refuse(431, 'request head too long');
      return false;
    }
    const answer = checkUpgrade(pending.subarray(0, end + 4).toString('latin1'));
    pending = pending.subarray(end + 4); // frames may follow the head in the same read
    if (answer.status !== 101) {
      refuse(answer.status, answer.reason, answer.headers);
      return false;
    }
    socket.write(httpResponse(answer));
    state = 'open';
    return true;
  }

  function refuse(status: number, reason: string, headers: Record<string, string> = {}): void {
    state = 'closed';
    socket.end(httpResponse({ status, reason, headers }));
  }

  /** Handles every complete frame in `pending`; an incomplete one waits for the next read. */
  function readFrames(): void {
    while (state === 'open') {
      const header = decodeFrameHeader(pending);
      if (!header) return;
      // §5.1: "The server MUST close the connection upon receiving a frame that is not masked."
      if (!header.masked || !header.mask)
        throw new FrameError('client frames must be masked', 1002);
      if (header.opcode >= OPCODE.close && (!header.fin || header.payloadLength > 125))
        throw new FrameError('control frames must be final and at most 125 bytes', 1002);
      if (header.payloadLength > MAX_PAYLOAD)
        throw new FrameError(`frame payload of ${header.payloadLength} bytes is too big`, 1009);
      const end = header.headerLength + header.payloadLength;
      if (pending.length < end) return;
      const payload = new Uint8Array(pending.subarray(header.headerLength, end)); // a copy
      pending = pending.subarray(end);
      applyMask(payload, header.mask);
      handleFrame(header.fin, header.opcode, payload);
    }
  }

  function handleFrame(fin: boolean, opcode: number, payload: Uint8Array): void {
    switch (opcode) {
      case OPCODE.continuation:
      case OPCODE.text:
      case OPCODE.binary:
        socket.write(encodeFrame(opcode, payload, fin)); // the echo, frame for frame
        return;
      case OPCODE.ping:
        socket.write(encodeFrame(OPCODE.pong, payload)); // §5.5.2: a pong with the same data
        return;
      case OPCODE.pong:
        return;
      case OPCODE.close: {
        // §5.5.1: "the endpoint typically echos the status code it received".
        const { code } = parseClosePayload(payload);
        sendClose(code === 1005 ? undefined : code);
        return;
      }
      default:
        throw new FrameError(`opcode 0x${opcode.toString(16)} is reserved`, 1002);
    }
  }

  /** Sends a close frame (empty without a code) and ends the connection: nothing follows it. */
  function sendClose(code?: number): void {
    state = 'closed';
    const body = code === undefined ? new Uint8Array(0) : Uint8Array.of(code >> 8, code & 0xff);
    socket.end(encodeFrame(OPCODE.close, body));
  }
}
