import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChatHub, type ChatPeer, type Member } from '../src/chat/hub.ts';
import { DEFAULT_CHAT_LIMITS } from '../src/chat/limits.ts';
import { type ChatEvent, decodeChatEvent, normalizeChatLine } from '../src/chat/messages.ts';
import { normalizeNickname, normalizeRoomName, uniqueNickname } from '../src/chat/names.ts';
import { MAX_CHAT_TEXT } from '../src/course-server.ts';
import { manualClock as clock } from './helpers.ts';

/** A peer whose buffered amount the test controls, recording what it was sent. */
class FakePeer implements ChatPeer {
  readyState: 'open' | 'closing' | 'closed' = 'open';
  bufferedAmount = 0;
  readonly sent: ChatEvent[] = [];
  closedWith: { code?: number; reason?: string } | undefined;
  closeCalls = 0;
  send(text: string) {
    this.sent.push(decodeChatEvent(text));
  }
  close(code?: number, reason?: string) {
    this.closeCalls++;
    this.closedWith = { code, reason };
    this.readyState = 'closing';
  }
  messages() {
    return this.sent.flatMap((e) => (e.type === 'message' ? [e.text] : []));
  }
}

/** Joins and insists on getting in (the hub resolves to undefined when it refuses). */
async function enter(
  hub: ChatHub,
  peer: ChatPeer,
  wanted: Parameters<ChatHub['join']>[1],
): Promise<Member> {
  const member = await hub.join(peer, wanted);
  if (member === undefined) throw new Error(`the hub refused ${JSON.stringify(wanted)}`);
  return member;
}

describe('nicknames and rooms', () => {
  it.each([
    ['  alice  ', 'alice'],
    ['', 'guest'],
    [null, 'guest'],
    ['<script>bob</script>', 'scriptbobscript'],
    ['a\u0000b\nc', 'abc'],
    ['x'.repeat(40), 'x'.repeat(24)],
    ['小明', '小明'],
    ['नमस्ते', 'नमस्ते'], // virama and vowel signs are combining marks
    ['Jose\u0301', 'Jos\u00e9'], // decomposed, as macOS file names and some keyboards send it
    ['\u0301\u0301ana', 'ana'], // marks on nothing
    ['z\u0334\u0334\u0334\u0334\u0334\u0334\u0334\u0334', 'z\u0334\u0334\u0334\u0334'],
  ])('normalizes the nickname %j to %j', (raw, expected) => {
    expect(normalizeNickname(raw)).toBe(expected);
  });

  it('lower-cases room names and falls back to the lobby', () => {
    expect(normalizeRoomName(' Games ')).toBe('games');
    expect(normalizeRoomName('###')).toBe('lobby');
  });

  it('always yields 1–24 code points of letters, marks, digits, space, "_", "." or "-", in NFC, for any input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (raw) => {
        const nick = normalizeNickname(raw);
        const length = [...nick].length;
        return (
          length >= 1 &&
          length <= 24 &&
          /^[\p{L}\p{M}\p{N} _.-]+$/u.test(nick) &&
          nick === nick.trim() &&
          nick === nick.normalize('NFC')
        );
      }),
    );
  });

  it('never hands out a nickname that is already taken', () => {
    fc.assert(
      fc.property(fc.string(), fc.uniqueArray(fc.string()), (wanted, taken) => {
        return !taken.includes(uniqueNickname(wanted, new Set(taken)));
      }),
    );
  });

  it.each([
    ['hello', 'hello'],
    ['  two  words ', 'two  words'],
    ['red\u001b[31malert', 'red [31malert'],
    ['line one\r\nline two', 'line one line two'],
    ['tab\there', 'tab here'],
    ['\u0000\u0007\u009b', ''],
    ['para\u2029graph', 'para graph'],
    ['<b>not bold</b> 🎲 家族 👨‍👩‍👧', '<b>not bold</b> 🎲 家族 👨‍👩‍👧'],
  ])('turns the control characters of the chat line %j into spaces: %j', (raw, expected) => {
    expect(normalizeChatLine(raw)).toBe(expected);
  });

  it('never lets a control character through a chat line, nor makes it longer', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (raw) => {
        const line = normalizeChatLine(raw);
        return !/[\p{Cc}\u2028\u2029]/u.test(line) && line.length <= raw.length;
      }),
    );
  });

  it('treats nicknames that differ only in case as taken, so "Bob" cannot pass for "bob"', async () => {
    expect(uniqueNickname('Bob', new Set(['bob']))).toBe('Bob#2');
    expect(uniqueNickname('ALICE', new Set(['alice', 'Alice#2']))).toBe('ALICE#3');
    const hub = new ChatHub();
    await enter(hub, new FakePeer(), { nick: 'bob' });
    expect((await enter(hub, new FakePeer(), { nick: 'BOB' })).nick).toBe('BOB#2');
  });

  it('treats a decomposed "José" as the José already in the room', async () => {
    const hub = new ChatHub();
    await enter(hub, new FakePeer(), { nick: 'Jos\u00e9' });
    expect((await enter(hub, new FakePeer(), { nick: 'Jose\u0301' })).nick).toBe('Jos\u00e9#2');
  });

  it('does not catch lookalikes from other scripts: a Cyrillic "о" makes "bоb" another name', () => {
    // What the docs promise, and no more: case-insensitivity is not an impersonation guard.
    expect(uniqueNickname('b\u043eb', new Set(['bob']))).toBe('b\u043eb');
  });

  it('appends #2, #3… to a nickname already taken in the room', () => {
    expect(uniqueNickname('bob', new Set(['bob', 'bob#2']))).toBe('bob#3');
    expect(uniqueNickname('bob', new Set(['alice']))).toBe('bob');
  });
});

describe('ChatHub', () => {
  it('welcomes a newcomer with the members already present and tells them it joined', async () => {
    const hub = new ChatHub();
    const alice = new FakePeer();
    const bob = new FakePeer();
    await enter(hub, alice, { nick: 'alice' });
    await enter(hub, bob, { nick: 'bob' });
    expect(bob.sent[0]).toEqual({
      type: 'welcome',
      nick: 'bob',
      room: 'lobby',
      members: ['alice'],
    });
    expect(alice.sent).toContainEqual({ type: 'join', nick: 'bob', online: 2 });
    expect(bob.sent.filter((e) => e.type === 'join')).toEqual([]);
  });

  it('gives a second "bob" in the same room a distinct name', async () => {
    const hub = new ChatHub();
    await enter(hub, new FakePeer(), { nick: 'bob' });
    const second = await enter(hub, new FakePeer(), { nick: 'bob' });
    expect(second.nick).toBe('bob#2');
  });

  it('broadcasts a line to everyone in the room, the sender included, and nobody else', async () => {
    const hub = new ChatHub();
    const [a, b, other] = [new FakePeer(), new FakePeer(), new FakePeer()];
    const alice = await enter(hub, a, { nick: 'alice', room: 'one' });
    await enter(hub, b, { nick: 'bob', room: 'one' });
    await enter(hub, other, { nick: 'carol', room: 'two' });
    hub.say(alice, 'hi');
    expect(a.messages()).toEqual(['hi']);
    expect(b.messages()).toEqual(['hi']);
    expect(other.messages()).toEqual([]);
  });

  it('announces a leave once, even when leave is called twice', async () => {
    const hub = new ChatHub();
    const a = new FakePeer();
    const alice = await enter(hub, a, { nick: 'alice' });
    const b = new FakePeer();
    await enter(hub, b, { nick: 'bob' });
    hub.leave(alice);
    hub.leave(alice);
    expect(b.sent.filter((e) => e.type === 'leave')).toEqual([
      { type: 'leave', nick: 'alice', online: 1, reason: 'left' },
    ]);
    expect(hub.membersOf('lobby')).toEqual(['bob']);
  });

  it('sends nothing to a member whose connection is already closing', async () => {
    const hub = new ChatHub();
    const a = new FakePeer();
    const alice = await enter(hub, a, { nick: 'alice' });
    const b = new FakePeer();
    await enter(hub, b, { nick: 'bob' });
    b.readyState = 'closing';
    const before = b.sent.length;
    hub.say(alice, 'anyone?');
    expect(b.sent.length).toBe(before);
  });

  it('drops broadcasts for a member over the high-water mark, then tells it how many it missed', async () => {
    const hub = new ChatHub({ highWaterMark: 1000, maxDropped: 10 });
    const fast = new FakePeer();
    const slow = new FakePeer();
    const speaker = await enter(hub, fast, { nick: 'fast' });
    await enter(hub, slow, { nick: 'slow' });
    slow.bufferedAmount = 5000;
    for (const text of ['1', '2', '3']) hub.say(speaker, text);
    expect(fast.messages()).toEqual(['1', '2', '3']);
    expect(slow.messages()).toEqual([]);
    slow.bufferedAmount = 0;
    hub.say(speaker, '4');
    expect(slow.sent.slice(-2)).toEqual([
      { type: 'dropped', count: 3 },
      { type: 'message', nick: 'fast', text: '4' },
    ]);
    expect(hub.stats.dropped).toBe(3);
  });

  it('closes a member with 1008 after maxDropped broadcasts in a row and tells the room why', async () => {
    const hub = new ChatHub({ highWaterMark: 1000, maxDropped: 3 });
    const fast = new FakePeer();
    const slow = new FakePeer();
    const speaker = await enter(hub, fast, { nick: 'fast' });
    await enter(hub, slow, { nick: 'slow' });
    slow.bufferedAmount = 5000;
    for (const text of ['1', '2', '3', '4']) hub.say(speaker, text);
    expect(slow.closedWith?.code).toBe(1008);
    expect(slow.closedWith?.reason).toMatch(/too slow/);
    // The third drop ('3') removes it: the fast member sees that line, then the notice.
    expect(fast.messages()).toEqual(['1', '2', '3', '4']);
    expect(fast.sent.slice(-3)).toEqual([
      { type: 'message', nick: 'fast', text: '3' },
      { type: 'leave', nick: 'slow', online: 1, reason: 'too slow' },
      { type: 'message', nick: 'fast', text: '4' },
    ]);
    expect(slow.sent.filter((e) => e.type === 'message')).toEqual([]);
    expect(hub.membersOf('lobby')).toEqual(['fast']);
    expect(hub.stats.closedSlow).toBe(1);
  });
});

describe('ChatHub memory bound', () => {
  /** A peer that never reads: everything sent stays owed to it. */
  class SleepingPeer extends FakePeer {
    override send(text: string) {
      super.send(text);
      this.bufferedAmount += Buffer.byteLength(text);
    }
  }

  it('owes a member that never reads at most 128 KiB plus one line under the default policy, so 2,000 members stay under 300 MiB', async () => {
    const hub = new ChatHub({ lineBurst: Number.MAX_SAFE_INTEGER }); // only backpressure here
    const sleeper = new SleepingPeer();
    const speaker = await enter(hub, new FakePeer(), { nick: 'speaker' });
    await enter(hub, sleeper, { nick: 'sleeper' });
    const longest = '語'.repeat(MAX_CHAT_TEXT); // 3 bytes each in UTF-8: the biggest line
    let most = 0;
    for (let line = 0; line < 1000 && sleeper.closedWith === undefined; line++) {
      hub.say(speaker, longest);
      most = Math.max(most, sleeper.bufferedAmount);
    }
    expect(sleeper.closedWith?.code).toBe(1008);
    const oneLine = Buffer.byteLength(
      JSON.stringify({ type: 'message', nick: 'speaker', text: longest }),
    );
    expect(most).toBeLessThanOrEqual(128 * 1024 + oneLine);
    expect(DEFAULT_CHAT_LIMITS.maxMembers * most).toBeLessThan(300 * 1024 * 1024);
  });
});

describe('ChatHub slow members in cascade', () => {
  it('closes each slow member once, even when one’s leave notice pushes another over the limit', async () => {
    const hub = new ChatHub({ highWaterMark: 1000, maxDropped: 2 });
    const [fast, slowA, slowB] = [new FakePeer(), new FakePeer(), new FakePeer()];
    const speaker = await enter(hub, fast, { nick: 'fast' });
    await enter(hub, slowA, { nick: 'a' });
    await enter(hub, slowB, { nick: 'b' });
    slowA.bufferedAmount = 5000;
    slowB.bufferedAmount = 5000;
    hub.say(speaker, 'one');
    // The second drop closes both; a's leave notice is a third drop for b, inside the loop.
    hub.say(speaker, 'two');
    expect(fast.sent.filter((e) => e.type === 'leave').map((e) => e.nick)).toEqual(['a', 'b']);
    expect([slowA.closeCalls, slowB.closeCalls]).toEqual([1, 1]);
    expect(hub.stats.closedSlow).toBe(2);
    expect(hub.membersOf('lobby')).toEqual(['fast']);
  });
});

describe('ChatHub limits', () => {
  it('closes a member that sends more than lineBurst lines at once with 1008 and tells the room it was too fast', async () => {
    const { now } = clock();
    const hub = new ChatHub({ lineBurst: 3, linesPerSecond: 1 }, () => {}, now);
    const [a, b] = [new FakePeer(), new FakePeer()];
    const flooder = await enter(hub, a, { nick: 'flooder' });
    await enter(hub, b, { nick: 'bob' });
    for (const text of ['1', '2', '3', '4', '5']) hub.say(flooder, text);
    expect(b.messages()).toEqual(['1', '2', '3']);
    expect(b.sent.at(-1)).toEqual({
      type: 'leave',
      nick: 'flooder',
      online: 1,
      reason: 'too fast',
    });
    expect(a.closedWith).toEqual({
      code: 1008,
      reason: 'sending too fast: over 3 lines at once or 1 a second',
    });
    expect(hub.stats.closedFast).toBe(1);
  });

  it('never closes a member that keeps to linesPerSecond after spending its burst', async () => {
    const { time, now } = clock();
    const hub = new ChatHub({ lineBurst: 3, linesPerSecond: 2 }, () => {}, now);
    const a = new FakePeer();
    const talker = await enter(hub, a, { nick: 'talker' });
    for (let line = 0; line < 3; line++) hub.say(talker, `burst ${line}`);
    for (let line = 0; line < 100; line++) {
      time.now += 500; // exactly 2 lines a second
      hub.say(talker, `steady ${line}`);
    }
    expect(a.closedWith).toBeUndefined();
    expect(a.messages()).toHaveLength(103);
  });

  it('refuses a join to a full room with 1013, telling nobody, while other rooms stay open', async () => {
    const hub = new ChatHub({ maxRoomMembers: 2 });
    const [a, b, late, elsewhere] = [
      new FakePeer(),
      new FakePeer(),
      new FakePeer(),
      new FakePeer(),
    ];
    await enter(hub, a, { nick: 'a', room: 'small' });
    await enter(hub, b, { nick: 'b', room: 'small' });
    expect(await hub.join(late, { nick: 'late', room: 'small' })).toBeUndefined();
    expect(late.sent).toEqual([]);
    expect(late.closedWith).toEqual({
      code: 1013,
      reason: 'this room is full (2 members); try again later',
    });
    expect(a.sent.filter((e) => e.type === 'join')).toEqual([
      { type: 'join', nick: 'b', online: 2 },
    ]);
    expect(hub.membersOf('small')).toEqual(['a', 'b']);
    await enter(hub, elsewhere, { nick: 'c', room: 'other' });
    expect(hub.stats.refused).toBe(1);
  });

  it('refuses a join with 1013 once its address has maxMembersPerAddress members in any rooms; others still get in', async () => {
    const hub = new ChatHub({ maxMembersPerAddress: 2 });
    const first = await enter(hub, new FakePeer(), { nick: 'a', room: 'one', from: '10.0.0.1' });
    await enter(hub, new FakePeer(), { nick: 'b', room: 'two', from: '10.0.0.1' });
    const third = new FakePeer();
    expect(await hub.join(third, { nick: 'c', room: 'three', from: '10.0.0.1' })).toBeUndefined();
    expect(third.closedWith).toEqual({
      code: 1013,
      reason: 'too many members from your address (2); try again later',
    });
    expect(hub.membersOf('three')).toEqual([]); // a refused join opens no room
    await enter(hub, new FakePeer(), { nick: 'd', room: 'three', from: '10.0.0.2' });
    hub.leave(first);
    await enter(hub, new FakePeer(), { nick: 'c', room: 'three', from: '10.0.0.1' });
  });

  it('refuses a join with 1013 when one address joins more than joinBurst times at once, until time refills it', async () => {
    const { time, now } = clock();
    const hub = new ChatHub({ joinBurst: 2, joinsPerSecond: 1 }, () => {}, now);
    const from = '10.0.0.1';
    const first = await enter(hub, new FakePeer(), { nick: 'a', from });
    hub.leave(first); // leaving gives no join back: reconnecting is what costs the room
    await enter(hub, new FakePeer(), { nick: 'a', from });
    const third = new FakePeer();
    expect(await hub.join(third, { nick: 'a', from })).toBeUndefined();
    expect(third.closedWith).toEqual({
      code: 1013,
      reason: 'joining too often from your address; try again later',
    });
    await enter(hub, new FakePeer(), { nick: 'b', from: '10.0.0.2' });
    time.now += 1000;
    await enter(hub, new FakePeer(), { nick: 'c', from });
  });

  it('spends no join budget on a join refused for a full room, so a student retrying gets in once there is room', async () => {
    const { now } = clock(); // time stands still: no token comes back while it retries
    const hub = new ChatHub({ maxRoomMembers: 1, joinBurst: 2, joinsPerSecond: 1 }, () => {}, now);
    const sitting = await enter(hub, new FakePeer(), {
      nick: 'a',
      room: 'small',
      from: '10.0.0.1',
    });
    const reasons = Array.from({ length: 5 }, () => {
      const retry = new FakePeer();
      hub.join(retry, { nick: 'b', room: 'small', from: '10.0.0.2' });
      return retry.closedWith?.reason;
    });
    expect(new Set(reasons)).toEqual(new Set(['this room is full (1 members); try again later']));
    hub.leave(sitting);
    expect(
      (await enter(hub, new FakePeer(), { nick: 'b', room: 'small', from: '10.0.0.2' })).nick,
    ).toBe('b');
  });

  it('takes the default for a limit passed as undefined, rather than never limiting', async () => {
    const { now } = clock();
    const hub = new ChatHub({ lineBurst: undefined, linesPerSecond: undefined }, () => {}, now);
    const peer = new FakePeer();
    const member = await enter(hub, peer, { nick: 'a' });
    for (let i = 0; i < DEFAULT_CHAT_LIMITS.lineBurst; i++) hub.say(member, 'hi');
    expect(peer.closedWith).toBeUndefined();
    hub.say(member, 'one too many');
    expect(peer.closedWith?.code).toBe(1008);
  });

  it.each([
    ['lineBurst', 0],
    ['maxRoomMembers', -1],
    ['linesPerSecond', Number.NaN],
    ['joinsPerSecond', Number.POSITIVE_INFINITY],
    ['highWaterMark', '1000'],
  ])('refuses %s: %j at construction with a TypeError that names it', (name, value) => {
    expect(() => new ChatHub({ [name]: value })).toThrow(
      new TypeError(`chat option ${name} must be a positive finite number, not ${value}`),
    );
  });

  it('logs refused joins at most once a second, the next line saying how many it held back', async () => {
    const { time, now } = clock();
    const lines: string[] = [];
    const hub = new ChatHub({ maxRoomMembers: 1 }, (line) => lines.push(line), now);
    await enter(hub, new FakePeer(), { nick: 'a', room: 'small' });
    for (let i = 0; i < 5; i++) hub.join(new FakePeer(), { nick: 'b', room: 'small' });
    time.now += 1000;
    hub.join(new FakePeer(), { nick: 'b', room: 'small' });
    hub.join(new FakePeer(), { nick: 'b', room: 'small' });
    hub.flushLog();
    const full = 'refused a join to small: this room is full (1 members); try again later';
    expect(lines.filter((line) => line.startsWith('refused'))).toEqual([
      full,
      `${full} (and 4 more like it since the last line)`,
      full,
    ]);
    expect(hub.stats.refused).toBe(7);
  });

  it('refuses a join with 1013 while the whole chat is full, and admits one again after a leave', async () => {
    const hub = new ChatHub({ maxMembers: 2 });
    const first = await enter(hub, new FakePeer(), { nick: 'a', room: 'one' });
    await enter(hub, new FakePeer(), { nick: 'b', room: 'two' });
    const refused = new FakePeer();
    expect(await hub.join(refused, { nick: 'c', room: 'three' })).toBeUndefined();
    expect(refused.closedWith).toEqual({
      code: 1013,
      reason: 'the chat is full (2 members); try again later',
    });
    hub.leave(first);
    hub.leave(first); // a second leave must not free a second place
    await enter(hub, new FakePeer(), { nick: 'c', room: 'three' });
    expect(await hub.join(new FakePeer(), { nick: 'd', room: 'four' })).toBeUndefined();
  });
});
