/**
 * The chapter as a student runs it: a real process and a real signal. `--list` and `--help`,
 * 3.4.3's server from its "listening on" line to Ctrl-C — after which none of its processes
 * (workers, redis-server) may be left — and the notice when there is no Redis to be had.
 */

import { freePort } from '@course/course-kit/redis';
import { startChapterProcess } from '@course/course-kit/testing/chapter-process';
import { descendantsOf, isRunning } from '@course/course-kit/testing/processes';
import { shouldRunRedisTests } from '@course/course-kit/testing/redis';
import { until, within } from '@course/course-kit/testing/waits';
import { afterEach, describe, expect, it } from 'vitest';
import { ChatClient } from '../src/chat/chat-client.ts';
import { type ProcessTree, watchProcessTree } from './process-tree.ts';

const CHAPTER = new URL('..', import.meta.url);
const running: ProcessTree[] = [];

function startChapter(args: string[], env: Record<string, string | undefined> = {}) {
  const run = startChapterProcess(CHAPTER, args, env);
  running.push(watchProcessTree(run.child));
  return {
    ...run,
    exited: within(run.exited, 30_000, `npm run chapter:3.4 -- ${args.join(' ')} to exit`),
  };
}

// Also when a test failed halfway: Ctrl-C first, as a student stops the chapter, then by force,
// with everything it started. The chapter must never leave a redis-server of its own behind.
afterEach(async () => {
  for (const tree of running.splice(0)) {
    const left = await tree.stop('SIGINT', 20_000);
    expect(left.filter(({ name }) => name === 'redis-server')).toEqual([]);
  }
});

describe('npm run chapter:3.4', () => {
  it('--list names the cluster and Redis sections with their flags', async () => {
    const run = startChapter(['--list']);
    expect(await run.exited).toBe(0);
    expect(run.output.stdout).toMatch(/^3\.4\.2 {2}Many processes, one port — .*--workers/m);
    expect(run.output.stdout).toMatch(/^3\.4\.3 {2}A room bus on Redis pub\/sub — .*until Ctrl-C/m);
    expect(run.output.stdout).toMatch(/^3\.4\.4 {2}Shared state — .*--ttl/m);
  });

  it('--help lists the flags of 3.4.2 to 3.4.4', async () => {
    const run = startChapter(['--help']);
    expect(await run.exited).toBe(0);
    for (const [flag, sections] of [
      ['--workers <value>', /3\.4\.2, 3\.4\.3/],
      ['--shared', /3\.4\.3/],
      ['--ttl <value>', /3\.4\.4/],
    ] as const) {
      const line = run.output.stdout.split('\n').find((l) => l.trim().startsWith(flag));
      expect(line, flag).toMatch(sections);
    }
  });

  it('3.4.3 without redis-server or REDIS_URL says how to get Redis and exits 0', async () => {
    const run = startChapter(['3.4.3', '--port', '0'], {
      PATH: '/nonexistent',
      REDIS_URL: undefined,
    });
    expect(await run.exited).toBe(0);
    expect(run.output.stdout).toContain(
      'skipped: this section needs Redis: install it (sudo apt-get install redis-server) so it can start its own on 127.0.0.1, or set REDIS_URL=redis://HOST:PORT to use one you run',
    );
    expect(run.output.stdout).not.toContain('listening on');
  });
  it('3.4.3 with a REDIS_URL that leads nowhere says so in one line and exits 2, starting no worker', async () => {
    const port = await freePort('127.0.0.1');
    const run = startChapter(['3.4.3', '--port', '0'], { REDIS_URL: `redis://127.0.0.1:${port}` });
    expect(await run.exited).toBe(2);
    expect(run.output.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        new RegExp(
          `^error in 3\\.4\\.3: REDIS_URL: could not reach Redis at redis://127\\.0\\.0\\.1:${port} within 3000 ms .*; is it running\\? see REDIS_URL$`,
        ),
      ),
    ]);
    expect(run.output.stdout).not.toContain('2 workers on one port');
  });
});

describe.runIf(shouldRunRedisTests())('npm run chapter:3.4 -- 3.4.3', () => {
  it('prints the listening line, serves /chat, and on Ctrl-C closes clients with 1001 and leaves no process running', async () => {
    const run = startChapter(['3.4.3', '--host', '127.0.0.1', '--port', '0', '--workers', '2'], {
      REDIS_URL: undefined,
    });
    const url = await until(
      () => run.output.stdout.match(/^listening on (ws:\/\/127\.0\.0\.1:\d+\/)$/m)?.[1],
      30_000,
      'the "listening on" line',
    );
    const pid = run.child.pid ?? 0;
    // Two workers and our redis-server, all started by the chapter's process.
    const family = await until(
      () => descendantsOf(pid).length >= 3 && descendantsOf(pid),
      10_000,
      'three descendants',
    );
    const client = await ChatClient.join(url, 'student', 'lobby');
    expect(client.server).toMatch(/^worker \d \(pid \d+\)$/);
    run.child.kill('SIGINT');
    expect(await client.waitForClose(20_000)).toEqual({
      code: 1001,
      reason: 'server shutting down',
    });
    expect(await run.exited).toBe(0);
    expect(run.output.stdout).toContain('  stopped');
    for (const each of family) expect(isRunning(each), `process ${each}`).toBe(false);
    expect(run.output.stderr).toBe('');
  });
});
