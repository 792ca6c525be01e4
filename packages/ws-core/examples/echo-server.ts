/**
 * Echo server — every message comes back with its opcode (text as text, binary as binary),
 * on any path.
 * Shows:  the smallest complete use of createServer; graceful shutdown with 1001.
 * Run:    npx tsx packages/ws-core/examples/echo-server.ts --host 127.0.0.1 --port 0
 * Expect: "listening on ws://127.0.0.1:PORT/" once ready (tools parse this line);
 *         Ctrl-C closes every client with 1001 and exits 0.
 */
import { parseArgs } from 'node:util';
import { createServer } from '../src/index.ts';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '8080' },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`--port must be an integer from 0 to 65535, got ${values.port}`);
  }

  // 1. Echo each message back as it came: strings as text frames, Buffers as binary.
  const server = createServer({ host: values.host, port }, (connection) => {
    connection.on('message', (data) => connection.send(data));
  });

  // 2. Start listening and announce the address in the one line other tools wait for.
  const { url } = await server.listen();
  console.log(`listening on ${url}`);

  // 3. Ctrl-C (or a kill): say 1001 "going away" to every client, then exit cleanly.
  const shutdown = () => {
    server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
