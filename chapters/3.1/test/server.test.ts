import { until } from '@course/course-kit/testing/waits';
import { connect, type WebSocketConnection } from '@course/ws-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type ChatEvent, decodeChatEvent } from '../src/chat/messages.ts';
import { type CourseServer, startCourseServer } from '../src/course-server.ts';

let server: CourseServer;
beforeAll(async () => {
  server = await startCourseServer({ port: 0 });
});
afterAll(() => server.close());

/** A `ws` client that records chat events. */
async function wsChatter(query: string) {
  const socket = new WebSocket(`${server.url}chat?${query}`);
  const events: ChatEvent[] = [];
  socket.on('message', (data) => events.push(decodeChatEvent(String(data))));
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  return { socket, events };
}

function echoOnce(socket: WebSocket, data: string | Buffer) {
  return new Promise<{ data: Buffer; isBinary: boolean }>((resolve) => {
    socket.once('message', (reply: Buffer, isBinary: boolean) =>
      resolve({ data: reply, isBinary }),
    );
    socket.send(data);
  });
}

describe('/echo with the ws package as the client', () => {
  it.each([0, 1, 125, 126, 127, 65_535, 65_536, 200_000])(
    'echoes a %i-byte binary message byte for byte, as binary',
    async (size) => {
      const socket = new WebSocket(`${server.url}echo`);
      await new Promise((resolve) => socket.once('open', resolve));
      const payload = Buffer.alloc(size);
      for (let i = 0; i < size; i++) payload[i] = (i * 31) & 0xff;
      const reply = await echoOnce(socket, payload);
      expect(reply.isBinary).toBe(true);
      expect(reply.data.equals(payload)).toBe(true);
      socket.close();
    },
  );

  it('echoes text as text, multi-byte characters intact', async () => {
    const socket = new WebSocket(`${server.url}echo`);
    await new Promise((resolve) => socket.once('open', resolve));
    const reply = await echoOnce(socket, '你好, wörld 🎲');
    expect(reply.isBinary).toBe(false);
    expect(reply.data.toString('utf8')).toBe('你好, wörld 🎲');
    socket.close();
  });

  it('answers a ping with a pong carrying the same payload', async () => {
    const socket = new WebSocket(`${server.url}echo`);
    await new Promise((resolve) => socket.once('open', resolve));
    const pong = new Promise<Buffer>((resolve) => socket.once('pong', resolve));
    socket.ping(Buffer.from('are you there'));
    expect(String(await pong)).toBe('are you there');
    socket.close();
  });

  it('chooses the "chat" subprotocol only when the client offers it', async () => {
    const offered = new WebSocket(`${server.url}echo`, ['superchat', 'chat']);
    const plain = new WebSocket(`${server.url}echo`);
    await Promise.all([offered, plain].map((s) => new Promise((r) => s.once('open', r))));
    expect(offered.protocol).toBe('chat');
    expect(plain.protocol).toBe('');
    offered.close();
    plain.close();
  });
});

describe('/chat', () => {
  it('lets a ws client and a ws-core client chat, with join and leave notices', async () => {
    const ann = await wsChatter('nick=ann&room=test-a');
    const bob: WebSocketConnection = await connect(`${server.url}chat?nick=bob&room=test-a`);
    const bobEvents: ChatEvent[] = [];
    bob.on('message', (data: string | Buffer) => bobEvents.push(decodeChatEvent(String(data))));
    await until(
      () => ann.events.some((e) => e.type === 'join' && e.nick === 'bob'),
      10_000,
      'ann to see bob join',
    );
    ann.socket.send('hello bob');
    await until(
      () => bobEvents.some((e) => e.type === 'message' && e.text === 'hello bob'),
      10_000,
      'bob to get ann’s line',
    );
    bob.send('hi ann');
    await until(
      () => ann.events.some((e) => e.type === 'message' && e.text === 'hi ann'),
      10_000,
      'ann to get bob’s line',
    );
    bob.close(1000, 'bye');
    const leave = await until(
      () => ann.events.find((e) => e.type === 'leave'),
      10_000,
      'ann to see bob leave',
    );
    expect(leave).toEqual({ type: 'leave', nick: 'bob', online: 1, reason: 'left' });
    expect(ann.events[0]).toEqual({ type: 'welcome', nick: 'ann', room: 'test-a', members: [] });
    ann.socket.close();
  });

  it('keeps rooms apart', async () => {
    const one = await wsChatter('nick=x&room=test-one');
    const two = await wsChatter('nick=y&room=test-two');
    one.socket.send('only for room one');
    await until(
      () => one.events.some((e) => e.type === 'message'),
      10_000,
      'the sender’s own copy',
    );
    // A broadcast reaches every member in the same synchronous loop as the sender's copy,
    // so once the sender has its copy, room two would already have been sent it too.
    two.socket.send('sync');
    await until(() => two.events.some((e) => e.type === 'message'), 10_000, 'room two’s own line');
    expect(two.events.filter((e) => e.type === 'message')).toEqual([
      { type: 'message', nick: 'y', text: 'sync' },
    ]);
    one.socket.close();
    two.socket.close();
  });

  it('serves the chat page and its script over plain HTTP on the same port', async () => {
    const base = server.url.replace('ws:', 'http:');
    const page = await fetch(base);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toContain('<script src="/chat.js" defer></script>');
    const script = await fetch(`${base}chat.js`);
    expect(await script.text()).toContain("new URL('/chat', location.href)");
    expect((await fetch(`${base}nope`)).status).toBe(404);
  });
});
