/**
 * wss: — the same server and client over TLS (RFC 6455 §3 and §4.1: a secure connection is
 * TLS first, then the same handshake inside it). Interop with `ws` both ways, and the failures
 * a user meets first: an untrusted certificate, a plain client at a TLS port, a silent socket.
 */
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls, type TLSSocket } from 'node:tls';
import { within } from '@course/course-kit/testing/waits';
import { afterEach, describe, expect, test } from 'vitest';
import WebSocket, { WebSocketServer as WsServer } from 'ws';
import {
  connect,
  createServer,
  type ServerOptions,
  type WebSocketConnection,
} from '../src/index.ts';
import { startServer, UPGRADE_REQUEST } from './tcp-helpers.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
const cert = fixture('localhost-cert.pem');
const key = fixture('localhost-key.pem');
/** Our test certificate is its own authority: trusting it is what `ca` is for. */
const trusted = { ca: cert };

const stops: Array<() => unknown> = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

/** An echo server of ours on wss:, stopped after the test. */
async function startSecureEcho(options: ServerOptions = {}) {
  const started = await startServer({ tls: { key, cert }, closeTimeout: 500, ...options });
  started.server.on('connection', (connection) =>
    connection.on('message', (data) => connection.send(data)),
  );
  stops.push(() => started.server.close());
  return started;
}

/** Resolves with the next message on our connection. */
function nextMessage(connection: WebSocketConnection): Promise<string | Buffer> {
  return new Promise((resolve) => connection.once('message', (data) => resolve(data)));
}

/** Starts TLS (trusting our test certificate) over an already connected TCP socket. */
function connectTlsOver(raw: Socket): TLSSocket {
  return connectTls({ socket: raw, ca: cert, servername: 'localhost' });
}

function closed(connection: WebSocketConnection): Promise<[number, string]> {
  return new Promise((resolve) =>
    connection.on('close', (code, reason) => resolve([code, reason])),
  );
}

describe('wss: our server and our client', () => {
  test('listens on a wss: url and echoes text and a 1 MiB binary message through TLS', async () => {
    const { url } = await startSecureEcho();
    expect(url).toMatch(/^wss:\/\/127\.0\.0\.1:\d+\/$/);
    const client = await connect(url, { tls: trusted });
    stops.push(() => client.terminate());
    client.send('over tls');
    expect(await nextMessage(client)).toBe('over tls');
    const big = Buffer.alloc(1024 * 1024, 0x5a);
    client.send(big);
    const echoed = await nextMessage(client);
    // Buffer.equals, not toEqual: a deep comparison of a million elements takes seconds.
    expect(Buffer.isBuffer(echoed) && echoed.equals(big)).toBe(true);
    // Our server answers a close by echoing its code (§5.5.1), without the reason.
    const done = closed(client);
    client.close(1000, 'bye');
    expect(await done).toEqual([1000, '']);
  });

  test('refuses a server whose certificate it does not trust, and says where and why', async () => {
    const { url } = await startSecureEcho();
    const attempt = connect(url);
    await expect(attempt).rejects.toThrow(`could not open ${url}: self-signed certificate`);
  });

  test('checks the host name: a certificate for localhost does not pass for another name', async () => {
    const { port } = await startSecureEcho();
    // Reached through 127.0.0.1, but asked for as example.com (SNI and name check).
    const attempt = connect(`wss://127.0.0.1:${port}/`, {
      tls: { ...trusted, servername: 'example.com', host: '127.0.0.1' },
    });
    await expect(attempt).rejects.toThrow(
      /could not open wss:\/\/127\.0\.0\.1:\d+\/: Hostname\/IP does not match/,
    );
  });

  test('drops a plain ws: client at a wss: port, and the client is told, not left waiting', async () => {
    const { port } = await startSecureEcho();
    await expect(connect(`ws://127.0.0.1:${port}/`)).rejects.toThrow(
      'connection closed during the handshake',
    );
  });

  test('closes a socket that never starts TLS once the handshake timeout has passed', async () => {
    const { port } = await startSecureEcho({ handshakeTimeout: 200 });
    const silent = connectTcp({ host: '127.0.0.1', port });
    stops.push(() => silent.destroy());
    await new Promise<void>((resolve) => silent.on('close', () => resolve()));
    expect(silent.destroyed).toBe(true);
  });
});

describe('wss: the opening under one deadline', () => {
  test('server.close() does not wait for a socket stuck before its TLS handshake', async () => {
    // A deadline far beyond the test's own: close() must end the socket, not outwait it.
    const { server, port } = await startServer({ tls: { key, cert }, handshakeTimeout: 60_000 });
    const silent = connectTcp({ host: '127.0.0.1', port });
    stops.push(() => silent.destroy());
    await new Promise((resolve) => silent.once('connect', resolve));
    const gone = new Promise((resolve) => silent.once('close', resolve));
    await server.close();
    await gone;
  });

  test('gives the request only what the TLS handshake left of the one deadline', async () => {
    // The server's clock is the test's: it moves only when the test moves it. The deadline is
    // far beyond the test's own run, so no timer of the server's can fire on real time.
    let time = 0;
    let accepted = () => {};
    const firstRead = new Promise<void>((resolve) => (accepted = resolve));
    const { port } = await startSecureEcho({
      handshakeTimeout: 60_000,
      clock: () => {
        accepted(); // first read when the server accepts the TCP connection: the opening starts
        return time;
      },
    });
    const raw = connectTcp({ host: '127.0.0.1', port });
    stops.push(() => raw.destroy());
    await within(firstRead, 5_000, 'the server to accept the TCP connection');
    time = 60_000; // the whole deadline spent before TLS has even begun
    const secure = connectTlsOver(raw);
    await within(once(secure, 'secureConnect'), 5_000, 'the TLS handshake');
    // A complete request at once: only a deadline shared with TLS makes it late. A request
    // phase with a deadline of its own would answer it with 101.
    secure.write(UPGRADE_REQUEST);
    let text = '';
    const answered = new Promise<void>((resolve) => {
      secure.on('data', (chunk: Buffer) => {
        text += chunk.toString('latin1');
        if (text.includes('\r\n\r\n')) resolve();
      });
      secure.once('close', () => resolve());
    });
    await within(answered, 5_000, "the server's answer to the request");
    expect(text).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
  });

  test('answers 408 over TLS to a client that finishes TLS but never sends its request', async () => {
    // Real time and real sockets: the request phase under TLS is bounded and answered in HTTP.
    // The deadline covers the TLS handshake too, so it leaves room for one on a loaded machine:
    // a deadline passed during TLS ends the socket without any HTTP answer.
    const { port } = await startSecureEcho({ handshakeTimeout: 3_000 });
    const raw = connectTcp({ host: '127.0.0.1', port });
    stops.push(() => raw.destroy());
    await new Promise((resolve) => raw.once('connect', resolve));
    const secure = connectTlsOver(raw);
    let text = '';
    secure.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
    });
    await new Promise((resolve) => secure.once('close', resolve));
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
  });

  test('refuses a tls option with no certificate, or with a timeout of its own, at createServer', () => {
    expect(() => createServer({ tls: {} })).toThrow(
      'tls needs key and cert (or pfx, or SNICallback) to serve wss:',
    );
    expect(() => createServer({ tls: { key, cert, handshakeTimeout: 5_000 } })).toThrow(
      'set handshakeTimeout on the server options, not inside tls',
    );
  });
});

describe('wss: interop with ws', () => {
  test('a ws client talks to our wss server', async () => {
    const { url } = await startSecureEcho();
    const peer = new WebSocket(url, { ca: cert });
    stops.push(() => peer.terminate());
    await new Promise((resolve, reject) => peer.once('open', resolve).once('error', reject));
    const echoed = new Promise<string>((resolve) =>
      peer.once('message', (data: Buffer) => resolve(data.toString())),
    );
    peer.send('from ws over tls');
    expect(await echoed).toBe('from ws over tls');
    const done = new Promise<number>((resolve) => peer.once('close', (code) => resolve(code)));
    peer.close(1000);
    expect(await done).toBe(1000);
  });

  test('our client talks to a ws server behind node:https', async () => {
    const https: HttpsServer = createHttpsServer({ key, cert });
    const wss = new WsServer({ server: https });
    wss.on('connection', (socket) =>
      socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary })),
    );
    await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
    stops.push(() => new Promise((resolve) => https.close(resolve)));
    stops.push(() => {
      for (const socket of wss.clients) socket.terminate();
      wss.close();
    });
    const address = https.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const client = await connect(`wss://localhost:${port}/`, { tls: trusted });
    stops.push(() => client.terminate());
    client.send(Buffer.from([1, 2, 3]));
    expect(await nextMessage(client)).toEqual(Buffer.from([1, 2, 3]));
  });
});
