/**
 * The close frame's payload (§5.5.1): empty, or a 2-byte status code then a UTF-8 reason.
 */
import { CloseCode, MAX_CLOSE_REASON_BYTES } from './constants.ts';
import { ProtocolError } from './errors.ts';
import { decodeUtf8 } from './utf8.ts';

/**
 * Codes that may appear in a close frame (§7.4): 1000–1003, 1007–1014 and 3000–4999.
 * 1004 is reserved; 1005, 1006 and 1015 are for reporting only and never sent.
 */
export function isValidCloseCode(code: number): boolean {
  return (
    (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) ||
    (code >= 3000 && code <= 4999)
  );
}

/** Parses a received close payload; an empty one means "no status" (1005). */
export function decodeClosePayload(payload: Buffer): { code: number; reason: string } {
  if (payload.length === 0) return { code: CloseCode.NO_STATUS, reason: '' };
  if (payload.length === 1) {
    throw new ProtocolError(
      CloseCode.PROTOCOL_ERROR,
      'WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH',
      'close frame payload of 1 byte is invalid',
    );
  }
  const code = payload.readUInt16BE(0);
  if (!isValidCloseCode(code)) {
    throw new ProtocolError(
      CloseCode.PROTOCOL_ERROR,
      'WS_ERR_INVALID_CLOSE_CODE',
      `invalid close code ${code}`,
    );
  }
  return { code, reason: decodeUtf8(payload.subarray(2), 'close reason') };
}

/**
 * Builds a close payload. Throws RangeError for a code we may not send or a reason that does
 * not fit in a control frame — those are programming errors, not the peer's.
 */
export function encodeClosePayload(code: number | undefined, reason = ''): Buffer {
  if (code === undefined || code === CloseCode.NO_STATUS) {
    if (reason !== '') throw new RangeError('a close reason needs a close code');
    return Buffer.alloc(0);
  }
  if (!isValidCloseCode(code)) throw new RangeError(`close code ${code} may not be sent`);
  const reasonLength = Buffer.byteLength(reason);
  if (reasonLength > MAX_CLOSE_REASON_BYTES) {
    throw new RangeError(`close reason of ${reasonLength} bytes exceeds ${MAX_CLOSE_REASON_BYTES}`);
  }
  const payload = Buffer.allocUnsafe(2 + reasonLength);
  payload.writeUInt16BE(code, 0);
  payload.write(reason, 2, 'utf8');
  return payload;
}

/** Cuts a reason to fit a close frame without splitting a UTF-8 character. */
export function truncateReason(reason: string): string {
  if (Buffer.byteLength(reason) <= MAX_CLOSE_REASON_BYTES) return reason;
  let cut = reason.slice(0, MAX_CLOSE_REASON_BYTES);
  while (Buffer.byteLength(cut) > MAX_CLOSE_REASON_BYTES) cut = cut.slice(0, -1);
  return cut;
}
