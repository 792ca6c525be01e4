/**
 * Frame layout (RFC 6455 §5.2), sans-I/O: encode a frame to bytes, decode a header from bytes.
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-------+-+-------------+-------------------------------+
 *   |F|R|R|R| opcode|M| Payload len |    Extended payload length    |
 *   |I|S|S|S|  (4)  |A|     (7)     |             (16/64)           |
 *   |N|V|V|V|       |S|             |   (if payload len==126/127)   |
 *   | |1|2|3|       |K|             |                               |
 *   +-+-+-+-+-------+-+-------------+ - - - - - - - - - - - - - - - +
 *   |     Extended payload length continued, if payload len == 127  |
 *   + - - - - - - - - - - - - - - - +-------------------------------+
 *   |                               |Masking-key, if MASK set to 1  |
 *   +-------------------------------+-------------------------------+
 *   | Masking-key (continued)       |          Payload Data         |
 *   +-------------------------------- - - - - - - - - - - - - - - - +
 *
 * The streaming parser that uses `decodeFrameHeader` lives in frame-parser.ts.
 */
import { CloseCode, MAX_SAFE_PAYLOAD_LENGTH } from './constants.ts';
import { MessageTooBigError, ProtocolError } from './errors.ts';
import { copyMasked } from './mask.ts';

export interface Frame {
  fin: boolean;
  rsv1: boolean;
  rsv2: boolean;
  rsv3: boolean;
  opcode: number;
  payload: Uint8Array;
}

export interface FrameHeader {
  fin: boolean;
  rsv1: boolean;
  rsv2: boolean;
  rsv3: boolean;
  opcode: number;
  masked: boolean;
  /** A view of the 4 key bytes inside the bytes that were decoded (not a copy). */
  mask: Uint8Array | undefined;
  payloadLength: number;
  /** Which length encoding the sender used: 7-bit, 16-bit (126) or 64-bit (127). */
  lengthForm: 7 | 16 | 64;
  headerLength: number;
}

/** Header size for a payload of this length: 2 bytes + 0/2/8 length bytes + 0/4 mask bytes. */
export function frameHeaderLength(payloadLength: number, masked: boolean): number {
  const lengthBytes = payloadLength < 126 ? 0 : payloadLength < 0x10000 ? 2 : 8;
  return 2 + lengthBytes + (masked ? 4 : 0);
}

/**
 * Writes a header at `target[0..]` and returns its length. `firstByte` is FIN|RSV|opcode
 * (e.g. 0x81 for a final text frame). Lengths use the shortest form, as §5.2 requires.
 */
export function writeFrameHeader(
  target: Uint8Array,
  firstByte: number,
  payloadLength: number,
  mask?: Uint8Array,
): number {
  const maskBit = mask ? 0x80 : 0;
  target[0] = firstByte;
  let at: number;
  if (payloadLength < 126) {
    target[1] = maskBit | payloadLength;
    at = 2;
  } else if (payloadLength < 0x10000) {
    target[1] = maskBit | 126;
    target[2] = payloadLength >>> 8;
    target[3] = payloadLength & 0xff;
    at = 4;
  } else {
    target[1] = maskBit | 127;
    const high = Math.floor(payloadLength / 0x1_0000_0000);
    const low = payloadLength >>> 0;
    target[2] = high >>> 24;
    target[3] = (high >>> 16) & 0xff;
    target[4] = (high >>> 8) & 0xff;
    target[5] = high & 0xff;
    target[6] = low >>> 24;
    target[7] = (low >>> 16) & 0xff;
    target[8] = (low >>> 8) & 0xff;
    target[9] = low & 0xff;
    at = 10;
  }
  if (mask) {
    target[at] = mask[0] ?? 0;
    target[at + 1] = mask[1] ?? 0;
    target[at + 2] = mask[2] ?? 0;
    target[at + 3] = mask[3] ?? 0;
    at += 4;
  }
  return at;
}

/** FIN, RSV1–3 and the opcode packed into the first header byte. */
export function firstHeaderByte(frame: Omit<Frame, 'payload'>): number {
  return (
    (frame.fin ? 0x80 : 0) |
    (frame.rsv1 ? 0x40 : 0) |
    (frame.rsv2 ? 0x20 : 0) |
    (frame.rsv3 ? 0x10 : 0) |
    (frame.opcode & 0x0f)
  );
}

/** Encodes one frame into a single buffer; pass `mask` (4 bytes) to mask it, as clients must. */
export function encodeFrame(frame: Frame, mask?: Uint8Array): Buffer {
  const { payload } = frame;
  const headerLength = frameHeaderLength(payload.length, mask !== undefined);
  const bytes = Buffer.allocUnsafe(headerLength + payload.length);
  writeFrameHeader(bytes, firstHeaderByte(frame), payload.length, mask);
  copyMasked(payload, 0, bytes, headerLength, payload.length, mask);
  return bytes;
}

/** A frame with the usual defaults: final, no RSV bits. */
export function frame(opcode: number, payload: Uint8Array | string, fin = true): Frame {
  const bytes = typeof payload === 'string' ? Buffer.from(payload) : payload;
  return { fin, rsv1: false, rsv2: false, rsv3: false, opcode, payload: bytes };
}

/**
 * Decodes the header at `bytes[offset..]`, or returns undefined when more bytes are needed.
 * The mask is a view into `bytes`, unless `maskOut` (4 bytes) is given: then the key is copied
 * there and `mask` is `maskOut` — the streaming parser does this to avoid a view per frame.
 * Only rules about the header's *encoding* are checked here (the 64-bit length); what a header
 * *means* (opcodes, RSV, masking, sizes) is judged by the Protocol, which knows the context.
 */
export function decodeFrameHeader(
  bytes: Uint8Array,
  offset = 0,
  maskOut?: Uint8Array,
): FrameHeader | undefined {
  const available = bytes.length - offset;
  if (available < 2) return undefined;
  const b0 = bytes[offset] as number;
  const b1 = bytes[offset + 1] as number;
  const masked = (b1 & 0x80) !== 0;
  const length7 = b1 & 0x7f;
  const lengthForm = length7 === 126 ? 16 : length7 === 127 ? 64 : 7;
  const lengthBytes = lengthForm === 16 ? 2 : lengthForm === 64 ? 8 : 0;
  const headerLength = 2 + lengthBytes + (masked ? 4 : 0);
  if (available < headerLength) return undefined;
  let payloadLength = length7;
  if (lengthForm === 16) {
    payloadLength = ((bytes[offset + 2] as number) << 8) | (bytes[offset + 3] as number);
  } else if (lengthForm === 64) {
    payloadLength = readLength64(bytes, offset + 2);
  }
  const end = offset + headerLength;
  let mask: Uint8Array | undefined;
  if (masked) {
    if (maskOut === undefined) {
      mask = bytes.subarray(end - 4, end);
    } else {
      maskOut[0] = bytes[end - 4] as number;
      maskOut[1] = bytes[end - 3] as number;
      maskOut[2] = bytes[end - 2] as number;
      maskOut[3] = bytes[end - 1] as number;
      mask = maskOut;
    }
  }
  return {
    fin: (b0 & 0x80) !== 0,
    rsv1: (b0 & 0x40) !== 0,
    rsv2: (b0 & 0x20) !== 0,
    rsv3: (b0 & 0x10) !== 0,
    opcode: b0 & 0x0f,
    masked,
    mask,
    payloadLength,
    lengthForm,
    headerLength,
  };
}

/** Reads the 8-byte big-endian length at bytes[at..]. */
function readLength64(bytes: Uint8Array, at: number): number {
  const high = readUint32(bytes, at);
  const low = readUint32(bytes, at + 4);
  // §5.2: "the most significant bit MUST be 0".
  if (high & 0x8000_0000) {
    throw new ProtocolError(
      CloseCode.PROTOCOL_ERROR,
      'WS_ERR_INVALID_PAYLOAD_LENGTH',
      'frame length has the most significant bit set',
    );
  }
  const length = high * 0x1_0000_0000 + low;
  if (length > MAX_SAFE_PAYLOAD_LENGTH) {
    throw new MessageTooBigError(
      'WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH',
      `frame length ${length} exceeds 2^53 - 1 bytes`,
    );
  }
  return length;
}

function readUint32(bytes: Uint8Array, at: number): number {
  return (
    (((bytes[at] as number) << 24) |
      ((bytes[at + 1] as number) << 16) |
      ((bytes[at + 2] as number) << 8) |
      (bytes[at + 3] as number)) >>>
    0
  );
}
