/**
 * 3.1/01 — Compute the Sec-WebSocket-Accept key (RFC 6455 §4.2.2).
 *
 * The server proves it understood a WebSocket upgrade by appending a fixed GUID to the
 * client's Sec-WebSocket-Key, hashing with SHA-1 and sending the digest back in base64.
 * Check: npm run exercise -- watch   (or npm run grade -- 3.1/01)
 */

/** Fixed by the RFC; a server that uses anything else is refused by every client. */
export const MAGIC_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export function computeAcceptKey(key: string): string {
  // TODO: SHA-1 of `key + MAGIC_GUID`, as base64 (node:crypto's createHash helps).
  throw new Error(`TODO: compute the accept key for ${key}`);
}
