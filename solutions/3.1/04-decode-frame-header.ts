/**
 * 3.1/04 — Decode a frame header, including the 64-bit length form (RFC 6455 §5.2).
 *
 * A header is 2 bytes, plus 2 or 8 for the extended length, plus 4 for the mask when the
 * mask bit is set. Bytes arrive in pieces: when the header is not complete yet, return
 * undefined and wait for more. A 64-bit length must have its top bit clear (else close
 * 1002), and one above Number.MAX_SAFE_INTEGER cannot be handled (close 1009).
 * Check: npm run exercise -- watch   (or npm run grade -- 3.1/04)
 */

export interface FrameHeader {
  fin: boolean;
  opcode: number;
  masked: boolean;
  /** The 4 mask bytes, when masked. */
  mask: Uint8Array | undefined;
  payloadLength: number;
  /** How many bytes the header took: 2, 4 or 10, plus 4 when masked. */
  headerLength: number;
}

/** A frame the connection must be failed for, with the close code to send. */
export class FrameError extends Error {
  override name = 'FrameError';
  constructor(
    message: string,
    readonly closeCode: number,
  ) {
    super(message);
  }
}

export function decodeFrameHeader(bytes: Uint8Array): FrameHeader | undefined {
  if (bytes.length < 2) return undefined;
  const first = bytes[0] ?? 0;
  const second = bytes[1] ?? 0;
  const masked = (second & 0x80) !== 0;
  const shortLength = second & 0x7f;
  const lengthBytes = shortLength === 126 ? 2 : shortLength === 127 ? 8 : 0;
  const headerLength = 2 + lengthBytes + (masked ? 4 : 0);
  if (bytes.length < headerLength) return undefined;

  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let payloadLength = shortLength;
  if (lengthBytes === 2) payloadLength = view.getUint16(2);
  if (lengthBytes === 8) {
    const long = view.getBigUint64(2);
    if (long >> 63n)
      throw new FrameError('64-bit payload length has its most significant bit set', 1002);
    if (long > BigInt(Number.MAX_SAFE_INTEGER))
      throw new FrameError(`payload length ${long} is larger than this server can handle`, 1009);
    payloadLength = Number(long);
  }
  const maskStart = 2 + lengthBytes;
  return {
    fin: (first & 0x80) !== 0,
    opcode: first & 0x0f,
    masked,
    mask: masked ? bytes.slice(maskStart, maskStart + 4) : undefined,
    payloadLength,
    headerLength,
  };
}
