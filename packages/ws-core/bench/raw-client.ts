/**
 * The raw WebSocket client under the load generator: an RFC 6455 §4.1 opening handshake over
 * node:net, a reader that turns socket reads into server frames, and a masked close frame.
 * It depends on neither contestant, so it treats our server and ws's exactly alike.
 */
import { createHash, randomBytes } from 'node:crypto';
import { connect as netConnect, type Socket } from 'node:net';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
export const OPCODE_CLOSE = 0x8;
const HANDSHAKE_TIMEOUT_MS = 10_000;

export interface ServerFrame {
  opcode: number;
  fin: boolean;
  payload: Buffer;
}

/**
 * Opens a connection and performs the opening handshake, checking the 101 status and
 * Sec-WebSocket-Accept. Resolves with the socket and any bytes that came after the response.
 */
export async function openRawWebSocket(
  host: string,
  port: number,
): Promise<{ socket: Socket; rest: Buffer }> {
  const key = randomBytes(16).toString('base64');
  const accept = createHash('sha1')
    .update(key + GUID)
    .digest('base64');
  const socket = netConnect({ host, port });
  socket.setNoDelay(true);
  return await new Promise((resolve, reject) => {
    let received = Buffer.alloc(0);
    const fail = (error: Error) => {
      socket.destroy();
      reject(error);
    };
    const timer = setTimeout(
      () => fail(new Error(`handshake timed out after ${HANDSHAKE_TIMEOUT_MS} ms`)),
      HANDSHAKE_TIMEOUT_MS,
    );
    socket.once('error', (error) => {
      clearTimeout(timer);
      fail(error);
    });
    socket.once('connect', () => {
      socket.write(
        `GET /bench HTTP/1.1\r\nHost: ${host}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    const onData = (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const end = received.indexOf('\r\n\r\n');
      if (end === -1) return;
      socket.off('data', onData);
      clearTimeout(timer);
      const headText = received.subarray(0, end).toString('latin1');
      const lines = headText.split('\r\n');
      if (!/^HTTP\/1\.1 101 /.test(lines[0] ?? '')) {
        fail(new Error(`handshake refused: ${lines[0]}`));
        return;
      }
      const acceptLine = lines.find((l) => l.toLowerCase().startsWith('sec-websocket-accept:'));
      if (acceptLine?.slice(acceptLine.indexOf(':') + 1).trim() !== accept) {
        fail(new Error('handshake answered with a wrong Sec-WebSocket-Accept'));
        return;
      }
      socket.removeAllListeners('error');
      resolve({ socket, rest: received.subarray(end + 4) });
    };
    socket.on('data', onData);
  });
}

/** Accumulates socket reads and hands out whole server frames without quadratic copying. */
export class FrameInbox {
  private chunks: Buffer[] = [];
  private bytes = 0;

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.bytes += chunk.length;
  }

  /** The next whole frame, or undefined until more bytes arrive. Throws on a masked frame. */
  take(): ServerFrame | undefined {
    if (this.bytes < 2) return undefined;
    let head = this.chunks[0] as Buffer;
    // A header may straddle reads: join the pending reads once so it can be read in place.
    if (head.length < 10 && this.chunks.length > 1) head = this.joinAll();
    const b0 = head[0] ?? 0;
    const b1 = head[1] ?? 0;
    if (b1 & 0x80) throw new Error('server sent a masked frame');
    let length = b1 & 0x7f;
    let offset = 2;
    if (length === 126) {
      if (head.length < 4) return undefined;
      length = head.readUInt16BE(2);
      offset = 4;
    } else if (length === 127) {
      if (head.length < 10) return undefined;
      length = Number(head.readBigUInt64BE(2));
      offset = 10;
    }
    // Wait for the whole frame before copying anything: one join per frame, not per read.
    if (this.bytes < offset + length) return undefined;
    if (head.length < offset + length) head = this.joinAll();
    const payload = head.subarray(offset, offset + length);
    const rest = head.subarray(offset + length);
    if (rest.length === 0) this.chunks.shift();
    else this.chunks[0] = rest;
    this.bytes -= offset + length;
    return { opcode: b0 & 0x0f, fin: (b0 & 0x80) !== 0, payload };
  }

  private joinAll(): Buffer {
    const joined = Buffer.concat(this.chunks, this.bytes);
    this.chunks = [joined];
    return joined;
  }
}

/** A client close frame with status 1000, masked with `mask` (§5.5.1, §7.4.1). */
export function maskedCloseFrame(mask: Uint8Array): Buffer {
  const frame = Buffer.from([0x88, 0x82, 0, 0, 0, 0, 0x03, 0xe8]);
  frame.set(mask.subarray(0, 4), 2);
  frame[6] = 0x03 ^ (mask[0] ?? 0);
  frame[7] = 0xe8 ^ (mask[1] ?? 0);
  return frame;
}

/** A fresh random masking key that is never all zeros, so a server must really unmask. */
export function randomMaskKey(): Buffer {
  const mask = randomBytes(4);
  mask[0] = (mask[0] ?? 0) | 1;
  return mask;
}
