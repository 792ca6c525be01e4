import { describe, expect, it } from 'vitest';
import { fibonacci, take } from './01-fibonacci.ts';

describe('3.3/01 fibonacci and take', () => {
  it('yields 0, 1, 1, 2, 3, 5, 8, 13, 21, 34 first', () => {
    expect([...take(fibonacci(), 10)]).toEqual([0n, 1n, 1n, 2n, 3n, 5n, 8n, 13n, 21n, 34n]);
  });

  it('stays exact far beyond Number.MAX_SAFE_INTEGER (term 100 is 354224848179261915075)', () => {
    const terms = [...take(fibonacci(), 101)];
    expect(terms[100]).toBe(354224848179261915075n);
  });

  it('pulls exactly n values from its source, no more', () => {
    let pulled = 0;
    function* counting() {
      for (let i = 0; ; i++) {
        pulled++;
        yield i;
      }
    }
    expect([...take(counting(), 3)]).toEqual([0, 1, 2]);
    expect(pulled, 'values pulled from an endless source').toBe(3);
  });

  it('stops early on a short source and yields nothing for n = 0', () => {
    expect([...take([1, 2], 5)]).toEqual([1, 2]);
    expect([...take(fibonacci(), 0)]).toEqual([]);
  });

  it('computes nothing before it is asked (a generator is lazy)', () => {
    const sequence = fibonacci();
    expect(typeof sequence.next, 'fibonacci() returns an iterator').toBe('function');
    expect(sequence.next()).toEqual({ value: 0n, done: false });
  });
});
