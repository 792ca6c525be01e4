/**
 * Faithful TypeScript ports of the original chapter's mistakes — never used to serve
 * anyone. Section 3.1.5 and the errata tests run them next to the right code, so each
 * erratum is shown failing rather than merely claimed.
 */

/** The original's `HANDSHAKE_STRING` after `.replace('#1', key).replace('#2', host)`. */
export function originalHandshakeResponse(accept: string, hostPort: string): string {
  return (
    'HTTP/1.1 101 Switching Protocols\r\n' +
    'Upgrade: websocket\r\n' +
    'Connection: Upgrade\r\n' +
    `Sec-Websocket-Accept: ${accept}\r\n` +
    `Websocket-Location: ws://${hostPort}/chat\r\n` + // a pre-RFC (hixie-75) header
    'Websocket-Protocol:chat\r\n\r\n' // claims "chat" whatever the client offered
  );
}

/** The original's 3.1.1 sample request, byte for byte (its 19-character key is not 16 bytes in base64). */
export const ORIGINAL_SAMPLE_REQUEST =
  'GET /chat HTTP/1.1\r\n' +
  'Host: server.xzy.com\r\n' +
  'Upgrade: websocket\r\n' +
  'Connection: Upgrade\r\n' +
  'Sec-Websocket-Key: xsdouiaDDBub25jZQ==\r\n' +
  'Origin: http://xyz.com\r\n' +
  'Sec-Websocket-Protocol: chat,\r\n' +
  'Sec-Websocket-Version: 13\r\n\r\n';

/**
 * The original `handshake()`'s header parsing: split one read on ": " into a dict and look
 * the key up with one exact spelling. Returns the key, or undefined where the original
 * printed "not websocket."; throws where Python's `line.split(': ', 1)` unpacking would.
 */
export function originalFindKey(firstRead: string): string | undefined {
  const headers = new Map<string, string>();
  const [head = ''] = firstRead.split('\r\n\r\n', 1);
  for (const line of head.split('\r\n').slice(1)) {
    const at = line.indexOf(': ');
    if (at < 0) throw new Error(`ValueError: need more than 1 value to unpack (line "${line}")`);
    headers.set(line.slice(0, at), line.slice(at + 2));
  }
  return headers.get('Sec-Websocket-Key');
}

/**
 * The original `send_data` header for a text message of `length` bytes, including its
 * swapped struct formats: `!BQ` (8-byte length) after 126 and `!BH` (2-byte) after 127.
 */
export function originalSendDataHeader(length: number): Buffer {
  if (length === 0) throw new Error('send_data returns False: an empty message cannot be sent');
  if (length < 126) return Buffer.from([0x81, length]);
  if (length <= 0xffff) {
    const header = Buffer.alloc(10); // struct.pack("!BQ", 126, length)
    header[0] = 0x81;
    header[1] = 126;
    header.writeBigUInt64BE(BigInt(length), 2);
    return header;
  }
  // struct.pack("!BH", 127, length) with length > 65535
  throw new Error("struct.error: 'H' format requires 0 <= number <= 65535");
}

/**
 * The original `recv_data` given what one `recv(1024)` returned: picks the mask by the
 * length field, then XORs *everything* after it, ignoring FIN, opcode, the MASK bit and the
 * declared length.
 */
export function originalRecvData(firstRead: Uint8Array): Buffer {
  const length = (firstRead[1] ?? 0) & 127;
  const maskAt = length === 126 ? 4 : length === 127 ? 10 : 2;
  const mask = firstRead.subarray(maskAt, maskAt + 4);
  const data = firstRead.subarray(maskAt + 4);
  return Buffer.from(data.map((byte, i) => byte ^ (mask[i % 4] ?? 0)));
}
