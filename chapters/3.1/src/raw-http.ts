/**
 * Sends bytes you wrote by hand to a server and collects everything it answers until it
 * closes the connection. Used to show (and test) how a server answers a bad handshake.
 * A 101 answer is the exception: that connection stays open by design, so we hang up
 * ourselves once its head is complete.
 */
import { connect } from 'node:net';

export async function exchangeRaw(
  address: { host: string; port: number },
  request: string | Uint8Array,
  timeoutMs = 5000,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(address.port, address.host, () => socket.write(request));
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`server kept the connection open for ${timeoutMs} ms after a bad request`));
    }, timeoutMs);
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      const sofar = Buffer.concat(chunks).toString('latin1');
      if (sofar.startsWith('HTTP/1.1 101 ') && sofar.includes('\r\n\r\n')) socket.destroy();
    });
    socket.on('error', (error) => {
      // A reset after the answer still counts: the answer is what we came for.
      if (chunks.length === 0) {
        clearTimeout(timer);
        reject(error);
      }
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('latin1'));
    });
  });
}

/** Builds a request head from lines, adding the blank line that ends it. */
export function requestHead(lines: readonly string[]): string {
  return `${lines.join('\r\n')}\r\n\r\n`;
}
