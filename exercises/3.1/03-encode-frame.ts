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
  // TODO: validate, pick the length form (7, 16 or 64 bits), write the header, copy the payload.
  throw new Error(`TODO: encode opcode ${opcode} with ${payload.length} bytes (fin ${fin})`);
}
