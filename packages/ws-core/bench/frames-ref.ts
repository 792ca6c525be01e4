/**
 * A tiny, independent frame encoder used to build the benchmark's input streams.
 *
 * Why a separate one: the decode benchmark must feed our codec and ws's Receiver the same
 * bytes, and neither of the two contestants may produce them (a bug shared by the encoder and
 * the decoder would cancel out). This is the plainest possible RFC 6455 §5.2 encoder.
 */

const OPCODE_BINARY = 0x2;

/** Deterministic bytes (a 32-bit xorshift stream), so every run decodes the same data. */
export function pseudoRandomBytes(length: number, seed: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  let x = seed >>> 0 || 0x9e3779b9;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** A 4-byte masking key that is never all zeros (a zero key would let a sender skip the XOR). */
export function maskKey(seed: number): Buffer {
  const key = pseudoRandomBytes(4, seed * 2654435761);
  if ((key[0] ?? 0) === 0) key[0] = 1;
  return key;
}

/** Header length of a frame carrying `payloadLength` bytes (§5.2: 7, 7+16 or 7+64 bit lengths). */
export function headerLength(payloadLength: number, masked: boolean): number {
  const base = payloadLength < 126 ? 2 : payloadLength < 65536 ? 4 : 10;
  return base + (masked ? 4 : 0);
}

/** One final binary frame; masked with `mask` when given (client to server), else plain. */
export function buildBinaryFrame(payload: Uint8Array, mask?: Uint8Array): Buffer {
  const length = payload.length;
  const head = headerLength(length, mask !== undefined);
  const frame = Buffer.allocUnsafe(head + length);
  frame[0] = 0x80 | OPCODE_BINARY;
  const maskBit = mask === undefined ? 0 : 0x80;
  if (length < 126) {
    frame[1] = maskBit | length;
  } else if (length < 65536) {
    frame[1] = maskBit | 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = maskBit | 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  if (mask === undefined) {
    frame.set(payload, head);
    return frame;
  }
  frame.set(mask.subarray(0, 4), head - 4);
  for (let i = 0; i < length; i++) frame[head + i] = (payload[i] ?? 0) ^ (mask[i & 3] ?? 0);
  return frame;
}

/** Cuts `stream` into socket-read-sized pieces (the last one may be shorter). */
export function splitIntoChunks(stream: Buffer, chunkSize: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let at = 0; at < stream.length; at += chunkSize) {
    chunks.push(stream.subarray(at, Math.min(stream.length, at + chunkSize)));
  }
  return chunks;
}
