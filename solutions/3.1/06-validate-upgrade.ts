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
import { createHash } from 'node:crypto';

export interface UpgradeResponse {
  status: number;
  headers: Record<string, string>;
  /** Why the request was refused; empty on success. */
  reason: string;
}

export const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

function refuse(
  status: number,
  reason: string,
  headers: Record<string, string> = {},
): UpgradeResponse {
  return { status, reason, headers };
}

function tokens(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((token) => token.trim().toLowerCase())
    .filter(Boolean);
}

function parseHead(head: string) {
  const [requestLine = '', ...lines] = head.split('\r\n');
  const [method = '', target = '', version = ''] = requestLine.split(' ');
  const headers = new Map<string, string>();
  for (const line of lines) {
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const previous = headers.get(name);
    headers.set(name, previous === undefined ? value : `${previous}, ${value}`);
  }
  return { method, target, version, headers };
}

export function checkUpgrade(
  head: string,
  serverProtocols: readonly string[] = [],
): UpgradeResponse {
  const { method, version, headers } = parseHead(head);
  if (method !== 'GET')
    return refuse(405, `method ${method} is not allowed; use GET`, { Allow: 'GET' });
  if (version !== 'HTTP/1.1') return refuse(400, `expected HTTP/1.1, got ${version}`);
  if (!headers.get('host')) return refuse(400, 'missing Host header');
  if (!tokens(headers.get('upgrade')).includes('websocket'))
    return refuse(400, 'Upgrade header must be "websocket"');
  if (!tokens(headers.get('connection')).includes('upgrade'))
    return refuse(400, 'Connection header must include "upgrade"');
  if (headers.get('sec-websocket-version') !== '13')
    return refuse(426, 'only Sec-WebSocket-Version 13 is supported', {
      'Sec-WebSocket-Version': '13',
    });
  const key = headers.get('sec-websocket-key') ?? '';
  if (!/^[A-Za-z0-9+/]{22}==$/.test(key))
    return refuse(400, 'Sec-WebSocket-Key must be 16 bytes in base64');

  const accept = createHash('sha1')
    .update(key + GUID)
    .digest('base64');
  const offered = (headers.get('sec-websocket-protocol') ?? '').split(',').map((p) => p.trim());
  const protocol = serverProtocols.find((p) => offered.includes(p));
  return {
    status: 101,
    reason: '',
    headers: {
      Upgrade: 'websocket',
      Connection: 'Upgrade',
      'Sec-WebSocket-Accept': accept,
      ...(protocol ? { 'Sec-WebSocket-Protocol': protocol } : {}),
    },
  };
}
