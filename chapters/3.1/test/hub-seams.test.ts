/**
 * The hub's two seams, the Roster and the RoomBus, driven by stand-ins that answer when the test
 * says so: what the hub publishes, what it delivers, and what it does while a roster is slow or
 * down (chapter 3.4 puts both in Redis).
 */
import { until } from '@course/course-kit/testing/waits';
import { describe, expect, it } from 'vitest';
import {
  ChatHub,
  type ChatPeer,
  type Deliver,
  type RoomBus,
  type Roster,
  type Seat,
} from '../src/chat/hub.ts';
import {
  type ChatEvent,
  decodeChatEvent,
  MAX_RELAYED_EVENT_BYTES,
  parseRelayedEvent,
} from '../src/chat/messages.ts';
import { isChatNickname } from '../src/chat/names.ts';
import { LocalRoster } from '../src/chat/roster.ts';

class FakePeer implements ChatPeer {
  readyState: 'open' | 'closing' | 'closed' = 'open';
  bufferedAmount = 0;
  readonly sent: ChatEvent[] = [];
  closedWith: { code?: number; reason?: string } | undefined;
  send(text: string) {
    this.sent.push(decodeChatEvent(text));
  }
  close(code?: number, reason?: string) {
    this.closedWith = { code, reason };
    this.readyState = 'closing';
  }
}

/** A bus that delivers only when the test calls `flush`, as a broker delivers later. */
class HeldBus implements RoomBus {
  readonly published: Array<{ room: string; event: ChatEvent }> = [];
  readonly subscribers = new Map<string, Deliver>();
  private held: Array<{ room: string; event: ChatEvent }> = [];
  subscribe(room: string, deliver: Deliver) {
    this.subscribers.set(room, deliver);
    return Promise.resolve();
  }
  unsubscribe(room: string) {
    this.subscribers.delete(room);
  }
  publish(room: string, event: ChatEvent) {
    this.published.push({ room, event });
    this.held.push({ room, event });
  }
  flush() {
    const held = this.held;
    this.held = [];
    for (const { room, event } of held) this.subscribers.get(room)?.(event);
  }
  async close() {}
}

/** A roster whose claims wait until the test answers them. */
class SlowRoster implements Roster {
  readonly local = new LocalRoster();
  readonly waiting: Array<() => void> = [];
  readonly released: string[] = [];
  fail: Error | undefined;
  claim(room: string, wanted: string): Promise<Seat> {
    return new Promise((resolve, reject) => {
      this.waiting.push(() =>
        this.fail ? reject(this.fail) : resolve(this.local.claim(room, wanted)),
      );
    });
  }
  release(room: string, nick: string, then: (online: number) => void) {
    this.released.push(nick);
    this.local.release(room, nick, then);
  }
  /** Answers every pending claim, once `count` are pending (the hub claims after subscribing). */
  async answer(count = 1) {
    await until(() => this.waiting.length >= count, 5000, `${count} pending claims`);
    for (const answer of this.waiting.splice(0)) answer();
  }
  async close() {}
}

const messages = (peer: FakePeer) =>
  peer.sent.flatMap((e) => (e.type === 'message' ? [e.text] : []));

describe('the hub and its bus', () => {
  it('publishes each join, line and leave to the bus and delivers to its members only what the bus hands back', async () => {
    const bus = new HeldBus();
    const hub = new ChatHub({}, () => {}, undefined, { bus });
    const [a, b] = [new FakePeer(), new FakePeer()];
    const alice = await hub.join(a, { nick: 'alice' });
    await hub.join(b, { nick: 'bob' });
    if (!alice) throw new Error('alice was refused');
    hub.say(alice, 'hi');
    expect(messages(a)).toEqual([]); // not delivered by the hub itself
    expect(bus.published.map(({ event }) => event.type)).toEqual(['join', 'join', 'message']);
    bus.flush();
    expect(messages(a)).toEqual(['hi']);
    expect(messages(b)).toEqual(['hi']);
    // bob's own join is for the others
    expect(b.sent.filter((e) => e.type === 'join' && e.nick === 'bob')).toEqual([]);
    expect(a.sent).toContainEqual({ type: 'join', nick: 'bob', online: 2 });
  });

  it('delivers an event from another process (a bus subscriber call) to its members, notices included', async () => {
    const bus = new HeldBus();
    const hub = new ChatHub({}, () => {}, undefined, { bus });
    const a = new FakePeer();
    await hub.join(a, { nick: 'alice', room: 'games' });
    bus.subscribers.get('games')?.({ type: 'message', nick: 'carol', text: 'from afar' });
    bus.subscribers.get('games')?.({ type: 'notice', text: 'chat relay unavailable' });
    expect(a.sent.slice(-2)).toEqual([
      { type: 'message', nick: 'carol', text: 'from afar' },
      { type: 'notice', text: 'chat relay unavailable' },
    ]);
  });

  it('unsubscribes from a room when its last member here leaves, and subscribes again on the next join', async () => {
    const bus = new HeldBus();
    const hub = new ChatHub({}, () => {}, undefined, { bus });
    const alice = await hub.join(new FakePeer(), { nick: 'alice', room: 'r' });
    if (!alice) throw new Error('alice was refused');
    expect([...bus.subscribers.keys()]).toEqual(['r']);
    hub.leave(alice);
    expect([...bus.subscribers.keys()]).toEqual([]);
    expect(bus.published.at(-1)?.event).toEqual({
      type: 'leave',
      nick: 'alice',
      online: 0,
      reason: 'left',
    });
    await hub.join(new FakePeer(), { nick: 'bob', room: 'r' });
    expect([...bus.subscribers.keys()]).toEqual(['r']);
  });

  it('names its server in the welcome when it is given one, and not otherwise', async () => {
    const named = new ChatHub({}, () => {}, undefined, { server: 'worker 1 (pid 42)' });
    const a = new FakePeer();
    await named.join(a, { nick: 'a' });
    expect(a.sent[0]).toEqual({
      type: 'welcome',
      nick: 'a',
      room: 'lobby',
      members: [],
      server: 'worker 1 (pid 42)',
    });
    const b = new FakePeer();
    await new ChatHub().join(b, { nick: 'b' });
    expect(b.sent[0]).toEqual({ type: 'welcome', nick: 'b', room: 'lobby', members: [] });
  });
});

describe('the hub and its roster', () => {
  it('holds a place while a claim is pending, so two joins in flight cannot both take the last one', async () => {
    const roster = new SlowRoster();
    const hub = new ChatHub({ maxRoomMembers: 1 }, () => {}, undefined, { roster });
    const first = hub.join(new FakePeer(), { nick: 'a' });
    const late = new FakePeer();
    expect(await hub.join(late, { nick: 'b' })).toBeUndefined();
    expect(late.closedWith).toEqual({
      code: 1013,
      reason: 'this room is full (1 members); try again later',
    });
    await roster.answer();
    expect((await first)?.nick).toBe('a');
  });

  it('refuses with 1013 and a reason when the roster fails, and frees the place it held', async () => {
    const roster = new SlowRoster();
    roster.fail = new Error('connection refused');
    const lines: string[] = [];
    const hub = new ChatHub({ maxRoomMembers: 1 }, (line) => lines.push(line), undefined, {
      roster,
    });
    const peer = new FakePeer();
    const joining = hub.join(peer, { nick: 'a' });
    await roster.answer();
    expect(await joining).toBeUndefined();
    expect(peer.closedWith).toEqual({
      code: 1013,
      reason: 'the chat cannot take new members right now; try again later',
    });
    expect(peer.sent).toEqual([]);
    expect(lines).toContain('could not seat a member in lobby: connection refused');
    roster.fail = undefined;
    const next = hub.join(new FakePeer(), { nick: 'b' });
    await roster.answer();
    expect((await next)?.nick).toBe('b');
  });

  it('never welcomes a peer that closed while its claim was pending, and gives its nickname back', async () => {
    const roster = new SlowRoster();
    const bus = new HeldBus();
    const hub = new ChatHub({}, () => {}, undefined, { roster, bus });
    const peer = new FakePeer();
    const joining = hub.join(peer, { nick: 'gone' });
    peer.readyState = 'closed';
    await roster.answer();
    expect(await joining).toBeUndefined();
    expect(peer.sent).toEqual([]);
    expect(roster.released).toEqual(['gone']);
    expect(bus.published).toEqual([]); // nobody heard it come, nobody hears it go
    expect(hub.membersOf('lobby')).toEqual([]);
  });
});

describe('events relayed between processes', () => {
  it.each([
    ['{"type":"message","nick":"a","text":"hi"}', { type: 'message', nick: 'a', text: 'hi' }],
    [
      '{"type":"join","nick":"a","online":2,"extra":"<script>"}',
      { type: 'join', nick: 'a', online: 2 },
    ],
    [
      '{"type":"leave","nick":"a","online":1,"reason":"left"}',
      { type: 'leave', nick: 'a', online: 1, reason: 'left' },
    ],
    ['{"type":"notice","text":"relay back"}', { type: 'notice', text: 'relay back' }],
    [
      '{"type":"message","nick":"sam#2","text":"\\u001b[2Ja\\u0007b\\r\\nc "}',
      { type: 'message', nick: 'sam#2', text: '[2Ja b c' },
    ],
    [
      '{"type":"leave","nick":"José","online":0,"reason":"left\\u0000"}',
      { type: 'leave', nick: 'José', online: 0, reason: 'left' },
    ],
  ])('rebuilds %s from its known fields', (text, expected) => {
    expect(parseRelayedEvent(text)).toEqual(expected);
  });

  it.each([
    'not json',
    'null',
    '[]',
    '{"type":"welcome","nick":"a","room":"r","members":[]}',
    '{"type":"dropped","count":3}',
    '{"type":"message","nick":"a"}',
    '{"type":"join","nick":"a","online":"2"}',
    '{"type":"join","nick":"a","online":1.5}',
    '{"type":"shutdown"}',
    '{"type":"join","nick":"ghost","online":-5}',
    '{"type":"join","nick":"\\u001b[2J<admin>","online":1}',
    '{"type":"join","nick":"","online":1}',
    '{"type":"join","nick":"a#0","online":1}',
    '{"type":"join","nick":"  padded","online":1}',
    `{"type":"join","nick":"${'n'.repeat(25)}","online":1}`,
    '{"type":"message","nick":"a","text":"\\u0007\\n"}',
    `{"type":"message","nick":"a","text":"${'z'.repeat(2001)}"}`,
    '{"type":"leave","nick":"a","online":1,"reason":""}',
    '{"type":"notice","text":"\\u0000"}',
  ])('refuses %s', (text) => {
    expect(parseRelayedEvent(text)).toBeUndefined();
  });

  it('refuses an event over 16 KiB before parsing it', () => {
    const text = JSON.stringify({ type: 'notice', text: 'x'.repeat(MAX_RELAYED_EVENT_BYTES) });
    expect(parseRelayedEvent(text)).toBeUndefined();
    const wide = JSON.stringify({ type: 'message', nick: 'a', text: '語'.repeat(1999) });
    expect(parseRelayedEvent(wide)).toEqual({
      type: 'message',
      nick: 'a',
      text: '語'.repeat(1999),
    });
    // Counted in bytes: 6,000 three-byte characters are 18,000 bytes of UTF-8.
    expect(
      parseRelayedEvent(`{"type":"notice","text":"ok","pad":"${'語'.repeat(6000)}"}`),
    ).toBeUndefined();
  });
});

describe('names that come from another process', () => {
  it.each(['alice', 'Sam#2', 'José', 'नमस्ते', 'a.b-c_d', 'guest#12', 'x'.repeat(24)])(
    'accepts %s, a name the chat could give',
    (nick) => expect(isChatNickname(nick)).toBe(true),
  );

  it.each(['', '#2', 'a#0', 'a#', 'a#b', ' alice', 'al\nice', '<b>', 'x'.repeat(25), 'a#2#3'])(
    'refuses %j, a name no chat server gives',
    (nick) => expect(isChatNickname(nick)).toBe(false),
  );
});
