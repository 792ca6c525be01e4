/**
 * A bit-level, annotated dump of one encoded frame (RFC 6455 §5.2), for section 3.1.5.
 * Parsing is ws-core's `decodeFrameHeader`; this file only explains what it found.
 */
import { applyMask, decodeFrameHeader, type FrameHeader, Opcode } from '@course/ws-core';

/** §5.2 opcodes by name, for people reading a frame; the gaps are reserved. */
export const OPCODE_NAMES: Readonly<Record<number, string>> = {
  [Opcode.CONTINUATION]: 'continuation',
  [Opcode.TEXT]: 'text',
  [Opcode.BINARY]: 'binary',
  // 0x3–0x7 reserved for further data frames
  [Opcode.CLOSE]: 'close',
  [Opcode.PING]: 'ping',
  [Opcode.PONG]: 'pong',
  // 0xB–0xF reserved for further control frames
};

const LENGTH_FORMS = {
  7: '7-bit length: 0–125 is the length itself',
  16: '16-bit length: 126 means "the next 2 bytes hold it" (126–65535)',
  64: '64-bit length: 127 means "the next 8 bytes hold it" (65536 and up)',
} as const;

const PREVIEW_BYTES = 12;

export function hex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ');
}

function bits(byte: number): string {
  return byte.toString(2).padStart(8, '0');
}

function range(from: number, to: number): string {
  return from === to ? `byte ${from}` : `bytes ${from}–${to}`;
}

/** The first few bytes in hex; `total` says how many there are in all. */
function preview(bytes: Uint8Array, total = bytes.length): string {
  const shown = hex(bytes.subarray(0, PREVIEW_BYTES));
  return total > PREVIEW_BYTES ? `${shown} … (${total} bytes)` : shown;
}

/** Explains the header of `frame` field by field, then shows the payload before and after unmasking. */
export function dumpFrame(frame: Uint8Array): string[] {
  const header: FrameHeader | undefined = decodeFrameHeader(frame);
  if (!header) throw new Error(`need more bytes to read a frame header (have ${frame.length})`);
  const b0 = frame[0] ?? 0;
  const b1 = frame[1] ?? 0;
  const b0Bits = bits(b0);
  const b1Bits = bits(b1);
  const flag = (on: boolean) => (on ? 1 : 0);
  const lines = [
    `  byte 0       ${b0Bits[0]} ${b0Bits.slice(1, 4)} ${b0Bits.slice(4)}   FIN=${flag(header.fin)}  RSV1-3=${flag(header.rsv1)}${flag(header.rsv2)}${flag(header.rsv3)}  opcode=0x${header.opcode.toString(16)} (${OPCODE_NAMES[header.opcode] ?? 'reserved'})`,
    `  byte 1       ${b1Bits[0]} ${b1Bits.slice(1)}    MASK=${flag(header.masked)}  length field=${b1 & 0x7f}`,
    `               ${LENGTH_FORMS[header.lengthForm]}`,
  ];
  let offset = 2;
  if (header.lengthForm !== 7) {
    const size = header.lengthForm === 16 ? 2 : 8;
    const field = frame.subarray(offset, offset + size);
    lines.push(
      `  ${range(offset, offset + size - 1).padEnd(12)} ${hex(field)}   length = ${header.payloadLength}`,
    );
    offset += size;
  }
  if (header.mask) {
    lines.push(`  ${range(offset, offset + 3).padEnd(12)} ${hex(header.mask)}   masking key`);
    offset += 4;
  }
  const onWire = frame.subarray(header.headerLength, header.headerLength + header.payloadLength);
  lines.push(`  payload      ${header.payloadLength} bytes from byte ${header.headerLength}`);
  lines.push(`    on the wire  ${preview(onWire)}`);
  if (header.mask) {
    // Unmask a copy of just the bytes we show; the key repeats every 4 bytes from offset 0.
    const clear = Uint8Array.from(onWire.subarray(0, PREVIEW_BYTES));
    applyMask(clear, header.mask);
    lines.push(`    unmasked     ${preview(clear, onWire.length)}`);
  }
  return lines;
}
