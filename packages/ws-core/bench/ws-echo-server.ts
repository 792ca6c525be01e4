/**
 * The `ws` package's echo server, the peer our server is measured against.
 * Shows:  the idiomatic ws echo (send back each message with its type), pure-JS ws paths.
 * Run:    npx tsx packages/ws-core/bench/ws-echo-server.ts --host 127.0.0.1 --port 0
 * Expect: "listening on ws://127.0.0.1:PORT/"; Ctrl-C closes every client with 1001 and exits.
 */
import { parseArgs } from 'node:util';
import { WebSocketServer } from 'ws';
import { inspectWsPaths } from './ws-internals.ts';

const MAX_PAYLOAD = 16 * 1024 * 1024;

function main(): void {
  const { values } = parseArgs({
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '0' },
    },
  });
  const paths = inspectWsPaths();
  // The benchmark promises a pure-JS ws; refuse to run rather than report a skewed comparison.
  if (!paths.pureJsMask) throw new Error(`ws is using native helpers: ${paths.description}`);

  const server = new WebSocketServer({
    host: values.host,
    port: Number(values.port),
    maxPayload: MAX_PAYLOAD,
    perMessageDeflate: false,
  });
  server.on('connection', (socket) => {
    socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
  });
  server.on('listening', () => {
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('expected a TCP address');
    console.log(`listening on ws://${address.address}:${address.port}/`);
  });

  const shutDown = () => {
    for (const client of server.clients) client.close(1001, 'server shutting down');
    server.close(() => process.exit(0));
    // Clients that never answer the close must not keep the process alive.
    setTimeout(() => process.exit(0), 1000).unref();
  };
  process.once('SIGINT', shutDown);
  process.once('SIGTERM', shutDown);
  process.once('disconnect', shutDown);
}

main();
