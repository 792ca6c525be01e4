/**
 * Lines a client sends while its join waits on a slow roster (chapter 3.4 keeps the roster in
 * Redis): a real server and a real client, with a roster whose claims are answered when the
 * test says. Each line is charged to the member's budget as it arrives, so a client that keeps
 * to the rate is never closed for the wait, and none of its lines is lost or reordered.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { until } from '@course/course-kit/testing/waits';
import { connect, type WebSocketConnection } from '@course/ws-core';
import { afterEach, describe, expect, it } from 'vitest';
import { ChatHub, type Roster, type Seat } from '../src/chat/hub.ts';
import type { ChatLimits } from '../src/chat/limits.ts';
import { type ChatEvent, decodeChatEvent } from '../src/chat/messages.ts';
import { LocalRoster } from '../src/chat/roster.ts';
import {
  type CourseServer,
  MAX_LINES_BEFORE_WELCOME,
  startCourseServer,
} from '../src/course-server.ts';

/** A roster whose claims wait until the test answers them. */
class HeldRoster implements Roster {
  private readonly local = new LocalRoster();
  private readonly waiting: Array<() => void> = [];
  readonly released: string[] = [];

  claim(room: string, wanted: string): Promise<Seat> {
    return new Promise((resolve) => {
      this.waiting.push(() => resolve(this.local.claim(room, wanted)));
    });
  }

  release(room: string, nick: string, then: (online: number) => void): void {
    this.released.push(nick);
    this.local.release(room, nick, then);
  }

  get pending(): number {
    return this.waiting.length;
  }

  answer(): void {
    for (const answer of this.waiting.splice(0)) answer();
  }

  async close(): Promise<void> {}
}

/** A client that keeps every event and the close it got. */
async function chatter(server: CourseServer, nick: string) {
  const conn: WebSocketConnection = await connect(`${server.url}chat?nick=${nick}&room=slow`);
  const events: ChatEvent[] = [];
  let closed: { code: number; reason: string } | undefined;
  conn.on('message', (data: string | Buffer) => events.push(decodeChatEvent(String(data))));
  conn.on('close', (code: number, reason: string) => {
    closed = { code, reason };
  });
  conn.on('error', () => {});
  const lines = () => events.flatMap((e) => (e.type === 'message' ? [e.text] : []));
  return { conn, events, lines, closed: () => closed };
}

describe('lines sent while the join waits on the roster', () => {
  let server: CourseServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function start(chatLimits: Partial<ChatLimits>) {
    const roster = new HeldRoster();
    server = await startCourseServer({
      chatLimits,
      createHub: (policy, log) => new ChatHub(policy, log, undefined, { roster }),
    });
    return { roster, server };
  }

  it('are charged as they arrive: 4 lines a second (the limit is 5) through a long wait are all delivered, in order', async () => {
    const { roster, server } = await start({ lineBurst: 5, linesPerSecond: 5 });
    const client = await chatter(server, 'patient');
    await until(() => roster.pending === 1, 10_000, 'the join to wait on the roster');
    const said = Array.from({ length: 12 }, (_, i) => `line ${i + 1}`);
    // Three seconds of lines: twice the burst, so a budget counted from the welcome would be spent.
    for (const line of said) {
      client.conn.send(line);
      await delay(250);
    }
    expect(client.events).toEqual([]); // still waiting for its welcome
    roster.answer();
    await until(
      () => client.lines().length === said.length || client.closed(),
      10_000,
      'the lines',
    );
    expect(client.closed()).toBeUndefined();
    expect(client.lines()).toEqual(said);
    client.conn.send('after the welcome');
    await until(() => client.lines().includes('after the welcome'), 10_000, 'a later line');
    client.conn.close(1000, 'bye');
  });

  it('closes a client that goes over its budget before its welcome with 1008, welcoming nobody', async () => {
    const { roster, server } = await start({ lineBurst: 5, linesPerSecond: 5 });
    const client = await chatter(server, 'hasty');
    await until(() => roster.pending === 1, 10_000, 'the join to wait on the roster');
    for (let i = 1; i <= 7; i++) client.conn.send(`line ${i}`);
    const closed = await until(client.closed, 10_000, 'the close');
    expect(closed).toEqual({
      code: 1008,
      reason: 'sending too fast: over 5 lines at once or 5 a second',
    });
    roster.answer();
    // The join finds its peer gone: the name goes back, and nobody heard it come or go.
    await until(() => roster.released.includes('hasty'), 10_000, 'the name to be given back');
    expect(client.events).toEqual([]);
  });

  it(`holds at most ${MAX_LINES_BEFORE_WELCOME} lines for a join that has not finished, then closes with 1013`, async () => {
    const { roster, server } = await start({ lineBurst: 1000, linesPerSecond: 1000 });
    const client = await chatter(server, 'chatty');
    await until(() => roster.pending === 1, 10_000, 'the join to wait on the roster');
    for (let i = 1; i <= MAX_LINES_BEFORE_WELCOME + 1; i++) client.conn.send(`line ${i}`);
    const closed = await until(client.closed, 10_000, 'the close');
    expect(closed).toEqual({
      code: 1013,
      reason: `the chat holds at most ${MAX_LINES_BEFORE_WELCOME} lines before your welcome; try again later`,
    });
    roster.answer();
    await until(() => roster.released.includes('chatty'), 10_000, 'the name to be given back');
  });
});
