/**
 * The Streams bus's pure parts, without Redis: the outbox (bounded, in order, refusals counted)
 * and the room cursor (what each entry is to the hub, and what a resumed reader missed).
 */
import type { ChatEvent } from '@course/chapter-3.1/chat/messages';
import { describe, expect, it, test } from 'vitest';
import { Outbox } from '../src/streams/outbox.ts';
import { MAX_PRODUCERS, RoomCursor, type StreamEntry } from '../src/streams/room-cursor.ts';

const message = (text: string): ChatEvent => ({ type: 'message', nick: 'ann', text });
const entry = (id: string, fields: Record<string, string>): StreamEntry => ({
  id,
  message: fields,
});
const line = (id: string, text: string, from?: string, seq?: number) =>
  entry(id, {
    event: JSON.stringify(message(text)),
    ...(from === undefined ? {} : { from }),
    ...(seq === undefined ? {} : { seq: String(seq) }),
  });

describe('the outbox', () => {
  it('hands out lines oldest first and forgets only what it is told Redis has', () => {
    const outbox = new Outbox(10);
    for (let seq = 1; seq <= 5; seq++) outbox.push({ room: 'r', event: `e${seq}`, seq });
    expect(outbox.peek(2).map((e) => e.seq)).toEqual([1, 2]);
    expect(outbox.peek(2).map((e) => e.seq)).toEqual([1, 2]); // peeking takes nothing
    outbox.remove(2);
    expect(outbox.size).toBe(3);
    expect(outbox.peek(10).map((e) => e.seq)).toEqual([3, 4, 5]);
  });

  it('refuses the newest lines past its capacity and counts them until asked', () => {
    const outbox = new Outbox(2);
    const pushed = [1, 2, 3, 4].map((seq) => outbox.push({ room: 'r', event: 'e', seq }));
    expect(pushed).toEqual([true, true, false, false]);
    expect(outbox.peek(5).map((e) => e.seq)).toEqual([1, 2]);
    expect(outbox.takeRefused()).toBe(2);
    expect(outbox.takeRefused()).toBe(0);
  });

  it('keeps its memory to what waits while lines come and go for a long time', () => {
    const outbox = new Outbox(100);
    for (let seq = 1; seq <= 100_000; seq++) {
      outbox.push({ room: 'r', event: 'e', seq });
      if (seq % 10 === 0) outbox.remove(10);
    }
    expect(outbox.size).toBe(0);
    // The array behind it is compacted: no more than twice what waits, plus the 1024 slack.
    expect((outbox as unknown as { entries: unknown[] }).entries.length).toBeLessThanOrEqual(2048);
  });

  it('refuses a line that would take its events past maxBytes, and every later one until emptied', () => {
    const outbox = new Outbox(100, 10);
    const push = (event: string, seq: number) => outbox.push({ room: 'r', event, seq });
    expect([push('aaaa', 1), push('語', 2)]).toEqual([true, true]); // 語 is 3 bytes of UTF-8
    expect(outbox.bytes).toBe(7);
    expect(push('cccc', 3)).toBe(false); // 11 bytes
    expect(push('d', 4)).toBe(false); // it would fit, but it must not overtake line 3
    expect(outbox.peek(10).map((e) => e.seq)).toEqual([1, 2]);
    outbox.remove(2);
    expect(outbox.bytes).toBe(0);
    expect(push('eeeeeeeeee', 5)).toBe(true); // emptied: taking lines again, up to 10 bytes
    expect(outbox.takeRefused()).toBe(2);
  });

  it('takes lines again once its refusals are counted (the relay is back)', () => {
    const outbox = new Outbox(100, 4);
    const push = (event: string, seq: number) => outbox.push({ room: 'r', event, seq });
    expect([push('aaa', 1), push('bb', 2), push('c', 3)]).toEqual([true, false, false]);
    expect(outbox.takeRefused()).toBe(2);
    expect(push('c', 4)).toBe(true);
    expect(outbox.peek(10).map((e) => e.seq)).toEqual([1, 4]);
  });

  test.each([0, -1, 1.5, Number.NaN])('refuses maxBytes of %s', (maxBytes) => {
    expect(() => new Outbox(10, maxBytes)).toThrow(/outbox maxBytes must be a whole number/);
  });

  test.each([0, -1, 1.5, Number.NaN])('refuses a capacity of %s', (capacity) => {
    expect(() => new Outbox(capacity)).toThrow(/outbox capacity must be a whole number/);
  });
});

describe('the room cursor', () => {
  const cursorAt = (lastId = '0-0', entriesAdded = 0) =>
    new RoomCursor(() => {}, { lastId, entriesAdded });

  it('moves past every entry and hands over the chat event it carries, rebuilt from known fields', () => {
    const cursor = cursorAt();
    const withExtra = entry('1-0', {
      event: JSON.stringify({ type: 'message', nick: 'eve', text: 'hi', html: '<b>' }),
    });
    expect(cursor.accept(withExtra)).toEqual({ type: 'message', nick: 'eve', text: 'hi' });
    expect(cursor.lastId).toBe('1-0');
  });

  test.each([
    ['no event field', { other: 'x' }],
    ['not JSON', { event: '{nope' }],
    [
      'a welcome, which never travels between servers',
      { event: '{"type":"welcome","nick":"x","room":"r","members":[]}' },
    ],
    ['a message without text', { event: '{"type":"message","nick":"x"}' }],
  ])('calls an entry with %s malformed, and still moves past it', (_, fields) => {
    const cursor = cursorAt();
    expect(cursor.accept(entry('5-1', fields))).toBe('malformed');
    expect(cursor.lastId).toBe('5-1');
  });

  it("drops a producer's number it has already passed, per producer", () => {
    const cursor = cursorAt();
    const got = [
      line('1-0', 'a1', 'a', 1),
      line('2-0', 'b1', 'b', 1),
      line('3-0', 'a2', 'a', 2),
      line('4-0', 'a1 again', 'a', 1),
      line('5-0', 'a2 again', 'a', 2),
      line('6-0', 'b2', 'b', 2),
      line('7-0', 'no producer', undefined, undefined),
      line('8-0', 'bad number', 'a', undefined),
    ].map((e) => cursor.accept(e));
    expect(got).toEqual([
      message('a1'),
      message('b1'),
      message('a2'),
      'duplicate',
      'duplicate',
      message('b2'),
      message('no producer'),
      message('bad number'),
    ]);
  });

  it(`remembers at most ${MAX_PRODUCERS} producers, forgetting the one heard from least recently`, () => {
    const cursor = cursorAt();
    cursor.accept(line('1-0', 'first', 'p0', 5));
    for (let p = 1; p <= MAX_PRODUCERS; p++) cursor.accept(line(`2-${p}`, 'x', `p${p}`, 1));
    // p0 was pushed out: its old number is no longer recognised.
    expect(cursor.accept(line('3-0', 'first again', 'p0', 5))).toEqual(message('first again'));
    // p1 was pushed out by p0 coming back; p2 is still remembered.
    expect(cursor.accept(line('3-1', 'x', 'p2', 1))).toBe('duplicate');
  });

  it('finds nothing missed when the stream still holds every entry after its last', () => {
    const cursor = cursorAt('9-0', 40);
    expect(cursor.resume({ entriesAdded: 70, length: 50 })).toEqual({ kind: 'whole' });
    expect(cursor.resume({ entriesAdded: 40, length: 40 })).toEqual({ kind: 'whole' });
    expect(cursorAt().resume(undefined)).toEqual({ kind: 'whole' }); // a room nobody wrote to yet
  });

  it('counts exactly the entries the bound trimmed before it read them, once', () => {
    const cursor = cursorAt('9-0', 40);
    cursor.accept(line('10-0', 'x')); // its 41st entry
    // 200 added, 120 kept: entries 1–80 are gone, and 42–80 had not been read here.
    expect(cursor.resume({ entriesAdded: 200, length: 120 })).toEqual({
      kind: 'trimmed',
      missed: 39,
    });
    expect(cursor.resume({ entriesAdded: 200, length: 120 })).toEqual({ kind: 'whole' });
  });

  it('says the stream was reset when it counts fewer entries than were read here', () => {
    const cursor = cursorAt('9-0', 40);
    expect(cursor.resume(undefined)).toEqual({ kind: 'reset' }); // the key is gone
    expect(cursor.resume({ entriesAdded: 5, length: 5 })).toEqual({ kind: 'whole' });
    const other = cursorAt('9-0', 40);
    expect(other.resume({ entriesAdded: 3, length: 3 })).toEqual({ kind: 'reset' });
  });
});
