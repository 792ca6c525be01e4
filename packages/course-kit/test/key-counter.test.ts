import { describe, expect, it } from 'vitest';
import { KeyCounter } from '../src/key-counter.ts';

describe('KeyCounter', () => {
  it('counts per key and forgets a key when its count drops to zero', () => {
    const counter = new KeyCounter();
    counter.add('10.0.0.1');
    counter.add('10.0.0.1');
    counter.add('10.0.0.2');
    expect([counter.count('10.0.0.1'), counter.count('10.0.0.2'), counter.size]).toEqual([2, 1, 2]);
    counter.remove('10.0.0.1');
    counter.remove('10.0.0.2');
    expect([counter.count('10.0.0.1'), counter.count('10.0.0.2'), counter.size]).toEqual([1, 0, 1]);
    counter.remove('10.0.0.2'); // one remove too many never goes below zero or comes back
    expect([counter.count('10.0.0.2'), counter.size]).toEqual([0, 1]);
  });

  it('neither counts nor limits an unknown (undefined) key', () => {
    const counter = new KeyCounter();
    counter.add(undefined);
    expect([counter.count(undefined), counter.size]).toEqual([0, 0]);
    counter.remove(undefined);
    expect(counter.size).toBe(0);
  });
});
