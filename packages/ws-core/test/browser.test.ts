/**
 * A real browser as the peer: Debian's Chromium driven by playwright-core (never a downloaded
 * browser). Skipped locally, with a message, when Chromium is missing; in CI (CI set) a missing
 * Chromium is a failure, since .ci/run installs it.
 */
import { readFileSync } from 'node:fs';
import { launchChromium, shouldRunBrowserTests } from '@course/course-kit/testing/chromium';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { HttpRequestHead, WebSocketServer } from '../src/index.ts';
import { startCountingRelay, startServer } from './tcp-helpers.ts';

describe.runIf(shouldRunBrowserTests())('Chromium as the client', () => {
  let server: WebSocketServer;
  let url: string;
  let browser: Browser | undefined;
  let page: Page;
  const heads: HttpRequestHead[] = [];
  const serverCloses: Array<[number, string]> = [];

  beforeAll(async () => {
    ({ server, url } = await startServer({
      onHttpRequest: () => ({
        status: 200,
        headers: { 'Content-Type': 'text/html' },
        body: '<!doctype html><title>ws-core</title>',
      }),
    }));
    server.on('connection', (conn, head) => {
      heads.push(head);
      conn.on('close', (code, reason) => serverCloses.push([code, reason]));
      if (head.target === '/close-from-server') conn.close(4001, 'server done');
      else conn.on('message', (data) => conn.send(data));
    });
    browser = await launchChromium();
    page = await browser.newPage();
    await page.goto(url.replace('ws:', 'http:')); // served by onHttpRequest
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  test('echoes text and binary messages up to 1 MiB, with no extension negotiated (compression off)', async () => {
    const result = await page.evaluate(async (target) => {
      const ws = new WebSocket(target);
      ws.binaryType = 'arraybuffer';
      await new Promise((resolve, reject) => {
        ws.onopen = resolve;
        ws.onerror = reject;
      });
      const replies: Array<string | ArrayBuffer> = [];
      const done = new Promise<void>((resolve) => {
        ws.onmessage = (event) => {
          replies.push(event.data);
          if (replies.length === 3) resolve();
        };
      });
      const big = new Uint8Array(1024 * 1024).map((_, i) => (i * 31 + (i >> 8)) & 0xff);
      ws.send('héllo wörld €😀');
      ws.send(new Uint8Array([0, 1, 2, 255]));
      ws.send(big);
      await done;
      const echoedBig = new Uint8Array(replies[2] as ArrayBuffer);
      const bigMatches =
        echoedBig.length === big.length && echoedBig.every((byte, i) => byte === big[i]);
      ws.close(1000);
      return {
        extensions: ws.extensions,
        text: replies[0],
        small: Array.from(new Uint8Array(replies[1] as ArrayBuffer)),
        bigMatches,
      };
    }, url);
    expect(result).toEqual({
      extensions: '',
      text: 'héllo wörld €😀',
      small: [0, 1, 2, 255],
      bigMatches: true,
    });
    expect(heads.at(-1)?.headers.get('sec-websocket-extensions')).toMatch(/permessage-deflate/);
  });

  test('negotiates permessage-deflate with the offer Chromium makes, and round-trips 1 MiB compressed both ways', async () => {
    const compressing = await startServer({ perMessageDeflate: true });
    const offers: Array<string | undefined> = [];
    compressing.server.on('connection', (conn, head) => {
      offers.push(head.headers.get('sec-websocket-extensions'));
      conn.on('message', (data) => conn.send(data));
    });
    const relay = await startCountingRelay(compressing.port);
    try {
      const result = await page.evaluate(async (target) => {
        const ws = new WebSocket(target);
        await new Promise((resolve, reject) => {
          ws.onopen = resolve;
          ws.onerror = reject;
        });
        // 1 MiB of game-state JSON: compressible, with repeats near and far.
        const records: string[] = [];
        for (let i = 0, length = 0; length < 1024 * 1024; i++) {
          const record = JSON.stringify({ id: i, player: `p${i % 97}`, x: (i * 7919) % 1000 });
          records.push(record);
          length += record.length + 1;
        }
        const big = records.join(',').slice(0, 1024 * 1024);
        const echoes: string[] = [];
        const done = new Promise<void>((resolve) => {
          ws.onmessage = (event) => {
            echoes.push(event.data);
            if (echoes.length === 3) resolve();
          };
        });
        ws.send(big);
        ws.send('héllo wörld €😀'); // under the threshold: sent as it is
        ws.send(big);
        await done;
        ws.close(1000);
        return {
          extensions: ws.extensions,
          bigEchoed: echoes[0] === big && echoes[2] === big,
          small: echoes[1],
        };
      }, relay.url);
      expect(offers.at(-1)).toBe('permessage-deflate; client_max_window_bits');
      expect(result).toEqual({
        extensions: 'permessage-deflate; client_max_window_bits=13',
        bigEchoed: true,
        small: 'héllo wörld €😀',
      });
      // 2 MiB each way: both directions travelled compressed.
      expect(relay.bytes.up).toBeLessThan(0.25 * 2 * 1024 * 1024);
      expect(relay.bytes.down).toBeLessThan(0.25 * 2 * 1024 * 1024);
    } finally {
      await relay.close();
      await compressing.server.close();
    }
  }, 30_000);

  test('passes close codes and reasons both ways', async () => {
    const fromBrowser = await page.evaluate(async (target) => {
      const ws = new WebSocket(target);
      await new Promise((resolve) => (ws.onopen = resolve));
      const closed = new Promise<[number, string]>(
        (resolve) => (ws.onclose = (e) => resolve([e.code, e.reason])),
      );
      ws.close(4000, 'browser done');
      return closed;
    }, url);
    expect(fromBrowser[0]).toBe(4000);
    await expect.poll(() => serverCloses).toContainEqual([4000, 'browser done']);

    const fromServer = await page.evaluate(async (target) => {
      const ws = new WebSocket(`${target}close-from-server`);
      return new Promise<[number, string]>(
        (resolve) => (ws.onclose = (e) => resolve([e.code, e.reason])),
      );
    }, url);
    expect(fromServer).toEqual([4001, 'server done']);
  });

  test('speaks wss: from an https page served by the same TLS server', async () => {
    const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
    const secure = await startServer({
      tls: { key: fixture('localhost-key.pem'), cert: fixture('localhost-cert.pem') },
      onHttpRequest: () => ({ status: 200, body: '<!doctype html><title>wss</title>' }),
    });
    secure.server.on('connection', (conn) => conn.on('message', (data) => conn.send(data)));
    // The test certificate is self-signed: this context trusts it, the way a user clicks through.
    const context = await (browser as Browser).newContext({ ignoreHTTPSErrors: true });
    try {
      const tlsPage = await context.newPage();
      await tlsPage.goto(secure.url.replace('wss:', 'https:'));
      const reply = await tlsPage.evaluate(async (target) => {
        const ws = new WebSocket(target);
        await new Promise((resolve, reject) => {
          ws.onopen = resolve;
          ws.onerror = reject;
        });
        const echoed = new Promise<string>((resolve) => (ws.onmessage = (e) => resolve(e.data)));
        ws.send('through tls');
        const text = await echoed;
        ws.close(1000);
        const { location } = globalThis as unknown as { location: { protocol: string } };
        return { protocol: location.protocol, text };
      }, secure.url);
      expect(reply).toEqual({ protocol: 'https:', text: 'through tls' });
    } finally {
      await context.close();
      await secure.server.close();
    }
  });
});
