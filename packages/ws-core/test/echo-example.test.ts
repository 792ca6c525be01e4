import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, test } from 'vitest';
import WebSocket from 'ws';
import { Opcode } from '../src/index.ts';
import { clientFrame, framesIn } from './helpers.ts';
import { rawUpgrade } from './tcp-helpers.ts';

const script = fileURLToPath(new URL('../examples/echo-server.ts', import.meta.url));
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

/** Starts the example exactly as documented and resolves with the URL it announces. */
function startExample(
  extraArgs: string[] = [],
): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', script, '--host', '127.0.0.1', '--port', '0', ...extraArgs],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.push(child);
  let output = '';
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (chunk) => {
      output += chunk;
      const match = /^listening on (wss?:\/\/127\.0\.0\.1:\d+\/)$/m.exec(output);
      if (match?.[1]) resolve({ child, url: match[1], output: () => output });
    });
    child.stderr?.on('data', (chunk) => (output += chunk));
    child.once('exit', (code) => reject(new Error(`echo server exited with ${code}: ${output}`)));
  });
}

test('the echo example echoes text as text and binary as binary on any path, and shuts down with 1001 on SIGINT', async () => {
  const { child, url, output } = await startExample();
  const ws = new WebSocket(`${url}any/path`);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const replies: Array<[string, boolean]> = [];
  const twoReplies = new Promise<void>((resolve) =>
    ws.on('message', (data, isBinary) => {
      replies.push([String(data), isBinary]);
      if (replies.length === 2) resolve();
    }),
  );
  ws.send('text');
  ws.send(Buffer.from('bytes'));
  await twoReplies;
  expect(replies).toEqual([
    ['text', false],
    ['bytes', true],
  ]);
  const closed = new Promise<number>((resolve) => ws.once('close', resolve));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  child.kill('SIGINT');
  expect(await closed).toBe(1001);
  expect(await exited).toBe(0);
  expect(output().match(/listening on/g)).toHaveLength(1);
}, 20_000);

test('echoes a message that arrived in the same write as a bad frame before failing with 1002', async () => {
  const { url } = await startExample();
  const client = await rawUpgrade(Number(new URL(url).port));
  // Autobahn 4.1.3: a text message, a frame with reserved opcode 5, a ping — in one write.
  client.socket.write(
    Buffer.concat([
      clientFrame(Opcode.TEXT, 'Hello, world!'),
      clientFrame(0x5, ''),
      clientFrame(Opcode.PING, 'never answered'),
    ]),
  );
  await client.closed; // the server ends TCP after its close frame
  const frames = framesIn(client.afterHead());
  expect(frames.map((frame) => frame.opcode)).toEqual([Opcode.TEXT, Opcode.CLOSE]);
  expect(frames[0]?.payload.toString()).toBe('Hello, world!');
  expect(frames[1]?.payload.readUInt16BE(0)).toBe(1002);
}, 20_000);

test('with --tls-cert and --tls-key the example serves wss: and echoes through TLS', async () => {
  const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
  const cert = fixture('localhost-cert.pem');
  const { url } = await startExample([
    '--tls-cert',
    cert,
    '--tls-key',
    fixture('localhost-key.pem'),
  ]);
  expect(url).toMatch(/^wss:/);
  const ws = new WebSocket(url, { ca: readFileSync(cert) });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const echoed = new Promise<string>((resolve) =>
    ws.once('message', (data: Buffer) => resolve(data.toString())),
  );
  ws.send('secure hello');
  expect(await echoed).toBe('secure hello');
  ws.terminate();
});

test('refuses half a TLS setup in one line and exits 1', async () => {
  await expect(startExample(['--tls-cert', 'cert.pem'])).rejects.toThrow(
    /exited with 1: --tls-cert and --tls-key go together: give both files to serve wss:/,
  );
});

test('with --deflate the example accepts permessage-deflate and echoes compressed messages', async () => {
  const { url } = await startExample(['--deflate']);
  const ws = new WebSocket(url, { perMessageDeflate: true });
  const answer = new Promise((resolve) =>
    ws.once('upgrade', (response) => resolve(response.headers['sec-websocket-extensions'])),
  );
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  // ws offers "permessage-deflate; client_max_window_bits" and is told 13 bits.
  expect(await answer).toBe('permessage-deflate; client_max_window_bits=13');
  const big = JSON.stringify(Array.from({ length: 2000 }, (_, i) => ({ id: i, move: 'north' })));
  const echoed = new Promise<string>((resolve) =>
    ws.once('message', (data: Buffer) => resolve(data.toString())),
  );
  ws.send(big);
  expect(await echoed).toBe(big);
  ws.terminate();
});
