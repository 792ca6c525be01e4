/**
 * 3.4.5 run in-process, as `npm run chapter:3.4 -- 3.4.5` would, on tiny settings against a
 * redis-server the section starts: its --json shape and the invariants every run keeps; the
 * line it prints without Redis; and Ctrl-C, after which nothing it started is left running.
 */
import { childrenOf } from '@course/course-kit/testing/processes';
import { shouldRunRedisTests } from '@course/course-kit/testing/redis';
import { until } from '@course/course-kit/testing/waits';
import { afterEach, describe, expect, test } from 'vitest';
import type { OutageResult } from '../src/outage/measure-outage.ts';
import { SECTION_NEEDS_REDIS } from '../src/redis/errors.ts';
import { onlySection, runCaptured, withoutRedis } from './run-chapter.ts';

const only345 = onlySection('3.4.5');
const TINY = ['3.4.5', '--quick', '--outage', '200', '--rate', '20'];

afterEach(async () => {
  await until(() => childrenOf().length === 0, 15_000, 'redis-server to end');
});

describe('3.4.5 without Redis', () => {
  test('prints how to get Redis and exits 0', async () => {
    const { code, stdout } = await withoutRedis(() => runCaptured(only345, ['3.4.5']));
    expect(code).toBe(0);
    expect(stdout).toContain(`skipped: ${SECTION_NEEDS_REDIS}`);
    expect(stdout).not.toContain('-- 2.');
  });
});

describe.skipIf(!shouldRunRedisTests())('3.4.5 with a real redis-server', () => {
  test('--json: a row per bus and failure, Redis killed and restarted included; streams lose and repeat nothing; every receiver was told', async () => {
    const { code, stdout, stderr } = await runCaptured(only345, [...TINY, '--json']);
    expect(code, stderr).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const json = JSON.parse(lines[0] ?? '') as {
      section: string;
      rate: number;
      outageMs: number;
      results: OutageResult[];
    };
    expect(json).toMatchObject({ section: '3.4.5', rate: 20, outageMs: 200 });
    expect(json.results.map((r) => [r.bus, r.cut])).toEqual([
      ['pub/sub', 'receiver'],
      ['streams', 'receiver'],
      ['pub/sub', 'both'],
      ['streams', 'both'],
      ['pub/sub', 'redis'],
      ['streams', 'redis'],
    ]);
    for (const r of json.results) {
      expect(r.sent).toBeGreaterThan(0);
      expect(r.received + r.lost).toBe(r.sent);
      expect(r.outageMs).toBeGreaterThanOrEqual(200);
      // The receiver's link is cut, or its Redis killed, in every run: its bus always says so.
      expect(r.notices).toBeGreaterThanOrEqual(1);
      expect(r.duplicates).toBe(0);
      expect(r.outOfOrder).toBe(0);
    }
    for (const r of json.results.filter((row) => row.bus === 'streams'))
      expect(r).toMatchObject({ lost: 0, lostRanges: '', received: r.sent });
    // The narration went to stderr, the table with it.
    expect(stderr).toMatch(/bus\s+what failed\s+sent\s+during cut/);
    expect(stderr).toContain('Redis killed (SIGKILL) for ');
    expect(stderr).toContain('not shown: Redis restarting without its data');
  });

  test('Ctrl-C during a run ends it with one line and exit 130, leaving nothing running', async () => {
    const { code, stdout } = await runCaptured(only345, ['3.4.5', '--quick'], (out) =>
      out.includes('pub/sub, receiver'),
    );
    expect(code).toBe(130);
    expect(stdout).toContain(
      'interrupted: 3.4.5 closed its clients, chat servers, links and Redis',
    );
    expect(childrenOf()).toEqual([]);
  });

  test('Ctrl-C during the runs that kill Redis ends it with exit 130, leaving no redis-server running', async () => {
    const { code, stdout } = await runCaptured(only345, ['3.4.5', '--quick'], (out) =>
      out.includes('keeping an AOF'),
    );
    expect(code).toBe(130);
    expect(stdout).toContain(
      'interrupted: 3.4.5 closed its clients, chat servers, links and Redis',
    );
    expect(childrenOf()).toEqual([]);
  });
});
