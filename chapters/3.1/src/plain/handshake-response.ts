/**
 * 3.1.3 The handshake answer — check the request, then 101 with the accept key, or a refusal.
 * Shows:  guard clauses, one HTTP status and one reason each (RFC 6455 §4.2.1–§4.2.2), and a
 *         subprotocol picked from the client's own list or none at all.
 * Run:    npx tsx chapters/3.1/src/plain/handshake-response.ts
 * Expect: a 101 with "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", then a 400 for the
 *         original chapter's sample key.
 */
import { pathToFileURL } from 'node:url';
import { computeAcceptKey, isValidKey } from './accept-key.ts';
import { parseRequestHead, type RequestHead } from './upgrade-request.ts';

/** Connection and Upgrade are comma-separated token lists; Firefox sends "keep-alive, Upgrade". */
function hasToken(value: string | undefined, token: string): boolean {
  return (value ?? '').split(',').some((item) => item.trim().toLowerCase() === token);
}

/** A refusal: the status, a one-line reason as the body, and the connection closes after it. */
function refuse(status: string, reason: string, extra = ''): string {
  const length = Buffer.byteLength(reason);
  return `HTTP/1.1 ${status}\r\n${extra}Connection: close\r\nContent-Length: ${length}\r\n\r\n${reason}`;
}

/** The full response head (and body, for a refusal) to send back for one request head. */
export function answerUpgrade(head: RequestHead, serverProtocols: readonly string[] = []): string {
  const h = head.headers;
  // RFC 9110 §15.5.6: a 405 "MUST generate an Allow header field" listing the methods we take.
  if (head.method !== 'GET') return refuse('405 Method Not Allowed', 'use GET', 'Allow: GET\r\n');
  if (head.version !== 'HTTP/1.1' || !h.has('host'))
    return refuse('400 Bad Request', 'need HTTP/1.1 and Host');
  if (!hasToken(h.get('upgrade'), 'websocket'))
    return refuse('400 Bad Request', 'need Upgrade: websocket');
  if (!hasToken(h.get('connection'), 'upgrade'))
    return refuse('400 Bad Request', 'need Connection: Upgrade');
  if (h.get('sec-websocket-version') !== '13') {
    // §4.2.2: tell the client which version we speak.
    return refuse('426 Upgrade Required', 'this server speaks 13', 'Sec-WebSocket-Version: 13\r\n');
  }
  const key = h.get('sec-websocket-key') ?? '';
  if (!isValidKey(key))
    return refuse('400 Bad Request', 'Sec-WebSocket-Key must be 16 bytes in base64');

  // Our first protocol that the client offered too; none in common means no header at all.
  const offered = (h.get('sec-websocket-protocol') ?? '').split(',').map((p) => p.trim());
  const chosen = serverProtocols.find((p) => offered.includes(p));
  return (
    'HTTP/1.1 101 Switching Protocols\r\n' +
    'Upgrade: websocket\r\n' +
    'Connection: Upgrade\r\n' +
    `Sec-WebSocket-Accept: ${computeAcceptKey(key)}\r\n` +
    (chosen ? `Sec-WebSocket-Protocol: ${chosen}\r\n` : '') +
    '\r\n'
  );
}

function main(): void {
  const rfcSample = parseRequestHead(
    'GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\n' +
      'Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n' +
      'Sec-WebSocket-Protocol: chat, superchat\r\nSec-WebSocket-Version: 13',
  );
  console.log(answerUpgrade(rfcSample, ['chat']));
  // The original chapter's sample request, whose key is 19 characters.
  const original = parseRequestHead(
    'GET /chat HTTP/1.1\r\nHost: server.xzy.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      'Sec-Websocket-Key: xsdouiaDDBub25jZQ==\r\nSec-Websocket-Version: 13',
  );
  console.log(answerUpgrade(original, ['chat']));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
