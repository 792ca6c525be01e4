/**
 * Grading helpers for chapter 3.4's exercises (not student code). Each test gets a redis-server
 * of its own, so nothing one test leaves in Redis can change another's result, and an admin
 * connection to look at Redis from outside the student's code: CLIENT LIST, PUBSUB NUMSUB, PTTL.
 * `cleanUp()` (in afterEach) closes everything a test opened and checks each redis-server is gone.
 */
import { execFileSync } from 'node:child_process';
import { findOnPath, freePort, type RedisServer } from '@course/course-kit/redis';
import { isRunning } from '@course/course-kit/testing/processes';
import {
  shouldRunRedisTests as redisOnPath,
  startTestRedis,
} from '@course/course-kit/testing/redis';
import { within } from '@course/course-kit/testing/waits';
import { createClient } from 'redis';

// No offline queue: a command while Redis is away fails at once instead of waiting for a
// reconnect that may never come, so a test's look at Redis always ends.
const connection = (url: string) => createClient({ url, disableOfflineQueue: true });
export type Admin = ReturnType<typeof connection>;

export interface RedisForTest {
  /** redis://127.0.0.1:PORT, what the student's code connects to. */
  url: string;
  redis: RedisServer;
  admin: Admin;
}

/** Bounds for waits on a loaded two-core machine: long enough never to fail a right answer. */
export const WAIT_MS = 15_000;

const cleanups: Array<() => unknown> = [];
const servers: Array<{ redis: RedisServer; pid: number }> = [];

/** Runs `step` in cleanUp(), after the test, alongside the test's other steps. */
export function later(step: () => unknown): void {
  cleanups.push(step);
}

/**
 * Closes what the test opened, all at once and under one bound, then stops each redis-server
 * with a bound of its own, whatever the closing came to; fails if one is still running.
 */
export async function cleanUp(): Promise<void> {
  const errors: unknown[] = [];
  const steps = cleanups.splice(0).map((step) => Promise.resolve().then(step));
  try {
    const settled = await within(
      Promise.allSettled(steps),
      WAIT_MS,
      "the test's connections and processes to close",
    );
    for (const result of settled) if (result.status === 'rejected') errors.push(result.reason);
  } catch (error) {
    errors.push(error);
  }
  for (const { redis, pid } of servers.splice(0)) {
    try {
      await within(redis.stop(), WAIT_MS, `redis-server ${pid} to stop`);
      if (isRunning(pid)) throw new Error(`redis-server ${pid} still running after stop()`);
    } catch (error) {
      errors.push(error);
    }
  }
  if (errors.length > 0) throw errors[0];
}

/** XAUTOCLAIM (3.4/05) came with Redis 6.2; the exercises are graded against 6.2 or later. */
const MINIMUM: readonly [number, number] = [6, 2];

/** "x.y.z" of the redis-server on the PATH, or undefined when there is none or it says nothing. */
function redisVersion(): string | undefined {
  const binary = findOnPath('redis-server');
  if (binary === undefined) return undefined;
  try {
    const said = execFileSync(binary, ['--version'], { encoding: 'utf8', timeout: 10_000 });
    return /v=(\d+\.\d+\.\d+)/.exec(said)?.[1];
  } catch {
    return undefined;
  }
}

/** What `redis-server --version` said, read once. */
let versionRead: { version: string | undefined } | undefined;

/** Why the redis-server on the PATH cannot grade these exercises, or undefined when it can. */
function tooOld(): string | undefined {
  versionRead ??= { version: redisVersion() };
  const { version } = versionRead;
  if (version === undefined) return undefined;
  const [major = 0, minor = 0] = version.split('.').map(Number);
  if (major > MINIMUM[0] || (major === MINIMUM[0] && minor >= MINIMUM[1])) return undefined;
  return `redis-server ${version} is too old for chapter 3.4's exercises: they need Redis ${MINIMUM.join('.')} or later (XAUTOCLAIM); install a newer one (Debian 12 and Ubuntu 24.04 ship Redis 7; on older systems, the Redis project's own apt repository)`;
}

/**
 * True when the Redis tests run: a redis-server 6.2 or later is on the PATH, or CI is set (then a
 * missing or older one fails the tests with what to install). Locally it skips them, saying why.
 */
export function shouldRunRedisTests(): boolean {
  if (!redisOnPath()) return false;
  const why = tooOld();
  if (why === undefined || process.env.CI) return true;
  console.warn(`redis test skipped: ${why}`);
  return false;
}

/** A redis-server for this test, and an admin connection to it. */
export async function startRedis(): Promise<RedisForTest> {
  const why = tooOld();
  if (why !== undefined) throw new Error(why);
  const redis = await startTestRedis();
  servers.push({ redis, pid: redis.pid ?? 0 }); // read now: once stopped, the server has none
  const admin = await connectAdmin(redis.url);
  return { url: redis.url, redis, admin };
}

/** A plain client of the test's own, closed after the test. */
export async function connectAdmin(url: string): Promise<Admin> {
  const admin = connection(url);
  admin.on('error', () => {}); // only a stopped server makes it fail, and tests stop theirs on purpose
  await admin.connect();
  later(() => admin.destroy());
  return admin;
}

export interface ClientInfo {
  id: string;
  /** 127.0.0.1:PORT, the client's end of the connection. */
  addr: string;
  name: string;
  /** The last command it ran, e.g. "xread" or "subscribe". */
  cmd: string;
}

/** Every connection Redis has open, the admin's own included. */
export async function clientList(admin: Admin): Promise<ClientInfo[]> {
  const text = String(await admin.sendCommand(['CLIENT', 'LIST']));
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const fields = new Map(
        line
          .trim()
          .split(' ')
          .map((pair) => {
            const at = pair.indexOf('=');
            return [pair.slice(0, at), pair.slice(at + 1)] as const;
          }),
      );
      return {
        id: fields.get('id') ?? '',
        addr: fields.get('addr') ?? '',
        name: fields.get('name') ?? '',
        cmd: fields.get('cmd') ?? '',
      };
    });
}

/**
 * Polls `check` (sync or async) until it returns something other than false, null or undefined, and
 * resolves with that; rejects after `ms` with "timed out after … waiting for `what`", plus what
 * `explain()` says about the last state it saw. Each check gets only the time that is left, so
 * one that never answers (a command to a Redis that is gone) cannot hold the wait past its bound.
 */
export async function eventually<T>(
  check: () => T | false | null | undefined | Promise<T | false | null | undefined>,
  what: string,
  explain: () => string = () => '',
  ms = WAIT_MS,
): Promise<T> {
  const deadline = Date.now() + ms;
  const timeout = (detail: string) => {
    const why = explain();
    return new Error(
      `timed out after ${ms} ms waiting for ${what}${detail}${why ? `: ${why}` : ''}`,
    );
  };
  for (;;) {
    let answered = false;
    const checking = Promise.resolve()
      .then(check)
      .finally(() => {
        answered = true;
      });
    let value: T | false | null | undefined;
    try {
      value = await within(checking, Math.max(1, deadline - Date.now()), what);
    } catch (error) {
      if (answered) throw error;
      checking.catch(() => {}); // it may still fail later, with nobody left to hear it
      throw timeout(' (its last check never answered)');
    }
    if (value !== false && value !== null && value !== undefined) return value;
    if (Date.now() >= deadline) throw timeout('');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Waits until Redis counts `expected` connections (the admin's included), and says what it saw. */
export async function untilClientCount(
  admin: Admin,
  expected: number,
  what: string,
): Promise<void> {
  let seen: ClientInfo[] = [];
  await eventually(
    async () => {
      seen = await clientList(admin);
      return seen.length === expected;
    },
    what,
    () =>
      `Redis has ${seen.length} connections open, expected ${expected} (last commands: ${seen.map((c) => c.cmd).join(', ')})`,
  );
}

/** A loopback port where nothing listens (it was free a moment ago, and nobody is told of it). */
export function closedPort(): Promise<number> {
  return freePort('127.0.0.1');
}

/** "none", or how many and which (by number): "3: #20, #21, #22". */
export function numbers(list: Array<number | string | undefined>): string {
  if (list.length === 0) return 'none';
  const shown = list.slice(0, 12).map((n) => `#${n}`);
  return `${list.length}: ${shown.join(', ')}${list.length > shown.length ? ', …' : ''}`;
}
