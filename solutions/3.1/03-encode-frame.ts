/**
 * 3.1/03 — Encode a server frame (RFC 6455 §5.2).
 *
 * Byte 0 is FIN (0x80) plus the opcode. Byte 1 holds the length: 0–125 directly; 126 then a
 * 16-bit length; 127 then a 64-bit length (big-endian, most significant bit 0). Servers
 * never mask, so the mask bit stays 0. The original chapter packs the 16- and 64-bit forms
 * the wrong way round — the tests at 65535 and 65536 catch exactly that.
 * Check: npm run exercise -- watch   (or npm run grade -- 3.1/03)
 */

/** Control frames (close, ping, pong) carry at most 125 bytes and are never fragmented. */
export const MAX_CONTROL_PAYLOAD = 125;

/** Returns the frame's bytes. Throws RangeError for an opcode above 0xf or a bad control frame. */
export function encodeFrame(opcode: number, payload: Uint8Array, fin = true): Uint8Array {
  if (!Number.isInteger(opcode) || opcode < 0 || opcode > 0xf)
    throw new RangeError(`opcode must be 0x0–0xf, got ${opcode}`);
  const isControl = opcode >= 0x8;
  if (isControl && payload.length > MAX_CONTROL_PAYLOAD)
    throw new RangeError(
      `control frame payload of ${payload.length} bytes exceeds ${MAX_CONTROL_PAYLOAD}`,
    );
  if (isControl && !fin) throw new RangeError('control frames must not be fragmented');

  const length = payload.length;
  const headerLength = length < 126 ? 2 : length <= 0xffff ? 4 : 10;
  const frame = new Uint8Array(headerLength + length);
  const view = new DataView(frame.buffer);
  frame[0] = (fin ? 0x80 : 0) | opcode;
  if (length < 126) {
    frame[1] = length;
  } else if (length <= 0xffff) {
    frame[1] = 126;
    view.setUint16(2, length);
  } else {
    frame[1] = 127;
    view.setBigUint64(2, BigInt(length));
  }
  frame.set(payload, headerLength);
  return frame;
}
