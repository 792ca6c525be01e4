/**
 * 3.1.1 What a WebSocket client sends — a tiny node:net server that reads one upgrade request.
 * Shows:  TCP delivers bytes, not messages, so the server keeps what arrives until the blank
 *         line that ends the head; then the request line and the headers, names lower-cased.
 * Run:    npx tsx chapters/3.1/src/plain/upgrade-request.ts
 * Expect: "GET /chat HTTP/1.1", then "upgrade: websocket" … "sec-websocket-version: 13".
 */
import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';
import { pathToFileURL } from 'node:url';

export interface RequestHead {
  method: string;
  target: string;
  version: string;
  /** Names lower-cased: HTTP header names are case-insensitive (RFC 9110 §5.1). */
  headers: Map<string, string>;
}

/** A browser's head is a few hundred bytes; ws-core answers 431 above 8 KiB, so do we. */
const MAX_HEAD_BYTES = 8192;

/** Splits a head (without its blank line) into the request line and a header map. */
export function parseRequestHead(text: string): RequestHead {
  const [requestLine = '', ...lines] = text.split('\r\n');
  const [method = '', target = '', version = ''] = requestLine.split(' ');
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(':'); // the space after the colon is optional
    if (colon <= 0) throw new Error(`not a header line: ${JSON.stringify(line)}`);
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const earlier = headers.get(name); // a repeated header is one comma-separated list
    headers.set(name, earlier === undefined ? value : `${earlier}, ${value}`);
  }
  return { method, target, version, headers };
}

/** Collects reads until "\r\n\r\n"; resolves the head and any bytes that came after it. */
export function readRequestHead(socket: Socket): Promise<{ head: RequestHead; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    let received = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const end = received.indexOf('\r\n\r\n');
      if (end < 0 && received.length <= MAX_HEAD_BYTES) return; // not all here yet: wait
      socket.off('data', onData).off('close', onClose);
      if (end < 0 || end > MAX_HEAD_BYTES) return reject(new Error('request head over 8 KiB'));
      try {
        const head = parseRequestHead(received.subarray(0, end).toString('latin1'));
        resolve({ head, rest: received.subarray(end + 4) });
      } catch (error) {
        reject(error);
      }
    };
    const onClose = () => reject(new Error('connection closed before the head was complete'));
    socket.on('data', onData).on('close', onClose);
  });
}

/** RFC 6455 §1.2's sample request; the key is the one §1.3 answers. */
const SAMPLE_REQUEST = [
  'GET /chat HTTP/1.1',
  'Host: server.example.com',
  'Upgrade: websocket',
  'Connection: Upgrade',
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
  'Origin: http://example.com',
  'Sec-WebSocket-Protocol: chat, superchat',
  'Sec-WebSocket-Version: 13',
].join('\r\n');

async function main(): Promise<void> {
  const server = createServer(async (socket) => {
    socket.on('data', (chunk) => console.log(`read: ${chunk.length} bytes`));
    try {
      const { head } = await readRequestHead(socket);
      console.log(`${head.method} ${head.target} ${head.version}`);
      for (const [name, value] of head.headers) console.log(`  ${name}: ${value}`);
      // Answering is 3.1.3's job; this server only reads, so it says so in plain HTTP.
      socket.end('HTTP/1.1 501 Not Implemented\r\nContent-Length: 0\r\n\r\n');
    } catch (error) {
      console.log(`bad request: ${(error as Error).message}`);
      socket.destroy();
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };

  // A client that sends the head in two pieces, as a slow network might.
  const client = connect(port, '127.0.0.1');
  await once(client, 'connect');
  client.write(SAMPLE_REQUEST.slice(0, 40));
  setTimeout(() => client.write(`${SAMPLE_REQUEST.slice(40)}\r\n\r\n`), 50);
  client.resume();
  await once(client, 'close');
  server.close();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
