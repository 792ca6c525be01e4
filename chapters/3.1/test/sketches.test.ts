/**
 * The Python 3 sketches the lesson shows (chapters/3.1/sketches/): each one run for real, its
 * output checked; the server sketch is started on a free loopback port, talked to by the `ws`
 * package and stopped. Skipped, with the reason, where python3 is not installed.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { hasPython3, sketchRunner } from '@course/course-kit/testing/python';
import { within } from '@course/course-kit/testing/waits';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

const SKETCHES = fileURLToPath(new URL('../sketches/', import.meta.url));
const hasPython = hasPython3('sketches.test.ts');
const sketch = sketchRunner(SKETCHES);

describe.skipIf(!hasPython)('Python sketches (python3)', () => {
  it('accept_key.py turns the RFC 6455 §1.3 key into the RFC accept value', async () => {
    expect(await sketch('accept_key.py')).toBe(
      'dGhlIHNhbXBsZSBub25jZQ== -> s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\n',
    );
  });

  it('handshake.py reads a head sent in two pieces, with a lower-case key name, and answers 101', async () => {
    const out = await sketch('handshake.py');
    expect(out.split('\r\n')).toEqual([
      'HTTP/1.1 101 Switching Protocols',
      'Upgrade: websocket',
      'Connection: Upgrade',
      'Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=',
      '',
      '',
    ]);
  });

  it('recv_frame.py unmasks the RFC "Hello", splits two frames in one read, waits on half of one', async () => {
    expect((await sketch('recv_frame.py')).split('\n')).toEqual([
      "fin=True opcode=1 payload=b'Hello' size=11",
      'frame: Hello',
      'frame: Hello',
      'half a frame: None',
      '',
    ]);
  });

  it('send_frame.py packs 16 bits after 126 and 64 bits after 127', async () => {
    expect((await sketch('send_frame.py')).split('\n')).toEqual([
      '5 bytes -> 81 05',
      '200 bytes -> 81 7e 00 c8',
      '70000 bytes -> 81 7f 00 00 00 00 00 01 11 70',
      '',
    ]);
  });

  it('reuse_addr.py cannot bind a port in TIME_WAIT without SO_REUSEADDR, and can with it', async () => {
    const out = await sketch('reuse_addr.py');
    expect(out).toContain('without SO_REUSEADDR: EADDRINUSE');
    expect(out).toMatch(/with SO_REUSEADDR: +bound/);
  });

  describe('server.py', () => {
    let server: ChildProcess | undefined;
    afterEach(async () => {
      if (server && server.exitCode === null && server.signalCode === null) {
        const exited = once(server, 'exit');
        server.kill('SIGTERM');
        await within(exited, 10_000, 'server.py to exit after SIGTERM');
      }
      server = undefined;
    });

    async function start(): Promise<string> {
      server = spawn('python3', ['server.py', '--port', '0'], { cwd: SKETCHES });
      const lines = createInterface({ input: server.stdout ?? process.stdin });
      const listening = new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no "listening on" line in 10 s')), 10_000);
        lines.on('line', (line) => {
          const url = /^listening on (ws:\/\/\S+)$/.exec(line)?.[1];
          if (url) {
            clearTimeout(timer);
            resolve(url);
          }
        });
        server?.once('exit', (code) => reject(new Error(`server.py exited with ${code}`)));
      });
      return listening;
    }

    it('echoes text and binary to the ws package, answers a ping, and echoes the close code', async () => {
      const url = await start();
      const client = new WebSocket(url);
      await within(once(client, 'open'), 10_000, 'the ws client to open');
      const next = () =>
        within(once(client, 'message'), 10_000, 'an echo').then(([data, isBinary]) => ({
          data: String(data),
          isBinary,
        }));

      client.send('hello');
      expect(await next()).toEqual({ data: 'hello', isBinary: false });
      client.send('x'.repeat(70_000)); // the 64-bit length form both ways
      expect((await next()).data).toHaveLength(70_000);
      client.send(Buffer.from([1, 2, 3]));
      expect(await next()).toMatchObject({ isBinary: true });
      client.ping('are you there');
      const [pong] = await within(once(client, 'pong'), 10_000, 'a pong');
      expect(String(pong)).toBe('are you there');

      client.close(1000, 'bye');
      const [code] = await within(once(client, 'close'), 10_000, 'the echoed close');
      expect(code).toBe(1000);
    });

    it('serves a second client after the first leaves (one connection at a time)', async () => {
      const url = await start();
      for (const word of ['first', 'second']) {
        const client = new WebSocket(url);
        await within(once(client, 'open'), 10_000, `the ${word} client to open`);
        client.send(word);
        const [echo] = await within(once(client, 'message'), 10_000, `the ${word} client's echo`);
        expect(String(echo)).toBe(word);
        client.close(1000);
        await within(once(client, 'close'), 10_000, `the ${word} client to close`);
      }
    });
  });
});
