/**
 * The launcher against a real redis-server: it starts on a free loopback port keeping nothing,
 * answers PING, restarts empty on the same port, crashes (SIGKILL) and comes back with what its
 * append-only file kept when asked to persist, and leaves no process and no folder behind —
 * after stop(), and after Ctrl-C of a program that started it.
 */
import { spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'redis';
import { afterEach, describe, expect, it } from 'vitest';
import { RedisNotAvailableError, RedisStartError } from '../src/redis/errors.ts';
import { findOnPath } from '../src/redis/find-on-path.ts';
import { pingOnce } from '../src/redis/ping.ts';
import { type RedisServer, startRedisServer } from '../src/redis/redis-server.ts';
import { isRunning } from '../src/testing/processes.ts';
import { shouldRunRedisTests, startTestRedis } from '../src/testing/redis.ts';
import { until, within } from '../src/testing/waits.ts';

const HOLDER = new URL('./fixtures-redis-holder.child.ts', import.meta.url).pathname;

/** /proc/PID/stat's process group: the fields after the command name are state, ppid, pgrp. */
function processGroupOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
}

describe('findOnPath', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('finds nothing on a PATH without the program', () => {
    expect(findOnPath('redis-server', '/nonexistent:/also-not-here')).toBeUndefined();
  });

  it('takes the first executable file of that name, passing over a folder and a file it may not run', () => {
    const root = mkdtempSync(join(tmpdir(), 'course-find-on-path-'));
    dirs.push(root);
    const [folder, notRunnable, first, second] = ['a', 'b', 'c', 'd'].map((name) => {
      const dir = join(root, name);
      mkdirSync(dir);
      return dir;
    }) as [string, string, string, string];
    mkdirSync(join(folder, 'tool'));
    writeFileSync(join(notRunnable, 'tool'), '');
    chmodSync(join(notRunnable, 'tool'), 0o644);
    for (const dir of [first, second]) {
      writeFileSync(join(dir, 'tool'), '#!/bin/sh\n');
      chmodSync(join(dir, 'tool'), 0o755);
    }
    expect(findOnPath('tool', ['', folder, notRunnable, first, second].join(':'))).toBe(
      join(first, 'tool'),
    );
  });
});

describe('startRedisServer without a server to start', () => {
  it('says how to install redis-server when there is none on the PATH', async () => {
    const saved = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      const attempt = startRedisServer();
      await expect(attempt).rejects.toBeInstanceOf(RedisNotAvailableError);
      await expect(attempt).rejects.toThrow(
        'no redis-server on the PATH: install it (sudo apt-get install redis-server)',
      );
    } finally {
      process.env.PATH = saved;
    }
  });

  it('reports a server that exits at once with its exit code', async () => {
    const attempt = startRedisServer({ binary: '/bin/false' });
    await expect(attempt).rejects.toBeInstanceOf(RedisStartError);
    await expect(attempt).rejects.toThrow(/exited \(1\) before answering PING/);
  });
});

describe.runIf(shouldRunRedisTests())('our own redis-server', () => {
  const started: RedisServer[] = [];

  afterEach(async () => {
    for (const redis of started.splice(0)) {
      const pid = redis.pid;
      await redis.stop();
      if (pid !== undefined)
        expect(isRunning(pid), `redis-server ${pid} still running`).toBe(false);
    }
  });

  it('starts on a free loopback port, keeps nothing, answers PING, and once stopped leaves no process, port or folder', async () => {
    const redis = await startRedisServer();
    started.push(redis);
    const { pid, port, dir } = redis;
    expect(redis.url).toBe(`redis://127.0.0.1:${port}`);
    expect(pid).toBeGreaterThan(0);
    expect(existsSync(dir)).toBe(true);
    expect(await pingOnce('127.0.0.1', port, 2000)).toBe(true);
    const client = createClient({ url: redis.url });
    client.on('error', () => {});
    await client.connect();
    expect(await client.configGet(['save', 'appendonly', 'dir'])).toEqual({
      save: '',
      appendonly: 'no',
      dir,
    });
    client.destroy();

    await redis.stop();
    expect(redis.pid).toBeUndefined();
    expect(isRunning(pid ?? 0)).toBe(false);
    expect(await pingOnce('127.0.0.1', port, 2000)).toBe(false);
    expect(existsSync(dir)).toBe(false);
    await redis.stop(); // idempotent
  });

  it('starts servers side by side on separate ports, and stopping one leaves the other running', async () => {
    const [a, b] = await Promise.all([startRedisServer(), startRedisServer()]);
    started.push(a, b);
    expect(a.port).not.toBe(b.port);
    expect(a.dir).not.toBe(b.dir);
    const pidOfB = b.pid ?? 0;
    await a.stop();
    expect(await pingOnce('127.0.0.1', a.port, 2000)).toBe(false);
    expect(isRunning(pidOfB), 'the other server is left alone').toBe(true);
    expect(await pingOnce('127.0.0.1', b.port, 2000)).toBe(true);
  });

  it('restarts on the same port as a new, empty server', async () => {
    const redis = await startRedisServer();
    started.push(redis);
    const client = createClient({ url: redis.url });
    client.on('error', () => {});
    await client.connect();
    await client.set('kept?', 'no');
    const before = redis.pid;
    const port = redis.port;
    await redis.restart();
    expect(redis.port).toBe(port);
    expect(redis.pid).not.toBe(before);
    expect(isRunning(before ?? 0)).toBe(false);
    // node-redis reconnects by itself; the new server knows nothing of the old one's keys.
    expect(await within(client.get('kept?'), 10_000, 'a GET after the restart')).toBeNull();
    client.destroy();
  });

  it.each([
    ['with persist, a crash and a restart that keeps its data: the key is back', true, true, 'yes'],
    ['without persist, the same crash and restart: the key is gone', false, true, null],
    ['with persist, a crash and a plain restart: the key is gone', true, false, null],
  ])('%s', async (_how, persist, keepData, expected) => {
    const redis = await startRedisServer({ persist });
    started.push(redis);
    const client = createClient({ url: redis.url });
    client.on('error', () => {});
    await client.connect();
    expect(await client.configGet(['appendonly', 'appendfsync'])).toMatchObject({
      appendonly: persist ? 'yes' : 'no',
    });
    if (persist) expect((await client.configGet('appendfsync')).appendfsync).toBe('always');
    await client.set('kept?', 'yes'); // answered, so (with persist) already on disk
    const { pid, port } = redis;
    await redis.crash();
    expect(redis.pid).toBeUndefined();
    expect(isRunning(pid ?? 0)).toBe(false);
    expect(await pingOnce('127.0.0.1', port, 2000)).toBe(false);
    await redis.restart({ keepData });
    expect(redis.port).toBe(port);
    expect(redis.pid).not.toBe(pid);
    expect(await within(client.get('kept?'), 10_000, 'a GET after the restart')).toBe(expected);
    client.destroy();
    await redis.stop();
    expect(existsSync(redis.dir), 'its folder, append-only file and all, is removed').toBe(false);
  });

  it('never takes another redis-server on its port for its own: a restart onto a taken port fails and says so', async () => {
    const redis = await startRedisServer();
    started.push(redis);
    const { port } = redis;
    await redis.crash();
    const foreignDir = mkdtempSync(join(tmpdir(), 'course-redis-foreign-'));
    const foreign = spawn(
      findOnPath('redis-server') ?? 'redis-server',
      ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no'],
      { cwd: foreignDir, stdio: 'ignore' },
    );
    const foreignExited = new Promise<void>((resolve) => foreign.once('exit', () => resolve()));
    try {
      // Bounded poll: the foreign server is ready once it answers PING.
      let answers = false;
      const deadline = Date.now() + 10_000;
      while (!answers && foreign.exitCode === null && Date.now() < deadline)
        answers = await pingOnce('127.0.0.1', port, 500);
      expect(answers, 'the foreign redis-server answers on the port').toBe(true);
      const attempt = redis.restart();
      await expect(attempt).rejects.toBeInstanceOf(RedisStartError);
      // The foreign pid is named when the launcher saw it answer before its own child exited.
      await expect(attempt).rejects.toThrow(`on 127.0.0.1:${port}: the port is taken`);
      expect(redis.pid, 'no pid of its own, and never the foreign one').toBeUndefined();
    } finally {
      foreign.kill('SIGKILL');
      await within(foreignExited, 10_000, 'the foreign redis-server to exit');
      rmSync(foreignDir, { recursive: true, force: true });
    }
    expect(isRunning(foreign.pid ?? 0)).toBe(false);
  });

  it("puts the server in a process group of its own, and startTestRedis's in the test runner's", async () => {
    const [own, forTest] = await Promise.all([startRedisServer(), startTestRedis()]);
    started.push(own, forTest);
    expect(processGroupOf(own.pid ?? 0)).toBe(own.pid);
    expect(processGroupOf(forTest.pid ?? 0)).toBe(processGroupOf(process.pid));
  });

  it.each([
    ['its own exit on Ctrl-C, when it is the only one listening', []],
    ['the exit hook, when the program handles Ctrl-C itself and exits', ['--own-handler']],
  ])('stops a redis-server started by a child process that gets Ctrl-C: %s', async (_how, args) => {
    const child = spawn(process.execPath, ['--import', 'tsx', HOLDER, ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      const line = await until(
        () => out.split('\n')[0]?.endsWith('}') && out,
        20_000,
        'the child to report its Redis',
      );
      const holder = JSON.parse(line) as { pid: number; dir: string; port: number };
      expect(isRunning(holder.pid)).toBe(true);
      child.kill('SIGINT');
      await within(exited, 15_000, 'the child to exit after SIGINT');
      await until(() => !isRunning(holder.pid), 5000, `redis-server ${holder.pid} to be gone`);
      expect(existsSync(holder.dir)).toBe(false);
      expect(await pingOnce('127.0.0.1', holder.port, 2000)).toBe(false);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
});
