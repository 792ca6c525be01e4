/**
 * Handshake requests for section 3.1.2: the RFC's own example, and variations a server
 * must accept or refuse. Written out as text so a reader sees exactly what is sent.
 */

import { ORIGINAL_SAMPLE_REQUEST } from './original-code.ts';
import { requestHead } from './raw-http.ts';

/** The sample request of RFC 6455 §1.2, with the key whose answer §1.3 gives. */
export const RFC_REQUEST = requestHead([
  'GET /chat HTTP/1.1',
  'Host: server.example.com',
  'Upgrade: websocket',
  'Connection: Upgrade',
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
  'Origin: http://example.com',
  'Sec-WebSocket-Protocol: chat, superchat',
  'Sec-WebSocket-Version: 13',
]);

/** Requests a server must refuse (and one it must accept), with why. */
export const REFUSAL_DEMOS: ReadonlyArray<{ label: string; request: string }> = [
  {
    label: 'header names in lower case (HTTP names are case-insensitive)',
    request: RFC_REQUEST.replace(/^[A-Za-z-]+(?=:)/gm, (name) => name.toLowerCase()),
  },
  { label: 'Sec-WebSocket-Version: 8', request: RFC_REQUEST.replace('Version: 13', 'Version: 8') },
  {
    label: 'no Sec-WebSocket-Key',
    request: RFC_REQUEST.replace('Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n', ''),
  },
  {
    label: 'the original chapter’s sample (its key is not 16 bytes in base64)',
    request: ORIGINAL_SAMPLE_REQUEST,
  },
  { label: 'POST instead of GET', request: RFC_REQUEST.replace('GET', 'POST') },
  {
    label: 'a path the server does not serve (it has only /chat)',
    request: RFC_REQUEST.replace('GET /chat ', 'GET /chatroom '),
  },
];
