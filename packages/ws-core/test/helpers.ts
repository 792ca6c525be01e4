/** Small helpers shared by the tests: hex vectors, chunkings, frames built with known masks. */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  applyMask,
  decodeFrameHeader,
  encodeFrame,
  type Frame,
  Opcode,
  Protocol,
  type ProtocolEvent,
} from '../src/index.ts';

/** "81 05 48 65" -> bytes. */
export function hex(text: string): Buffer {
  return Buffer.from(text.replace(/\s+/g, ''), 'hex');
}

/** The RFC 6455 §5.7 example mask. */
export const RFC_MASK = hex('37 fa 21 3d');

export function frameOf(
  opcode: number,
  payload: Uint8Array | string,
  options: Partial<Omit<Frame, 'opcode' | 'payload'>> = {},
): Frame {
  return {
    fin: options.fin ?? true,
    rsv1: options.rsv1 ?? false,
    rsv2: options.rsv2 ?? false,
    rsv3: options.rsv3 ?? false,
    opcode,
    payload: typeof payload === 'string' ? Buffer.from(payload) : payload,
  };
}

/** A frame as a client sends it (masked with the RFC mask unless told otherwise). */
export function clientFrame(
  opcode: number,
  payload: Uint8Array | string,
  options: Partial<Omit<Frame, 'opcode' | 'payload'>> & { mask?: Uint8Array } = {},
): Buffer {
  return encodeFrame(frameOf(opcode, payload, options), options.mask ?? RFC_MASK);
}

export function closePayload(code: number, reason = ''): Buffer {
  const payload = Buffer.alloc(2 + Buffer.byteLength(reason));
  payload.writeUInt16BE(code, 0);
  payload.write(reason, 2);
  return payload;
}

/** The stream whole, split once at every offset, and one byte at a time. */
export function chunkings(bytes: Uint8Array): Array<{ name: string; chunks: Uint8Array[] }> {
  const ways = [{ name: 'whole', chunks: [bytes] }];
  for (let at = 1; at < bytes.length; at++) {
    ways.push({ name: `split at ${at}`, chunks: [bytes.subarray(0, at), bytes.subarray(at)] });
  }
  const single = Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1));
  ways.push({ name: 'byte by byte', chunks: single });
  return ways;
}

/** Feeds chunks (copies, so nothing can alias) to a fresh server-side Protocol. */
export function receiveAll(
  chunks: Uint8Array[],
  options: { role?: 'server' | 'client'; maxPayload?: number } = {},
): { protocol: Protocol; events: ProtocolEvent[] } {
  const protocol = new Protocol({ role: options.role ?? 'server', maxPayload: options.maxPayload });
  const events: ProtocolEvent[] = [];
  for (const chunk of chunks) {
    protocol.receiveData(Buffer.from(chunk));
    events.push(...protocol.eventsReceived());
  }
  return { protocol, events };
}

/** The close frame a Protocol queued (masked or not), decoded: code and reason. */
export function sentClose(protocol: Protocol): { code: number; reason: string } | undefined {
  const out = Buffer.concat(protocol.dataToSend());
  for (let at = 0; at < out.length; ) {
    const header = decodeFrameHeader(out.subarray(at));
    if (header === undefined) return undefined;
    const start = at + header.headerLength;
    const payload = Buffer.from(out.subarray(start, start + header.payloadLength));
    if (header.mask) applyMask(payload, header.mask);
    if (header.opcode === Opcode.CLOSE) {
      if (payload.length === 0) return { code: 1005, reason: '' };
      return { code: payload.readUInt16BE(0), reason: payload.subarray(2).toString() };
    }
    at = start + header.payloadLength;
  }
  return undefined;
}

/** Decodes the frames in `bytes` (unmasking masked ones); a frame cut short ends the list. */
export function framesIn(bytes: Uint8Array): Array<{ opcode: number; payload: Buffer }> {
  const frames: Array<{ opcode: number; payload: Buffer }> = [];
  for (let at = 0; at < bytes.length; ) {
    const header = decodeFrameHeader(bytes.subarray(at));
    if (header === undefined) break;
    const start = at + header.headerLength;
    if (start + header.payloadLength > bytes.length) break;
    const payload = Buffer.from(bytes.subarray(start, start + header.payloadLength));
    if (header.mask) applyMask(payload, header.mask);
    frames.push({ opcode: header.opcode, payload });
    at = start + header.payloadLength;
  }
  return frames;
}

/**
 * Runs `work` and returns how many bytes it allocated through Buffer.alloc/allocUnsafe (which
 * Buffer.concat uses too). Linear code allocates a small multiple of its input; code that
 * re-concatenates a growing buffer per chunk allocates the square of the chunk count.
 */
export function bytesAllocatedBy(work: () => void): number {
  let total = 0;
  const { alloc, allocUnsafe, allocUnsafeSlow } = Buffer;
  Buffer.allocUnsafe = (size) => {
    total += size;
    return allocUnsafe(size);
  };
  Buffer.allocUnsafeSlow = (size) => {
    total += size;
    return allocUnsafeSlow(size);
  };
  Buffer.alloc = (size, fill, encoding) => {
    total += size;
    return alloc(size, fill, encoding);
  };
  try {
    work();
  } finally {
    Buffer.allocUnsafe = allocUnsafe;
    Buffer.allocUnsafeSlow = allocUnsafeSlow;
    Buffer.alloc = alloc;
  }
  return total;
}

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/**
 * Live JS heap plus Buffer memory after a full garbage collection, for tests that bound what a
 * peer can make us hold. Differences of a few MiB are meaningful; single bytes are not.
 */
export function heapAndBuffers(): number {
  // Twice: array buffers freed by one collection may still be counted until the next.
  collectGarbage();
  collectGarbage();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}
