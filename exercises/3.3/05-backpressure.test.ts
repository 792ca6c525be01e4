import { describe, expect, it } from 'vitest';
import { pump } from './05-backpressure.ts';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A source that counts how far it has been pulled and whether it was closed. */
function source(count: number) {
  const state = { pulled: 0, closed: false };
  async function* items() {
    try {
      for (let i = 0; i < count; i++) {
        state.pulled++;
        yield i;
      }
    } finally {
      state.closed = true;
    }
  }
  return { state, items: items() };
}

describe('3.3/05 pump', () => {
  it('consumes every item once and resolves with the count', async () => {
    const { items } = source(50);
    const seen: number[] = [];
    const count = await pump(
      items,
      async (n) => {
        await pause(n % 3);
        seen.push(n);
      },
      { capacity: 4, consumers: 3 },
    );
    expect(count).toBe(50);
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('runs exactly `consumers` consumers at once when work is plentiful', async () => {
    const { items } = source(30);
    let running = 0;
    let peak = 0;
    await pump(
      items,
      async () => {
        running++;
        peak = Math.max(peak, running);
        await pause(3);
        running--;
      },
      { capacity: 5, consumers: 4 },
    );
    expect(peak, 'consumers running at the same time').toBe(4);
  });

  it('never lets the producer run more than `capacity` items ahead of the consumers', async () => {
    const { state, items } = source(40);
    let started = 0;
    let worstLead = 0;
    await pump(
      items,
      async () => {
        started++;
        worstLead = Math.max(worstLead, state.pulled - started);
        await pause(4);
      },
      { capacity: 3, consumers: 2 },
    );
    // Items pulled but not yet handed to a consumer may never exceed the buffer's capacity.
    expect(worstLead, 'items pulled ahead of the consumers').toBeLessThanOrEqual(3);
  });

  it('rejects with the first consumer error, stops pulling and closes the source', async () => {
    const { state, items } = source(1000);
    const failing = pump(
      items,
      async (n) => {
        await pause(1);
        if (n === 5) throw new Error('consumer failed on 5');
      },
      { capacity: 2, consumers: 2 },
    );
    await expect(failing).rejects.toThrow('consumer failed on 5');
    expect(state.pulled, 'items pulled from a 1000-item source').toBeLessThan(20);
    expect(state.closed, "the source's finally ran").toBe(true);
  });

  it('resolves with 0 for an empty source', async () => {
    const { items } = source(0);
    expect(await pump(items, async () => {}, { capacity: 1, consumers: 2 })).toBe(0);
  });
});
