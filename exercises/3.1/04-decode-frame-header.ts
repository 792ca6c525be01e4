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
  // TODO: return undefined until the whole header is there (2 + 0/2/8 + 0/4 bytes), then
  // read FIN, opcode, the mask bit, the length (DataView's getUint16/getBigUint64) and the mask.
  throw new FrameError(`TODO: decode a header from ${bytes.length} bytes`, 0);
}
