import { runChapter } from '@course/course-kit';
import { until } from '@course/course-kit/testing/waits';
import { connect } from '@course/ws-core';
import { describe, expect, it } from 'vitest';
import { chapter } from '../src/chapter.ts';
import { memoryIo } from './helpers.ts';

async function runSection(id: string) {
  const run = memoryIo();
  const code = await runChapter(chapter, [id], run.io);
  return { code, out: run.out(), err: run.err() };
}

describe('chapter 3.1 command line', () => {
  it('lists the five sections with their summaries', async () => {
    const run = memoryIo();
    expect(await runChapter(chapter, ['--list'], run.io)).toBe(0);
    for (const id of ['3.1.1', '3.1.2', '3.1.3', '3.1.4', '3.1.5']) expect(run.out()).toContain(id);
  });

  it('explains the server flags in --help', async () => {
    const run = memoryIo();
    expect(await runChapter(chapter, ['--help'], run.io)).toBe(0);
    expect(run.out()).toMatch(/--port <value>\s+\(3\.1\.4, inspect\)/);
    expect(run.out()).toMatch(/--host <value>\s+\(3\.1\.4, inspect\)/);
  });

  it('refuses an unknown section with one line and exit code 2', async () => {
    const run = memoryIo();
    expect(await runChapter(chapter, ['3.1.9'], run.io)).toBe(2);
    expect(run.err().trim().split('\n')).toHaveLength(1);
    expect(run.err()).toMatch(/unknown section "3.1.9"/);
  });

  it('refuses a bad --port with one line and exit code 2', async () => {
    const run = memoryIo();
    expect(await runChapter(chapter, ['3.1.4', '--port', 'http'], run.io)).toBe(2);
    expect(run.err().trim().split('\n')).toHaveLength(1);
  });
});

describe('sections run to completion', () => {
  it('3.1.1 shows the captured request and response with a matching accept value', async () => {
    const { code, out } = await runSection('3.1.1');
    expect(code).toBe(0);
    expect(out).toMatch(/GET \/chat HTTP\/1\.1/);
    expect(out).toMatch(/HTTP\/1\.1 101 Switching Protocols/);
    for (const header of [
      'Upgrade',
      'Connection',
      'Sec-WebSocket-Key',
      'Sec-WebSocket-Version',
      'Sec-WebSocket-Protocol',
      'Origin',
      'Sec-WebSocket-Accept',
    ])
      expect(out).toMatch(new RegExp(`^  ${header}: .+\\n      ↳ `, 'm'));
    // Connection names hop-by-hop headers that a proxy must not forward (RFC 9110 §7.6.1).
    expect(out).toMatch(/^ {2}Connection: Upgrade\n {6}↳ .*a proxy must not forward Upgrade/m);
    expect(out).toMatch(/Sec-WebSocket-Accept \S{27}= matches base64\(SHA-1\(key \+ GUID\)\)/);
    expect(out).toContain('the server chose "chat"');
    // "hello" masked by the client (0x81, MASK bit + length 5) and echoed unmasked (81 05 …).
    expect(out).toMatch(/client → server {2}81 85 /);
    expect(out).toContain('server → client  81 05 68 65 6c 6c 6f');
  });

  it('3.1.2 shows the RFC accept value and the 101, 426, 400, 400, 405 and 404 answers', async () => {
    const { code, out } = await runSection('3.1.2');
    expect(code).toBe(0);
    expect(out).toContain('read 1: 37 bytes → need more');
    expect(out).toMatch(/read 3: \d+ bytes → head complete/);
    expect(out).toContain('SHA-1      b37a4f2cc0624f1690f64606cf385945b2bec4ea');
    expect(out).toContain('base64     s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
    const answers = [...out.matchAll(/→ (HTTP\/1\.1 \d{3})/g)].map((m) => m[1]);
    expect(answers).toEqual([
      'HTTP/1.1 101',
      'HTTP/1.1 426',
      'HTTP/1.1 400',
      'HTTP/1.1 400',
      'HTTP/1.1 405',
      'HTTP/1.1 404',
    ]);
    expect(out).toContain('body: no websocket endpoint at /chatroom: try /chat');
    expect(out).toMatch(/426 .*\n\s+Sec-WebSocket-Version: 13/);
  });

  it('3.1.3 shows the client refusing three impostors and accepting the real server', async () => {
    const { code, out } = await runSection('3.1.3');
    expect(code).toBe(0);
    expect(out).toContain('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=   ← the only right answer');
    expect(out.match(/→ refused: /g)).toHaveLength(3);
    expect(out).toMatch(/ws-core’s server\n\s+→ connected/);
    expect(out).toMatch(/not\s+authentication/);
  });

  it('3.1.5 shows the three length forms, the mask and the unmasked payload', async () => {
    const { code, out } = await runSection('3.1.5');
    expect(code).toBe(0);
    expect(out).toContain('7-bit length');
    expect(out).toContain('bytes 2–3    00 c8   length = 200');
    expect(out).toContain('bytes 2–9    00 00 00 00 00 01 11 70   length = 70000');
    expect(out).toContain('masking key');
    expect(out).toContain('37 fa 21 3d');
    // "Hello" masked with the RFC's key is 7f 9f 4d 51 58 (RFC 6455 §5.7).
    expect(out).toContain('on the wire  7f 9f 4d 51 58');
    expect(out).toContain('unmasked     48 65 6c 6c 6f');
    expect(out).toMatch(/fed as 69 reads of ≤1024 bytes → 1 message/);
    expect(out).toMatch(/two frames arriving in one read \(\d+ bytes\) → 2 messages/);
    expect(out).toContain('81 7e 00 00 00 00 00 00 00 c8');
    expect(out).toMatch(/'H' format requires/);
  });

  it('3.1.4 serves until interrupted, then closes every client with 1001 and exits 0', async () => {
    const run = memoryIo();
    const exit = runChapter(chapter, ['3.1.4', '--port', '0'], run.io);
    const url = await until(
      () => run.out().match(/^listening on (ws:\/\/127\.0\.0\.1:\d+\/)$/m)?.[1],
      10_000,
      'the "listening on" line',
    );
    const client = await connect(`${url}chat?nick=ann`);
    const closed = new Promise<number>((resolve) => client.once('close', resolve));
    run.controller.abort();
    expect(await closed).toBe(1001);
    expect(await exit).toBe(0);
    expect(run.out()).toContain('ann joined lobby (1 online)');
    expect(run.out()).toContain('closing 1 connection with 1001');
  });

  it('runs every section in order when none is named, the server last, not the inspector', async () => {
    const run = memoryIo();
    const exit = runChapter(chapter, ['--port', '0'], run.io);
    await until(() => /^listening on ws:/m.test(run.out()), 20_000, 'the "listening on" line');
    run.controller.abort();
    expect(await exit).toBe(0);
    const order = [...run.out().matchAll(/^== (\S+) /gm)].map((m) => m[1]);
    expect(order).toEqual(['3.1.1', '3.1.2', '3.1.3', '3.1.5', '3.1.4']);
  });
});
