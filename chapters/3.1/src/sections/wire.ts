/**
 * 3.1.1 The handshake on the wire — the bytes a client and a server really exchange.
 * Shows:  the HTTP Upgrade request and the 101 response, header by header, captured by a
 *         relay between ws-core's client and server on loopback; then the first frames.
 * Run:    npm run chapter:3.1 -- 3.1.1
 * Expect: "Sec-WebSocket-Accept … matches base64(SHA-1(key + GUID))", then two frames.
 */
import type { Section, SectionContext } from '@course/course-kit';
import {
  computeAcceptKey,
  connect,
  createServer,
  HttpRequestParser,
  HttpResponseParser,
} from '@course/ws-core';
import { hex } from '../frame-dump.ts';
import { annotateHeaders } from '../header-notes.ts';
import { startWireTap } from '../wire-tap.ts';

async function captureHandshake(ctx: SectionContext) {
  ctx.step(
    'step 1: a server that speaks the "chat" subprotocol and echoes, behind a recording relay',
  );
  const server = createServer({ protocols: ['chat'] }, (conn) => {
    conn.on('message', (data: string | Buffer) => conn.send(data));
  });
  const { host, port } = await server.listen();
  const tap = await startWireTap({ host, port });
  ctx.say(`  server on ${host}:${port}; relay on 127.0.0.1:${tap.port} keeps every byte`);
  try {
    ctx.step('step 2: ws-core’s client connects, offers "superchat, chat", sends "hello", closes');
    const client = await connect(`ws://127.0.0.1:${tap.port}/chat`, {
      protocols: ['superchat', 'chat'],
      headers: { Origin: 'http://127.0.0.1' },
    });
    const echoed = new Promise((resolve) => client.once('message', resolve));
    const closed = new Promise((resolve) => client.once('close', resolve));
    client.send('hello');
    await echoed;
    client.close(1000, 'bye');
    await closed;
    return { fromClient: Buffer.concat(tap.fromClient), fromServer: Buffer.concat(tap.fromServer) };
  } finally {
    await tap.close();
    await server.close();
  }
}

export const wireSection: Section = {
  id: '3.1.1',
  title: 'The handshake on the wire',
  summary: 'capture a real upgrade request and 101 response on loopback, annotated',
  async run(ctx) {
    const { fromClient, fromServer } = await captureHandshake(ctx);

    ctx.step('step 3: the client’s request (HTTP/1.1, one line per header, blank line at the end)');
    const request = new HttpRequestParser().push(fromClient);
    if (!request) throw new Error('the capture holds no complete request head');
    const { head } = request;
    const requestLine = `${head.method} ${head.target} ${head.version}`;
    ctx.say(annotateHeaders('request', requestLine, head.rawHeaders));

    ctx.step('step 4: the server’s response');
    const response = new HttpResponseParser().push(fromServer);
    if (!response) throw new Error('the capture holds no complete response head');
    const reply = response.head;
    const statusLine = `${reply.version} ${reply.status} ${reply.reason}`;
    ctx.say(annotateHeaders('response', statusLine, reply.rawHeaders));

    ctx.step('step 5: check the accept value ourselves');
    const key = head.headers.get('sec-websocket-key') ?? '';
    const expected = computeAcceptKey(key);
    const got = reply.headers.get('sec-websocket-accept');
    ctx.say(`  key ${key} → expected accept ${expected}`);
    ctx.say(
      got === expected
        ? `  Sec-WebSocket-Accept ${got} matches base64(SHA-1(key + GUID))`
        : `  Sec-WebSocket-Accept ${got} does NOT match: a client must refuse this server`,
    );
    ctx.say(
      `  subprotocol: the client offered "superchat, chat"; the server chose "${reply.headers.get('sec-websocket-protocol')}"`,
    );

    ctx.step('step 6: after the blank line, the same connection carries frames');
    const clientFrames = request.rest;
    const serverFrames = response.rest;
    ctx.say(
      `  client → server  ${hex(clientFrames.subarray(0, 11))}   "hello", masked (see 3.1.5)`,
    );
    ctx.say(`  server → client  ${hex(serverFrames.subarray(0, 7))}   "hello" echoed, unmasked`);
    ctx.say(
      `  (${fromClient.length} bytes sent by the client in all, ${fromServer.length} by the server)`,
    );
    return undefined;
  },
};
