import { describe, expect, test } from 'vitest';
import type { ChatLoadResult } from '../src/load/chat-load.ts';
import {
  checkedCell,
  describeCeiling,
  findCeiling,
  formatCeilingTable,
  serverMicrosPerDelivery,
} from '../src/load/report.ts';
import { sizesArg } from '../src/load/sizes-arg.ts';

function row(fields: Partial<ChatLoadResult>): ChatLoadResult {
  return {
    members: 2,
    senders: 2,
    windowMs: 1000,
    linesPerSecond: 1000,
    deliveriesPerSecond: 2000,
    p50Ms: 1,
    p99Ms: 2,
    maxMs: 3,
    lines: 1000,
    deliveries: 2000,
    dropped: 0,
    unaccounted: 0,
    outOfOrder: 0,
    foreign: 0,
    notices: 0,
    closedEarly: 0,
    loadCpuPercent: 50,
    serverCpuPercent: 50,
    brokerCpuPercent: null,
    ...fields,
  };
}

const machine = { cores: 2, loadAverage: 1 };

describe('the ceiling report', () => {
  test('server µs per delivery is its CPU time over the deliveries in the window', () => {
    // Half a core for 250,000 deliveries/s: 500,000 µs / 250,000 = 2 µs each.
    expect(
      serverMicrosPerDelivery(row({ serverCpuPercent: 50, deliveriesPerSecond: 250_000 })),
    ).toBe(2);
    expect(serverMicrosPerDelivery(row({ serverCpuPercent: null }))).toBeNaN();
    expect(serverMicrosPerDelivery(row({ deliveriesPerSecond: 0 }))).toBeNaN();
  });

  test('says "ok" only when every line added up, and names what did not', () => {
    expect(checkedCell(row({}))).toBe('ok');
    expect(checkedCell(row({ dropped: 5 }))).toBe('ok'); // a reported drop is accounted for
    expect(checkedCell(row({ unaccounted: 3, outOfOrder: 1, closedEarly: 2 }))).toBe(
      '3 unaccounted, 1 out of order, 2 closed',
    );
  });

  test('prints a row per room size under the header', () => {
    const table = formatCeilingTable([row({ members: 2 }), row({ members: 32 })]).split('\n');
    expect(table[0]).toMatch(/^members\s+senders\s+lines\/s\s+deliveries\/s\s+p50 ms\s+p99 ms/);
    expect(table).toHaveLength(4);
    expect(table[2]).toMatch(/^\s*2\s/);
    expect(table[3]).toMatch(/^\s*32\s/);
    expect(table[3]).toMatch(/ok$/);
  });

  test('projects one core from the largest room: 1,000,000 µs ÷ µs per delivery', () => {
    const ceiling = findCeiling([
      row({ members: 128, serverCpuPercent: 40, deliveriesPerSecond: 200_000 }),
      row({ members: 8, serverCpuPercent: 95 }),
    ]);
    expect(ceiling).toEqual({
      saturatedAt: 8,
      microsPerDelivery: 2,
      oneCoreDeliveriesPerSecond: 500_000,
      oneCoreLinesPerSecond: 500_000 / 128,
      largestRoom: 128,
    });
    expect(findCeiling([])).toBeUndefined();
  });

  test('names the saturated server, or else the load generator, or else the shared machine', () => {
    const saturated = describeCeiling([row({ serverCpuPercent: 97 })], machine);
    expect(saturated[0]).toMatch(/^Fan-out: one line to a room of 2 is 2 sends/);
    expect(saturated[1]).toMatch(/^The server process saturated from 2 members on/);
    const clientBound = describeCeiling(
      [row({ serverCpuPercent: 60, loadCpuPercent: 99 })],
      machine,
    );
    expect(clientBound[1]).toMatch(
      /^The load generator filled a core first \(99%; the server at most 60%/,
    );
    const shared = describeCeiling([row({ serverCpuPercent: 40, loadCpuPercent: 45 })], {
      cores: 2,
      loadAverage: 6.5,
    });
    expect(shared[1]).toMatch(
      /^Neither process had a whole core here .* load average 6\.5 on 2 cores/,
    );
    expect(describeCeiling([row({ serverCpuPercent: null })], machine)).toEqual([]);
  });
});

describe('--sizes', () => {
  test('reads room sizes separated by commas, or gives the defaults', () => {
    expect(sizesArg({ sizes: '2, 8,32' }, [4])).toEqual([2, 8, 32]);
    expect(sizesArg({}, [4, 16])).toEqual([4, 16]);
  });

  test.each(['1,2', '2,x', '2,501', '2.5', '', '2,2,2,2,2,2,2,2,2'])(
    'refuses "%s" with one line that shows the form',
    (sizes) => {
      expect(() => sizesArg({ sizes }, [2])).toThrow(
        /--sizes expects up to 8 whole numbers from 2 to 500, separated by commas \(e\.g\. 2,8,32\)/,
      );
    },
  );
});
