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
  return (
    (code >= 1000 && code <= 1003) ||
    (code >= 1007 && code <= 1014) ||
    (code >= 3000 && code <= 4999)
  );
}

export function parseClosePayload(payload: Uint8Array): CloseInfo {
  if (payload.length === 0) return { code: 1005, reason: '' };
  if (payload.length === 1)
    throw new CloseFrameError('a close payload of 1 byte has no room for a code', 1002);
  const code = ((payload[0] ?? 0) << 8) | (payload[1] ?? 0);
  if (!isSendableCloseCode(code))
    throw new CloseFrameError(`close code ${code} may not be sent by a peer`, 1002);
  let reason: string;
  try {
    reason = new TextDecoder('utf-8', { fatal: true }).decode(payload.subarray(2));
  } catch {
    throw new CloseFrameError('close reason is not valid utf-8', 1007);
  }
  return { code, reason };
}
