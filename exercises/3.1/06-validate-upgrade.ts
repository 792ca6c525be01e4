/**
 * 3.1/06 — Validate an upgrade request and answer it (RFC 6455 §4.2.1, §4.2.2).
 *
 * Input: the request head as received, up to and including the blank line. Header names
 * are case-insensitive (the original chapter's handshake breaks on real browsers for this
 * reason) and a repeated header's values are joined with ", ". One guard per rule, one
 * status each: not GET → 405; not HTTP/1.1, no Host, no "Upgrade: websocket", no "upgrade"
 * token in Connection, or a Sec-WebSocket-Key that is not 16 bytes in base64 → 400; a
 * version other than 13 → 426 with "Sec-WebSocket-Version: 13". Success → 101 with the
 * Accept key, and a subprotocol only if the client offered one the server supports
 * (server's preference).
 * Check: npm run exercise -- watch   (or npm run grade -- 3.1/06)
 */

export interface UpgradeResponse {
  status: number;
  headers: Record<string, string>;
  /** Why the request was refused; empty on success. */
  reason: string;
}

export const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export function checkUpgrade(
  head: string,
  serverProtocols: readonly string[] = [],
): UpgradeResponse {
  // TODO: split the head into the request line and headers (names lower-cased, repeats
  // joined with ", "), then one guard per rule in the order above, then the 101 answer with
  // Sec-WebSocket-Accept (SHA-1 of key + GUID, base64) and a subprotocol if one matches.
  throw new Error(
    `TODO: check a ${head.length}-byte request (server protocols: ${serverProtocols.join(', ') || 'none'})`,
  );
}
