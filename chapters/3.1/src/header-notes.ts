/**
 * One sentence per handshake header: what it is for (RFC 6455 §4.1 client, §4.2.2 server).
 * Keys are lower-case because HTTP header names are case-insensitive (RFC 9110 §5.1).
 * Connection and Upgrade are hop-by-hop (RFC 9110 §7.6.1, §7.8): each proxy on the way must
 * drop them rather than forward them, which is why a WebSocket through a proxy needs the
 * proxy's own support.
 */

const REQUEST_NOTES: Record<string, string> = {
  host: 'which site the client wants; one TCP port can serve many',
  upgrade: 'asks to switch this connection from HTTP to the "websocket" protocol',
  connection: 'lists hop-by-hop headers: a proxy must not forward Upgrade (RFC 9110 §7.6.1)',
  'sec-websocket-key':
    '16 random bytes, base64-encoded: a nonce, not a secret; the server must transform it',
  'sec-websocket-version': 'the protocol version; 13 is the only one RFC 6455 defines',
  'sec-websocket-protocol':
    'subprotocols the client can speak, in preference order; the server may pick one',
  'sec-websocket-extensions': 'extensions the client offers, e.g. permessage-deflate',
  origin: 'the page that opened the socket (sent by browsers); lets the server refuse other sites',
  'user-agent': 'the client software; informational',
};

const RESPONSE_NOTES: Record<string, string> = {
  upgrade: 'confirms the switch: after this head, both sides speak WebSocket frames',
  connection: 'as in the request: Upgrade is for this connection only, never forwarded',
  'sec-websocket-accept':
    'base64(SHA-1(key + magic GUID)): proves this server understood the WebSocket request',
  'sec-websocket-protocol':
    'the one subprotocol the server chose, from the client’s list; absent if none',
  'sec-websocket-extensions': 'the extensions the server accepted',
};

/** A note for one header, or undefined when we have nothing to teach about it. */
export function noteForHeader(side: 'request' | 'response', name: string): string | undefined {
  const notes = side === 'request' ? REQUEST_NOTES : RESPONSE_NOTES;
  return notes[name.toLowerCase()];
}

/** The head as text, each header followed by an indented note, for a terminal. */
export function annotateHeaders(
  side: 'request' | 'response',
  startLine: string,
  headers: ReadonlyArray<readonly [string, string]>,
): string {
  const lines = [`  ${startLine}`];
  for (const [name, value] of headers) {
    lines.push(`  ${name}: ${value}`);
    const note = noteForHeader(side, name);
    if (note) lines.push(`      ↳ ${note}`);
  }
  return lines.join('\n');
}
