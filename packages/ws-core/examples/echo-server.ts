/**
 * Echo server — every message comes back with its opcode (text as text, binary as binary),
 * on any path.
 * Shows:  the smallest complete use of createServer; graceful shutdown with 1001; wss: by
 *         adding a certificate; compression (permessage-deflate) by one option.
 * Run:    npx tsx packages/ws-core/examples/echo-server.ts --host 127.0.0.1 --port 0
 *         (add --tls-cert CERT.pem --tls-key KEY.pem to serve wss: instead of ws:, and
 *         --deflate to accept clients' permessage-deflate offers)
 * Expect: "listening on ws://127.0.0.1:PORT/" (or wss://) once ready (tools parse this line);
 *         Ctrl-C closes every client with 1001 and exits 0.
 */
import { readFileSync } from 'node:fs';
import type { TlsOptions } from 'node:tls';
import { parseArgs } from 'node:util';
import { createServer } from '../src/index.ts';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '8080' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      deflate: { type: 'boolean', default: false },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`--port must be an integer from 0 to 65535, got ${values.port}`);
  }

  const tls = readCertificate(values['tls-cert'], values['tls-key']);

  // #region serve
  // 1. Echo each message back as it came: strings as text frames, Buffers as binary.
  //    With --deflate, messages are compressed both ways when the client offers it.
  const perMessageDeflate = values.deflate;
  const server = createServer({ host: values.host, port, tls, perMessageDeflate }, (connection) => {
    connection.on('message', (data) => connection.send(data));
  });

  // 2. Start listening and announce the address in the one line other tools wait for.
  const { url } = await server.listen();
  console.log(`listening on ${url}`);
  // #endregion serve

  // 3. Ctrl-C (or a kill): say 1001 "going away" to every client, then exit cleanly.
  const shutdown = () => {
    server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

/** Both files or neither: half a TLS setup is a mistake worth one clear line. */
function readCertificate(
  cert: string | undefined,
  key: string | undefined,
): TlsOptions | undefined {
  if (cert === undefined && key === undefined) return undefined;
  if (cert === undefined || key === undefined) {
    throw new Error('--tls-cert and --tls-key go together: give both files to serve wss:');
  }
  return { cert: readFileSync(cert), key: readFileSync(key) };
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
