/**
 * 3.4.6's measurement without Redis: two of chapter 3.1's servers in this process stand in for
 * the servers it compares, so the rounds, their order, the medians and the ratios are checked
 * on real loads. (The real comparison is in scale-section.test.ts, with a real redis-server.)
 */
import { type CourseServer, startCourseServer } from '@course/chapter-3.1/course-server';
import { afterEach, describe, expect, test } from 'vitest';
import type { ChatLoadResult } from '../src/load/chat-load.ts';
import { limitsForLoad } from '../src/load/limits.ts';
import {
  type ChatTarget,
  measureScale,
  median,
  roundOrder,
  type ScaleRow,
} from '../src/load/scale.ts';
import { describeMachine, describeRatio, formatScaleTable } from '../src/load/scale-report.ts';

const servers: CourseServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function inProcessTarget(name: string): Promise<ChatTarget> {
  const server = await startCourseServer({
    maxConnectionsPerAddress: 100,
    chatLimits: limitsForLoad(8, 100),
  });
  servers.push(server);
  return {
    name,
    processes: 1,
    usesBroker: name === 'b',
    chatUrl: `${server.url}chat`,
    serverCpuMicros: () => {
      const { user, system } = process.cpuUsage();
      return user + system;
    },
    stop: () => server.close(),
  };
}

describe('measureScale', () => {
  test('takes turns in alternating order and pairs each round of one server with the same round of the other', async () => {
    const targets = [await inProcessTarget('a'), await inProcessTarget('b')];
    const order: string[] = [];
    const run = await measureScale(
      targets,
      { members: 3, senders: 1, windowMs: 100, warmupMs: 20 },
      {
        rounds: 3,
        pairs: [['b', 'a']],
        brokerCpuMicros: ticking(),
        onResult: (target, round) => order.push(`${round}:${target.name}`),
      },
    );
    expect(order).toEqual(['0:a', '0:b', '1:b', '1:a', '2:a', '2:b']);
    expect(run.rows.map((row) => [row.name, row.roundsDeliveriesPerSecond.length])).toEqual([
      ['a', 3],
      ['b', 3],
    ]);
    for (const row of run.rows) {
      expect(row.deliveries).toBe(row.lines * 3);
      expect(row).toMatchObject({ unaccounted: 0, closedEarly: 0, members: 3, senders: 1 });
      expect(row.deliveriesPerSecond).toBe(median(row.roundsDeliveriesPerSecond));
    }
    // The broker's CPU is read only for the target that relays through it.
    expect(run.rows[0]?.brokerCpuPercent).toBeNull();
    expect(run.rows[1]?.brokerCpuPercent).toBeGreaterThan(0);
    expect(run.ratios).toHaveLength(1);
    expect(run.ratios[0]).toMatchObject({ name: 'b / a', over: 'b', under: 'a' });
    expect(run.ratios[0]?.deliveries).toBeGreaterThan(0);
  });

  test('a CPU reading that did not move in the window is "not measured", never "free"', async () => {
    const a = await inProcessTarget('a');
    // As /proc can read for a process that had no 10 ms tick in a short window.
    const still: ChatTarget = { ...(await inProcessTarget('still')), serverCpuMicros: () => 7 };
    const run = await measureScale(
      [a, still],
      { members: 3, senders: 1, windowMs: 100, warmupMs: 20 },
      { rounds: 1, pairs: [['still', 'a']], brokerCpuMicros: () => 7 },
    );
    expect(run.rows[0]?.serverCpuPercent).toBeGreaterThan(0);
    expect(run.rows[1]?.serverCpuPercent).toBeNull();
    expect(run.rows[1]?.brokerCpuPercent).toBeNull();
    expect(run.ratios[0]?.deliveries).toBeGreaterThan(0);
    expect(run.ratios[0]?.cpuPerDelivery).toBeNaN();
    expect(describeRatio(run.ratios[0] as (typeof run.ratios)[number])).toMatch(
      /server CPU per delivery n\/a$/,
    );
  });
});

/** A CPU reader whose every reading is 1 ms on from the last. */
function ticking(): () => number {
  let micros = 0;
  return () => (micros += 1000);
}

describe('rounds and medians', () => {
  test('every other round goes backwards', () => {
    expect(roundOrder(['a', 'b', 'c'], 0)).toEqual(['a', 'b', 'c']);
    expect(roundOrder(['a', 'b', 'c'], 1)).toEqual(['c', 'b', 'a']);
    expect(roundOrder(['a', 'b', 'c'], 2)).toEqual(['a', 'b', 'c']);
  });

  test('the median of the finite values; NaN for none', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([Number.NaN, 5])).toBe(5);
    expect(median([])).toBeNaN();
  });
});

function row(fields: Partial<ScaleRow>): ScaleRow {
  const base: ChatLoadResult = {
    members: 40,
    senders: 4,
    windowMs: 1000,
    linesPerSecond: 1000,
    deliveriesPerSecond: 40_000,
    p50Ms: 1,
    p99Ms: 5,
    maxMs: 9,
    lines: 1000,
    deliveries: 40_000,
    dropped: 0,
    unaccounted: 0,
    outOfOrder: 0,
    foreign: 0,
    notices: 0,
    closedEarly: 0,
    loadCpuPercent: 70,
    serverCpuPercent: 60,
    brokerCpuPercent: 20,
  };
  return { ...base, name: 'one process', processes: 1, roundsDeliveriesPerSecond: [], ...fields };
}

describe('the scale report', () => {
  test('a row per server, with both CPUs and the books checked', () => {
    const lines = formatScaleTable([
      row({ brokerCpuPercent: null }),
      row({ name: '2 workers', processes: 2, unaccounted: 2 }),
    ]).split('\n');
    expect(lines[0]).toMatch(
      /^server\s+deliveries\/s\s+lines\/s\s+p50 ms\s+p99 ms\s+server CPU %\s+server µs\/delivery\s+Redis CPU %/,
    );
    expect(lines[2]).toMatch(/^one process\s+40000\s+1000\s+1\s+5\s+60\s+15\s+-\s+70\s+0\s+ok$/);
    expect(lines[3]).toMatch(/2 unaccounted$/);
  });

  test('says each ratio as "…x the deliveries/s"', () => {
    expect(
      describeRatio({
        name: '2 workers / 1 worker',
        over: '2 workers',
        under: '1 worker',
        deliveries: 1.406,
        p99: 0.8,
        cpuPerDelivery: 1.1,
      }),
    ).toBe(
      '2 workers / 1 worker: 1.41x the deliveries/s, p99 latency 0.80x, server CPU per delivery 1.10x',
    );
    expect(
      describeRatio({
        name: 'x / y',
        over: 'x',
        under: 'y',
        deliveries: Number.NaN,
        p99: 1,
        cpuPerDelivery: 1,
      }),
    ).toMatch(/^x \/ y: n\/a the deliveries\/s/);
  });

  test('counts the busy processes against the cores', () => {
    const rows = [row({}), row({ name: '2 workers', processes: 2, serverCpuPercent: 110 })];
    expect(describeMachine(rows, 2, 3.2)).toBe(
      'CPU in % of one core, 2 workers: the load generator 70%, the 2 workers 110%, redis-server 20% (load average 3.2). 4 busy processes on 2 cores: a worker added here mostly takes CPU from the others, so the ratio shows what is left over, not what a core of its own would give.',
    );
    expect(describeMachine(rows, 8, 0.5)).toMatch(
      /4 busy processes on 8 cores: each can have a core of its own\.$/,
    );
  });
});
