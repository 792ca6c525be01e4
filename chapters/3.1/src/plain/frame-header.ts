/**
 * 3.1.5 Reading a frame header — FIN, opcode, MASK and the 7-, 16- or 64-bit length.
 * Shows:  the low 7 bits of byte 1 are the length itself (0–125), or 126 ("the next 2 bytes
 *         hold it"), or 127 ("the next 8 bytes hold it"); a 4-byte mask follows when MASK is 1.
 * Run:    npx tsx chapters/3.1/src/plain/frame-header.ts
 * Expect: "length 5 (7-bit)", "length 256 (16-bit)", "length 65536 (64-bit)".
 */
import { pathToFileURL } from 'node:url';

export const Opcode = {
  CONTINUATION: 0x0,
  TEXT: 0x1,
  BINARY: 0x2,
  // 0x3–0x7 reserved for further data frames
  CLOSE: 0x8,
  PING: 0x9,
  PONG: 0xa,
  // 0xB–0xF reserved for further control frames
} as const;

export interface FrameHeader {
  fin: boolean;
  /** RSV1–3 as a 3-bit number: 0 unless an extension was agreed. */
  rsv: number;
  opcode: number;
  /** The MASK bit: 1 on every frame a client sends, 0 on every frame a server sends. */
  masked: boolean;
  payloadLength: number;
  /** Which of the three length forms carried it: byte 1 alone, 126 + 2 bytes, 127 + 8 bytes. */
  lengthBits: 7 | 16 | 64;
  /** The 4-byte masking key, when MASK is 1. */
  mask: Uint8Array | undefined;
  /** Bytes before the payload: 2, plus 2 or 8 for a longer length, plus 4 for the mask. */
  headerLength: number;
}

/** Reads the header at the start of `bytes`; undefined means "not all of it has arrived yet". */
export function parseFrameHeader(bytes: Uint8Array): FrameHeader | undefined {
  if (bytes.length < 2) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const byte0 = view.getUint8(0);
  const byte1 = view.getUint8(1);
  const masked = (byte1 & 0x80) !== 0;
  let payloadLength = byte1 & 0x7f;
  let lengthBits: 7 | 16 | 64 = 7;
  let at = 2;
  if (payloadLength === 126) {
    if (bytes.length < 4) return undefined;
    payloadLength = view.getUint16(2); // DataView reads big-endian (network order) by default
    lengthBits = 16;
    at = 4;
  } else if (payloadLength === 127) {
    if (bytes.length < 10) return undefined;
    const length = view.getBigUint64(2);
    // §5.2: the top bit MUST be 0; a JavaScript number is exact only up to 2^53 − 1.
    if (length > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new RangeError(`frame length ${length} is larger than 2^53 - 1`);
    }
    payloadLength = Number(length);
    lengthBits = 64;
    at = 10;
  }
  const headerLength = at + (masked ? 4 : 0);
  if (bytes.length < headerLength) return undefined;
  return {
    fin: (byte0 & 0x80) !== 0,
    rsv: (byte0 >> 4) & 0x7,
    opcode: byte0 & 0x0f,
    masked,
    payloadLength,
    lengthBits,
    mask: masked ? bytes.slice(at, at + 4) : undefined,
    headerLength,
  };
}

function main(): void {
  // Headers from RFC 6455 §5.7's examples.
  const examples = [
    [0x81, 0x05], // unmasked text "Hello"
    [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d], // masked text "Hello"
    [0x82, 0x7e, 0x01, 0x00], // 256 bytes of binary
    [0x82, 0x7f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00], // 64 KiB of binary
  ];
  for (const example of examples) {
    const header = parseFrameHeader(Uint8Array.from(example));
    if (!header) continue;
    const hex = example.map((b) => b.toString(16).padStart(2, '0')).join(' ');
    console.log(
      `${hex} → FIN=${Number(header.fin)} opcode=0x${header.opcode.toString(16)} MASK=${Number(header.masked)} length ${header.payloadLength} (${header.lengthBits}-bit), header ${header.headerLength} bytes`,
    );
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
