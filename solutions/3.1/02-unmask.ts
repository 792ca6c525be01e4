/**
 * 3.1/02 — Unmask a payload (RFC 6455 §5.3).
 *
 * Every frame a client sends is masked: payload byte i is XORed with mask[i % 4]. Applying
 * the same operation again restores the original. `offset` is the position of payload[0]
 * within the whole frame's payload, so a payload that arrives in pieces can be unmasked
 * piece by piece.
 * Check: npm run exercise -- watch   (or npm run grade -- 3.1/02)
 */

/** XORs `payload` with the 4-byte `mask` in place. Throws RangeError if the mask is not 4 bytes. */
export function applyMask(payload: Uint8Array, mask: Uint8Array, offset = 0): void {
  if (mask.length !== 4) throw new RangeError(`a mask is 4 bytes, got ${mask.length}`);
  for (let i = 0; i < payload.length; i++) {
    payload[i] = (payload[i] ?? 0) ^ (mask[(offset + i) & 3] ?? 0);
  }
}
