/**
 * 3.1/05 — Validate a close frame's payload (RFC 6455 §5.5.1, §7.4).
 *
 * A close payload is empty, or a 2-byte big-endian code followed by a UTF-8 reason.
 * Empty means "no status" (report 1005, which is never sent on the wire). One byte is a
 * protocol error (1002), as is a code no endpoint may send (1002); a reason that is not
 * valid UTF-8 is 1007.
 * Check: npm run exercise -- watch   (or npm run grade -- 3.1/05)
 */

export class CloseFrameError extends Error {
  override name = 'CloseFrameError';
  constructor(
    message: string,
    readonly closeCode: number,
  ) {
    super(message);
  }
}

export interface CloseInfo {
  code: number;
  reason: string;
}

/** Codes a peer may send: 1000–1003, 1007–1014 (1004–1006 and 1015 are never sent), 3000–4999. */
export function isSendableCloseCode(code: number): boolean {
  // TODO: the ranges in the comment above.
  throw new Error(`TODO: decide whether ${code} may be sent`);
}

export function parseClosePayload(payload: Uint8Array): CloseInfo {
  // TODO: empty → 1005; 1 byte → 1002; read the big-endian code and check it; decode the
  // reason with a TextDecoder that refuses bad utf-8 ({ fatal: true }) → 1007.
  throw new CloseFrameError(`TODO: parse a close payload of ${payload.length} bytes`, 0);
}
