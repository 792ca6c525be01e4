import { describe, expect, it } from 'vitest';
import { AddressCounter } from '../src/address-counter.ts';

describe('AddressCounter', () => {
  it('counts per address and forgets an address when its count drops to zero', () => {
    const counter = new AddressCounter();
    counter.add('10.0.0.1');
    counter.add('10.0.0.1');
    counter.add('10.0.0.2');
    expect([counter.count('10.0.0.1'), counter.count('10.0.0.2'), counter.addresses]).toEqual([
      2, 1, 2,
    ]);
    counter.remove('10.0.0.1');
    counter.remove('10.0.0.2');
    expect([counter.count('10.0.0.1'), counter.count('10.0.0.2'), counter.addresses]).toEqual([
      1, 0, 1,
    ]);
    counter.remove('10.0.0.2'); // one remove too many never goes below zero or comes back
    expect([counter.count('10.0.0.2'), counter.addresses]).toEqual([0, 1]);
  });

  it('neither counts nor limits an unknown (undefined) address', () => {
    const counter = new AddressCounter();
    counter.add(undefined);
    expect([counter.count(undefined), counter.addresses]).toEqual([0, 0]);
    counter.remove(undefined);
    expect(counter.addresses).toBe(0);
  });
});
