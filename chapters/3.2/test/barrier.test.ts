import { describe, expect, it } from 'vitest';
import { arriveAndWait } from '../src/barrier.ts';

describe('arriveAndWait', () => {
  it('lets the last of the parties through without waiting', () => {
    const cells = new Int32Array(new SharedArrayBuffer(4));
    cells[0] = 1; // one party is already there
    arriveAndWait(cells, 0, 2);
    expect(cells[0]).toBe(2);
  });

  it('fails with a count of who arrived when the others never come', () => {
    const cells = new Int32Array(new SharedArrayBuffer(4));
    expect(() => arriveAndWait(cells, 0, 3, 20)).toThrow(
      'barrier timed out after 20 ms with 1 of 3 threads arrived',
    );
  });
});
