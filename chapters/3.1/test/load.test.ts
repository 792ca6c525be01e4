/**
 * Load on loopback: 1,000 concurrent `ws` clients, every message accounted for.
 * 2,000 sockets in one process (clients + server ends) fit well inside `ulimit -n`; the
 * first test checks that before anything else, so a small limit fails with a clear message.
 */

import { execSync } from 'node:child_process';
import { until } from '@course/course-kit/testing/waits';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type ChatEvent, decodeChatEvent } from '../src/chat/messages.ts';
import { type CourseServer, startCourseServer } from '../src/course-server.ts';

const CLIENTS = 1000;
/** Clients opened at a time: the listen backlog (511) never overflows into SYN retries. */
const OPEN_BATCH = 100;

let server: CourseServer;
beforeAll(async () => {
  // All clients come from 127.0.0.1: far over the 50 connections, 20 chat members and 20 joins
  // at once allowed per address. Twice CLIENTS, as the chat test may start before the echo test's are all gone.
  server = await startCourseServer({
    port: 0,
    maxConnectionsPerAddress: 2 * CLIENTS,
    chatLimits: { maxMembersPerAddress: CLIENTS, joinBurst: CLIENTS },
  });
});
afterAll(() => server.close());

async function openClients(urls: string[], onMessage: (index: number, data: string) => void) {
  const sockets: WebSocket[] = [];
  for (let start = 0; start < urls.length; start += OPEN_BATCH) {
    const batch = urls.slice(start, start + OPEN_BATCH).map((url, offset) => {
      const socket = new WebSocket(url);
      const index = start + offset;
      socket.on('message', (data) => onMessage(index, String(data)));
      return new Promise<WebSocket>((resolve, reject) => {
        socket.once('open', () => resolve(socket));
        socket.once('error', reject);
      });
    });
    sockets.push(...(await Promise.all(batch)));
  }
  return sockets;
}

async function closeAll(sockets: WebSocket[]) {
  await Promise.all(
    sockets.map(
      (socket) =>
        new Promise<void>((resolve) => {
          socket.once('close', () => resolve());
          socket.close(1000);
        }),
    ),
  );
}

describe(`${CLIENTS} concurrent clients`, () => {
  it('fits in the open-file limit (two sockets per client, plus slack)', () => {
    const limit = Number(execSync('ulimit -n', { shell: '/bin/sh' }).toString().trim());
    expect(
      limit,
      `ulimit -n is ${limit}; this test needs about ${2 * CLIENTS + 200}`,
    ).toBeGreaterThan(2 * CLIENTS + 200);
  });

  it('echoes 5 messages for each of 1,000 clients on /echo, all back and in order', async () => {
    const PER_CLIENT = 5;
    const received: string[][] = Array.from({ length: CLIENTS }, () => []);
    const sockets = await openClients(
      Array.from({ length: CLIENTS }, () => `${server.url}echo`),
      (index, data) => received[index]?.push(data),
    );
    expect(server.server.connections.size).toBeGreaterThanOrEqual(CLIENTS);
    sockets.forEach((socket, i) => {
      for (let m = 0; m < PER_CLIENT; m++) socket.send(`client ${i} message ${m}`);
    });
    const total = CLIENTS * PER_CLIENT;
    await until(
      () => received.reduce((sum, list) => sum + list.length, 0) === total,
      30_000,
      `${total} echoes`,
    );
    received.forEach((list, i) => {
      expect(list).toEqual(
        Array.from({ length: PER_CLIENT }, (_, m) => `client ${i} message ${m}`),
      );
    });
    await closeAll(sockets);
  }, 60_000);

  it('delivers every line to every member: 1,000 clients in 50 rooms of 20 on /chat', async () => {
    const ROOM_SIZE = 20;
    const LINES = 2;
    const lines: string[][] = Array.from({ length: CLIENTS }, () => []);
    const welcomed = new Set<number>();
    const urls = Array.from(
      { length: CLIENTS },
      (_, i) => `${server.url}chat?nick=p${i}&room=load-${Math.floor(i / ROOM_SIZE)}`,
    );
    const sockets = await openClients(urls, (index, data) => {
      const event: ChatEvent = decodeChatEvent(data);
      if (event.type === 'welcome') welcomed.add(index);
      if (event.type === 'message') lines[index]?.push(`${event.nick}:${event.text}`);
      if (event.type === 'dropped') throw new Error(`client ${index} missed ${event.count} lines`);
    });
    // Everyone must be in before anyone speaks, or late joiners would rightly miss lines.
    await until(() => welcomed.size === CLIENTS, 20_000, 'every welcome');
    for (const socket of sockets) {
      for (let n = 0; n < LINES; n++) socket.send(`line ${n}`);
    }
    const perMember = ROOM_SIZE * LINES;
    await until(
      () => lines.every((list) => list.length === perMember),
      30_000,
      `${perMember} lines at each of ${CLIENTS} members`,
    );
    lines.forEach((list, i) => {
      const room = Math.floor(i / ROOM_SIZE);
      // Every member of the room, and each sender's lines in the order sent.
      for (let peer = room * ROOM_SIZE; peer < (room + 1) * ROOM_SIZE; peer++) {
        expect(list.filter((l) => l.startsWith(`p${peer}:`))).toEqual([
          `p${peer}:line 0`,
          `p${peer}:line 1`,
        ]);
      }
    });
    await closeAll(sockets);
  }, 60_000);
});
