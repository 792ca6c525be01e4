/**
 * One frame's raw bytes → a JSON description that the inspector page draws bit by bit
 * (RFC 6455 §5.2). Parsing is ws-core's `decodeFrameHeader`, the function the server itself
 * reads headers with; this file only names what it found. Pure: bytes in, plain data out.
 *
 * A tap does not keep whole payloads (a student may send 70 KB again and again): it keeps a
 * `FrameCapture` — the header, the payload's first KEPT_HEAD bytes and its last PREVIEW_TAIL
 * bytes — and the description elides the middle with a count.
 */
import { decodeFrameHeader, Opcode } from '@course/ws-core';
import { OPCODE_NAMES } from '../frame-dump.ts';

/** Payload bytes drawn from the start of a frame… */
export const PREVIEW_HEAD = 16;
/** …and from its end, with the count of those elided in between. */
export const PREVIEW_TAIL = 4;
/** Payload bytes a capture keeps from the start: a whole control frame (§5.5: at most 125). */
export const KEPT_HEAD = 125;

const LENGTH_NOTES = {
  7: '0–125: the length itself (7-bit form)',
  16: '126: the length is in the next 2 bytes (16-bit form, 126–65535)',
  64: '127: the length is in the next 8 bytes (64-bit form, 65536 and up)',
} as const;

/** What a tap keeps of one frame, exactly as the bytes arrived (the payload still masked). */
export interface FrameCapture {
  /** The 2–14 header bytes. */
  header: Uint8Array;
  /** The payload's first min(payloadLength, KEPT_HEAD) bytes. */
  head: Uint8Array;
  /** The payload's last bytes not in `head`, at most PREVIEW_TAIL. */
  tail: Uint8Array;
  payloadLength: number;
  /** The opcode of the message this frame belongs to (text or binary), for continuations. */
  messageOpcode?: number;
}

/** One header field: its bits as sent, what they say, and where they are. */
export interface BitField {
  name: string;
  /** 'byte 0', 'bytes 2–3'… */
  at: string;
  /** The field's bits, a space between bytes: '1', '0001', '00000001 00101100'. */
  bits: string;
  value: string;
  note: string;
}

/** One payload byte: as on the wire, the key byte it was masked with, and unmasked. */
export interface PayloadByte {
  offset: number;
  wire: number;
  /** Absent when the frame is not masked (then `clear` equals `wire`). */
  key?: number;
  clear: number;
}

export interface FrameDescription {
  fin: 0 | 1;
  rsv1: 0 | 1;
  rsv2: 0 | 1;
  rsv3: 0 | 1;
  opcode: number;
  opcodeName: string;
  control: boolean;
  mask: 0 | 1;
  lengthForm: 7 | 16 | 64;
  payloadLength: number;
  headerLength: number;
  /** The header's bytes in hex, e.g. '81 85 37 fa 21 3d'. */
  header: string;
  maskingKey: string | null;
  fields: BitField[];
  payload: { head: PayloadByte[]; elided: number; tail: PayloadByte[] };
  /** Text frames (and continuations of text), pings and pongs: the start of the payload as text. */
  text?: string;
  /** Close frames: the code (null when the frame has none, reported as 1005) and reason. */
  close?: { code: number | null; reason: string };
}

export function hexOf(bytes: Uint8Array | readonly number[]): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ');
}

function bitsOf(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(2).padStart(8, '0')).join(' ');
}

function at(from: number, to: number): string {
  return from === to ? `byte ${from}` : `bytes ${from}–${to}`;
}

const flag = (on: boolean): 0 | 1 => (on ? 1 : 0);

/** Splits a whole frame held in one buffer (tests, the CLI) into the capture a tap would keep. */
export function captureFrame(bytes: Uint8Array, messageOpcode?: number): FrameCapture {
  const header = decodeFrameHeader(bytes);
  if (!header) throw new Error(`need more bytes to read a frame header (have ${bytes.length})`);
  const end = header.headerLength + header.payloadLength;
  if (bytes.length < end) {
    throw new Error(`frame announces ${end} bytes, only ${bytes.length} given`);
  }
  const keptHead = Math.min(header.payloadLength, KEPT_HEAD);
  const tailLength = Math.min(PREVIEW_TAIL, header.payloadLength - keptHead);
  // Copies, as plain Uint8Arrays (a Buffer's slice() would be a view), like a tap's.
  const copy = (from: number, to: number) => Uint8Array.from(bytes.subarray(from, to));
  return {
    header: copy(0, header.headerLength),
    head: copy(header.headerLength, header.headerLength + keptHead),
    tail: copy(end - tailLength, end),
    payloadLength: header.payloadLength,
    ...(messageOpcode === undefined ? {} : { messageOpcode }),
  };
}

/** Describes a captured frame field by field. Throws if the header is incomplete or invalid. */
export function describeFrame(capture: FrameCapture): FrameDescription {
  const header = decodeFrameHeader(capture.header);
  if (!header || header.headerLength !== capture.header.length) {
    throw new Error(
      `a capture must hold exactly one whole header (got ${capture.header.length} bytes)`,
    );
  }
  const raw = capture.header;
  const b0 = raw[0] ?? 0;
  const b1 = raw[1] ?? 0;
  const opcodeName = OPCODE_NAMES[header.opcode] ?? 'reserved';
  const control = (header.opcode & 0x8) !== 0;
  const maskingKey = header.mask ? Uint8Array.from(header.mask) : undefined;

  const fields: BitField[] = [
    {
      name: 'FIN',
      at: 'byte 0, bit 0',
      bits: String(flag(header.fin)),
      value: String(flag(header.fin)),
      note: header.fin ? 'the last frame of its message' : 'more frames of this message follow',
    },
    ...(['rsv1', 'rsv2', 'rsv3'] as const).map((name, i) => ({
      name: name.toUpperCase(),
      at: `byte 0, bit ${i + 1}`,
      bits: String(flag(header[name])),
      value: String(flag(header[name])),
      note: header[name]
        ? 'set: only an extension the handshake agreed on may set it'
        : 'clear: no extension uses it',
    })),
    {
      name: 'opcode',
      at: 'byte 0, bits 4–7',
      bits: (b0 & 0x0f).toString(2).padStart(4, '0'),
      value: `0x${header.opcode.toString(16)}`,
      note: `${opcodeName}${control ? ' (a control frame)' : ''}`,
    },
    {
      name: 'MASK',
      at: 'byte 1, bit 0',
      bits: String(flag(header.masked)),
      value: String(flag(header.masked)),
      note: header.masked
        ? 'masked: every client frame must be (§5.1)'
        : 'not masked: a server must never mask (§5.1)',
    },
    {
      name: 'payload len',
      at: 'byte 1, bits 1–7',
      bits: (b1 & 0x7f).toString(2).padStart(7, '0'),
      value: String(b1 & 0x7f),
      note: LENGTH_NOTES[header.lengthForm],
    },
  ];
  let offset = 2;
  if (header.lengthForm !== 7) {
    const size = header.lengthForm === 16 ? 2 : 8;
    fields.push({
      name: `extended payload length (${header.lengthForm} bits)`,
      at: at(offset, offset + size - 1),
      bits: bitsOf(raw.subarray(offset, offset + size)),
      value: String(header.payloadLength),
      note: 'big-endian (network byte order)',
    });
    offset += size;
  }
  if (maskingKey) {
    fields.push({
      name: 'masking key',
      at: at(offset, offset + 3),
      bits: bitsOf(maskingKey),
      value: hexOf(maskingKey),
      note: 'payload byte i is XORed with key byte i mod 4',
    });
  }

  const payload = previewPayload(capture, maskingKey);
  return {
    fin: flag(header.fin),
    rsv1: flag(header.rsv1),
    rsv2: flag(header.rsv2),
    rsv3: flag(header.rsv3),
    opcode: header.opcode,
    opcodeName,
    control,
    mask: flag(header.masked),
    lengthForm: header.lengthForm,
    payloadLength: header.payloadLength,
    headerLength: header.headerLength,
    header: hexOf(raw),
    maskingKey: maskingKey ? hexOf(maskingKey) : null,
    fields,
    payload,
    ...readPayload(header.opcode, capture, maskingKey),
  };
}

function byteAt(offset: number, wire: number, key: Uint8Array | undefined): PayloadByte {
  if (!key) return { offset, wire, clear: wire };
  const k = key[offset % 4] ?? 0;
  return { offset, wire, key: k, clear: wire ^ k };
}

function previewPayload(capture: FrameCapture, key: Uint8Array | undefined) {
  const { head, tail, payloadLength } = capture;
  const whole = head.length === payloadLength;
  // A short payload is shown whole; a long one as its first and last bytes.
  if (whole && payloadLength <= PREVIEW_HEAD + PREVIEW_TAIL) {
    return { head: [...head].map((b, i) => byteAt(i, b, key)), elided: 0, tail: [] };
  }
  const lastBytes = whole ? head.subarray(head.length - PREVIEW_TAIL) : tail;
  const tailStart = payloadLength - lastBytes.length;
  return {
    head: [...head.subarray(0, PREVIEW_HEAD)].map((b, i) => byteAt(i, b, key)),
    elided: payloadLength - PREVIEW_HEAD - lastBytes.length,
    tail: [...lastBytes].map((b, i) => byteAt(tailStart + i, b, key)),
  };
}

function unmasked(bytes: Uint8Array, key: Uint8Array | undefined): Uint8Array {
  return key ? bytes.map((b, i) => b ^ (key[i % 4] ?? 0)) : bytes;
}

function readPayload(
  opcode: number,
  capture: FrameCapture,
  key: Uint8Array | undefined,
): Pick<FrameDescription, 'text' | 'close'> {
  const clear = unmasked(capture.head, key);
  const cut = capture.head.length < capture.payloadLength ? '…' : '';
  if (opcode === Opcode.CLOSE) {
    // §5.5.1: an optional 2-byte code, then an optional UTF-8 reason.
    if (clear.length < 2) return { close: { code: null, reason: '' } };
    const code = ((clear[0] ?? 0) << 8) | (clear[1] ?? 0);
    return { close: { code, reason: Buffer.from(clear.subarray(2)).toString('utf8') } };
  }
  const isText =
    opcode === Opcode.TEXT ||
    (opcode === Opcode.CONTINUATION && capture.messageOpcode === Opcode.TEXT);
  if (isText) {
    // A cut may fall inside a character: the decoder shows it as U+FFFD, followed by "…".
    return { text: `${new TextDecoder().decode(clear)}${cut}` };
  }
  if (opcode === Opcode.PING || opcode === Opcode.PONG) {
    // Ping data is bytes; show it as text only when it is text.
    try {
      return { text: new TextDecoder('utf-8', { fatal: true }).decode(clear) };
    } catch {
      return {};
    }
  }
  return {};
}
