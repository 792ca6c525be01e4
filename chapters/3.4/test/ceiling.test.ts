/**
 * 3.4.1 run in-process with tiny rooms: its chat server runs as a child process, so each test
 * also checks that none is left running.
 */
import { childrenOf } from '@course/course-kit/testing/processes';
import { until } from '@course/course-kit/testing/waits';
import { afterEach, describe, expect, test } from 'vitest';
import { chapter } from '../src/chapter.ts';
import { runCaptured } from './run-chapter.ts';

interface Row {
  name: string;
  members: number;
  lines: number;
  deliveries: number;
  dropped: number;
  unaccounted: number;
  outOfOrder: number;
  closedEarly: number;
  deliveriesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  serverCpuPercent: number;
  serverMicrosPerDelivery: number;
}

afterEach(async () => {
  await until(() => childrenOf().length === 0, 10_000, 'the chat server process to end');
});

const TINY = ['3.4.1', '--sizes', '2,5', '--senders', '2', '--duration', '200'];

describe('3.4.1 the one-process ceiling', () => {
  test('--json: a row per room size, every delivery received or reported dropped', async () => {
    const { code, stdout, stderr } = await runCaptured(chapter, [...TINY, '--json']);
    expect(code, stderr).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const json = JSON.parse(lines[0] ?? '') as {
      section: string;
      cores: number;
      windowMs: number;
      inFlight: number;
      loadAverage: number;
      results: Row[];
    };
    expect(json).toMatchObject({ section: '3.4.1', windowMs: 200, inFlight: 32 });
    expect(json.results.map((row) => [row.name, row.members])).toEqual([
      ['2 members', 2],
      ['5 members', 5],
    ]);
    for (const row of json.results) {
      expect(row.lines).toBeGreaterThan(0);
      expect(row.deliveries + row.dropped).toBe(row.lines * row.members);
      expect(row).toMatchObject({ unaccounted: 0, outOfOrder: 0, closedEarly: 0 });
      expect(row.deliveriesPerSecond).toBeGreaterThan(0);
      expect(row.p50Ms).toBeLessThanOrEqual(row.p99Ms);
      expect(row.serverCpuPercent).toBeGreaterThan(0); // the child process did the sending
      expect(row.serverMicrosPerDelivery).toBeGreaterThan(0);
    }
    expect(stderr).toContain("-- 1. start chapter 3.1's chat server in a child process");
  });

  test('prints the table and where one process stops keeping up', async () => {
    const { code, stdout } = await runCaptured(chapter, TINY);
    expect(code).toBe(0);
    const table = stdout.split('\n').filter((line) => /^\s+[25]\s+\d/.test(line));
    expect(table).toHaveLength(2);
    for (const line of table) expect(line).toMatch(/\sok$/);
    expect(stdout).toMatch(/^members\s+senders\s+lines\/s\s+deliveries\/s/m);
    expect(stdout).toMatch(
      /^Fan-out: one line to a room of 5 is 5 sends, all on the server's one thread/m,
    );
    expect(stdout).toMatch(/one core tops out near [\d,]+ deliveries\/s/);
  });

  test('Ctrl-C while measuring closes the clients, stops the server and says so in one line', async () => {
    const { code, stdout } = await runCaptured(
      chapter,
      ['3.4.1', '--sizes', '3', '--senders', '1', '--duration', '10000'],
      (out) => out.includes('-- 2. one room at a time'),
    );
    expect(code).toBe(130);
    expect(stdout).toContain('interrupted: 3.4.1 closed its clients and stopped the chat server');
  });

  test.each([
    ['--sizes', '1,8'],
    ['--senders', '0'],
    ['--duration', '50'],
    ['--in-flight', '65'],
  ])('refuses %s %s with a one-line usage error, starting nothing', async (flag, value) => {
    const { code, stdout, stderr } = await runCaptured(chapter, ['3.4.1', flag, value]);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stdout).not.toContain('-- 1.');
  });
});
