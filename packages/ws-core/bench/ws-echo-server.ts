/**
 * The `ws` package's echo server, the peer our server is measured against.
 * Shows:  the idiomatic ws echo (send back each message with its type), on ws's pure-JS
 *         masking loops, or with `--bufferutil` on its native bufferutil addon; with
 *         `--deflate`, ws's permessage-deflate at its defaults (`perMessageDeflate: true`).
 * Run:    npx tsx packages/ws-core/bench/ws-echo-server.ts --host 127.0.0.1 --port 0 [--bufferutil] [--deflate]
 * Expect: "listening on ws://127.0.0.1:PORT/"; Ctrl-C closes every client with 1001 and exits.
 */
import { parseArgs } from 'node:util';
import { inspectWsPaths } from './ws-internals.ts';

const MAX_PAYLOAD = 16 * 1024 * 1024;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '0' },
      bufferutil: { type: 'boolean', default: false },
      deflate: { type: 'boolean', default: false },
    },
  });
  // ws reads WS_NO_BUFFER_UTIL once, when its buffer-util.js loads: set it before importing ws.
  if (values.bufferutil) delete process.env.WS_NO_BUFFER_UTIL;
  else process.env.WS_NO_BUFFER_UTIL = '1';
  const { WebSocketServer } = await import('ws');
  const paths = inspectWsPaths();
  // The benchmark labels this server by its flag; refuse to run rather than mislabel it.
  if (paths.pureJsMask === values.bufferutil) {
    throw new Error(
      `ws is not on the paths --bufferutil=${values.bufferutil} asks for: ${paths.description}`,
    );
  }

  const server = new WebSocketServer({
    host: values.host,
    port: Number(values.port),
    maxPayload: MAX_PAYLOAD,
    perMessageDeflate: values.deflate,
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

await main();
