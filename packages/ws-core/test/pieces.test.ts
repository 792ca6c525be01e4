import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { BLOCK, bufferCollector, stringCollector } from '../src/pieces.ts';

describe('PieceCollector', () => {
  test('returns exactly the pieces it was given, in order, for any mix of sizes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 2 * BLOCK }), { maxLength: 40 }),
        fc.nat(255),
        (lengths, seed) => {
          const pieces = lengths.map((length, i) => Buffer.alloc(length, (seed + i) % 256));
          const collector = bufferCollector();
          for (const piece of pieces) collector.push(piece);
          expect(collector.length).toBe(pieces.reduce((sum, piece) => sum + piece.length, 0));
          expect(collector.take().equals(Buffer.concat(pieces))).toBe(true);
          // Empty again afterwards, ready for the next message.
          expect(collector.length).toBe(0);
          expect(collector.take().length).toBe(0);
        },
      ),
    );
  });

  test('holds nothing for empty pieces, however many', () => {
    const collector = stringCollector();
    for (let i = 0; i < 100_000; i++) collector.push('');
    expect(collector.heldPieces).toBe(0);
    expect(collector.take()).toBe('');
  });

  test('joins small pieces into blocks, so held pieces grow with bytes, not with pushes', () => {
    const collector = bufferCollector();
    const pushes = 10 * BLOCK;
    for (let i = 0; i < pushes; i++) collector.push(Buffer.of(i % 256));
    // Ten full blocks and nothing waiting (the tenth block closed on the last push).
    expect(collector.heldPieces).toBe(10);
    const whole = collector.take();
    expect(whole.length).toBe(pushes);
    expect(whole[BLOCK + 1]).toBe((BLOCK + 1) % 256);
  });

  test('keeps a large piece as it is, without copying it', () => {
    const collector = bufferCollector();
    const large = Buffer.alloc(BLOCK, 7);
    collector.push(large);
    expect(collector.take()).toBe(large);
  });

  test('takes the pieces with room after them when asked, even a single large one', () => {
    for (const pieces of [
      [],
      [Buffer.alloc(BLOCK, 7)],
      [Buffer.from('ab'), Buffer.alloc(BLOCK, 7)],
    ]) {
      const collector = bufferCollector();
      for (const piece of pieces) collector.push(piece);
      const whole = collector.take(9);
      expect(whole.length).toBe(Buffer.concat(pieces).length + 9);
      expect(whole.subarray(0, -9).equals(Buffer.concat(pieces))).toBe(true);
    }
  });

  test('joins strings as text, whatever the split', () => {
    const collector = stringCollector();
    const text = 'héllo wörld €'.repeat(5_000);
    for (let at = 0; at < text.length; at += 3) collector.push(text.slice(at, at + 3));
    expect(collector.take()).toBe(text);
  });
});
