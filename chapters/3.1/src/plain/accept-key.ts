/**
 * 3.1.2 / 3.1.3 The accept key — the one computation the opening handshake needs.
 * Shows:  Sec-WebSocket-Accept = base64(SHA-1(key + GUID)), checked against RFC 6455 §1.3.
 * Run:    npx tsx chapters/3.1/src/plain/accept-key.ts
 * Expect: "dGhlIHNhbXBsZSBub25jZQ== → s3pPLMBiTxaQ9kYGzzhZRbK+xOo=".
 */
import { createHash } from 'node:crypto';
import { pathToFileURL } from 'node:url';

/** RFC 6455 §1.3: a GUID "unlikely to be used by network endpoints that do not understand" WebSocket. */
export const MAGIC_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** The key exactly as the client sent it (never decoded), the GUID appended, SHA-1, base64. */
export function computeAcceptKey(key: string): string {
  return createHash('sha1')
    .update(key + MAGIC_GUID)
    .digest('base64');
}

/** RFC 6455 §4.1: the key is 16 random bytes in base64, which is always 22 characters and "==". */
export function isValidKey(key: string): boolean {
  return /^[A-Za-z0-9+/]{22}==$/.test(key);
}

function main(): void {
  const key = 'dGhlIHNhbXBsZSBub25jZQ=='; // the sample key of RFC 6455 §1.3
  console.log(`${key} → ${computeAcceptKey(key)}`);
  console.log('RFC 6455 §1.3 says: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  console.log(
    `a valid key? ${isValidKey(key)}; the original chapter's sample key? ${isValidKey('xsdouiaDDBub25jZQ==')}`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
