/**
 * 3.4.6 run in-process with a tiny room against a real redis-server that the section starts:
 * the one-process server, 1 worker and 2 workers. Afterwards no child process is left: not the
 * servers, not the workers, not redis-server.
 */
import { childrenOf } from '@course/course-kit/testing/processes';
import { shouldRunRedisTests } from '@course/course-kit/testing/redis';
import { until } from '@course/course-kit/testing/waits';
import { afterEach, describe, expect, test } from 'vitest';
import { onlySection, runCaptured, withoutRedis } from './run-chapter.ts';

const only346 = onlySection('3.4.6');

afterEach(async () => {
  await until(
    () => childrenOf().length === 0,
    15_000,
    'the servers, workers and redis-server to end',
  );
});

const TINY = ['3.4.6', '--members', '4', '--senders', '2', '--duration', '200'];

interface Row {
  name: string;
  processes: number;
  members: number;
  lines: number;
  deliveries: number;
  dropped: number;
  unaccounted: number;
  closedEarly: number;
  notices: number;
  deliveriesPerSecond: number;
  brokerCpuPercent: number | null;
}

describe.skipIf(!shouldRunRedisTests())('3.4.6 measured scale, with a real redis-server', () => {
  test('--json: a row per server, every line delivered to every member or reported dropped, three ratios', async () => {
    const { code, stdout, stderr } = await runCaptured(only346, [...TINY, '--json']);
    expect(code, stderr).toBe(0);
    const json = JSON.parse(stdout.trim()) as {
      section: string;
      members: number;
      inFlight: number;
      rounds: number;
      ratios: { name: string; deliveries: number; p99: number; cpuPerDelivery: number | null }[];
      results: Row[];
    };
    expect(json).toMatchObject({ section: '3.4.6', members: 4, inFlight: 32, rounds: 1 });
    expect(json.results.map((row) => [row.name, row.processes])).toEqual([
      ['one process', 1],
      ['1 worker', 1],
      ['2 workers', 2],
    ]);
    for (const row of json.results) {
      expect(row.lines).toBeGreaterThan(0);
      expect(row.deliveries + row.dropped).toBe(row.lines * 4);
      expect(row).toMatchObject({ unaccounted: 0, closedEarly: 0, notices: 0 });
      expect(row.deliveriesPerSecond).toBeGreaterThan(0);
    }
    // redis-server works only for the workers; the one process never touches it.
    expect(json.results[0]?.brokerCpuPercent).toBeNull();
    expect(json.ratios.map((ratio) => ratio.name)).toEqual([
      '2 workers / 1 worker',
      '2 workers / one process',
      '1 worker / one process',
    ]);
    for (const ratio of json.ratios) {
      expect(ratio.deliveries).toBeGreaterThan(0);
      // A worker's CPU comes from /proc in 10 ms ticks: a 200 ms window on a busy machine can
      // see none, and then the ratio is not measured (null in JSON) rather than 0.
      if (ratio.cpuPerDelivery !== null) expect(ratio.cpuPerDelivery).toBeGreaterThan(0);
    }
    expect(stderr).toMatch(/^2 workers \/ 1 worker: \d+\.\d\dx the deliveries\/s/m);
    expect(stderr).toMatch(/busy processes on \d+ cores/);
  });

  test('Ctrl-C while measuring stops every server, the workers and redis-server, in one line', async () => {
    const { code, stdout } = await runCaptured(
      only346,
      ['3.4.6', '--members', '4', '--senders', '1', '--duration', '10000'],
      (out) => out.includes('-- 3.'),
    );
    expect(code).toBe(130);
    expect(stdout).toContain('interrupted: 3.4.6 stopped its servers, workers and redis-server');
  });
});

describe('3.4.6 without Redis', () => {
  test('says how to get Redis and stops, exit 0, starting nothing', async () => {
    const { code, stdout } = await withoutRedis(() => runCaptured(only346, TINY));
    expect(code).toBe(0);
    expect(stdout).toContain(
      'skipped: this section needs Redis: install it (sudo apt-get install redis-server)',
    );
    expect(stdout).not.toContain('-- 2.');
  });

  test.each([
    ['--members', '49'],
    ['--members', '1'],
    ['--rounds', '6'],
    ['--duration', '99'],
  ])('refuses %s %s with a one-line usage error', async (flag, value) => {
    const { code, stderr } = await runCaptured(only346, ['3.4.6', flag, value]);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
  });
});
