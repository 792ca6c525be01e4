/**
 * The plain TypeScript files the lesson shows (src/plain/): each one run as the page tells a
 * student to run it (node --import tsx, which is what `npx tsx` does) and its output checked;
 * the Redis ones against a real redis-server of their own, and their exported functions
 * in-process too. Every wait is bounded; every process started is stopped and checked gone.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type RedisServer, startRedisServer } from '@course/course-kit/redis';
import { isRunning } from '@course/course-kit/testing/processes';
import { shouldRunRedisTests } from '@course/course-kit/testing/redis';
import { until, within } from '@course/course-kit/testing/waits';
import { createClient } from 'redis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { claim } from '../src/plain/nickname-claim.ts';
import { joinRelay } from '../src/plain/pubsub-relay.ts';
import { readSince } from '../src/plain/stream-resume.ts';
import { type ProcessTree, watchProcessTree } from './process-tree.ts';

const PLAIN = fileURLToPath(new URL('../src/plain/', import.meta.url));
const run = promisify(execFile);

/** Runs a sample to its end (killed after `timeoutMs`) and returns the lines it printed. */
async function sample(file: string, env: Record<string, string> = {}, timeoutMs = 30_000) {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', `${PLAIN}${file}`], {
    timeout: timeoutMs,
    env: { ...process.env, ...env },
  });
  return stdout.trimEnd().split('\n');
}

describe('fan-out.ts', () => {
  it('writes every line to every member of rooms of 10, 100 and 1000, and all of it arrives', async () => {
    const lines = await sample('fan-out.ts');
    expect(lines).toHaveLength(3);
    for (const [index, size] of [10, 100, 1000].entries()) {
      expect(lines[index]).toMatch(
        new RegExp(
          `^room of ${size}: 100 lines = ${size * 100} writes, the thread held [\\d.]+ ms \\([\\d.]+ µs per write\\); every member got all 101 lines$`,
        ),
      );
    }
  });
});

/** A sample left running (a cluster), stopped after each test with every worker it forked. */
const running: ProcessTree[] = [];
afterEach(async () => {
  // SIGTERM is what the sample's own stop expects; its workers are stopped by force after it.
  for (const tree of running.splice(0)) await tree.stop('SIGTERM', 15_000);
});

/** A `nc`-like member of cluster-rooms.ts: the lines it has received, and the worker it is on. */
class LineMember {
  readonly lines: string[] = [];
  private constructor(private readonly socket: Socket) {
    createInterface({ input: socket }).on('line', (line) => this.lines.push(line));
    socket.on('error', () => {});
  }

  static async join(port: number): Promise<LineMember> {
    const member = new LineMember(connect(port, '127.0.0.1'));
    await until(() => member.worker, 20_000, 'the greeting "you are on worker pid N"');
    return member;
  }

  get worker(): number | undefined {
    const greeting = this.lines[0]?.match(/^you are on worker pid (\d+)$/);
    return greeting ? Number(greeting[1]) : undefined;
  }

  /** Says `text` and waits until the room sends it back: the worker has sent it on to all. */
  async say(text: string): Promise<void> {
    this.socket.write(`${text}\n`);
    await until(
      () => this.lines.some((line) => line.endsWith(`> ${text}`)),
      20_000,
      `"${text}" back`,
    );
  }

  /** The lines received before `text` came back. */
  before(text: string): string[] {
    return this.lines.slice(
      0,
      this.lines.findIndex((line) => line.endsWith(`> ${text}`)),
    );
  }

  close(): void {
    this.socket.destroy();
  }
}

/**
 * Starts cluster-rooms.ts with 2 workers on a free port (port 0: the primary owns the port, so
 * every worker listens on the same one); puts two members on two different workers.
 */
async function startClusterRooms(env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', `${PLAIN}cluster-rooms.ts`, '0', '2'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  });
  running.push(watchProcessTree(child));
  const printed: string[] = [];
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) =>
    printed.push(line),
  );
  const listening = () =>
    printed
      .map((line) => line.match(/^worker pid (\d+) listening on 127\.0\.0\.1:(\d+)$/))
      .filter((match): match is RegExpMatchArray => match !== null);
  await until(() => listening().length === 2, 30_000, 'both workers to print "listening on"');
  const ports = new Set(listening().map((match) => Number(match[2])));
  expect(ports.size, 'one port for every worker').toBe(1);
  const [port] = [...ports] as [number];
  const workerPids = listening().map((match) => Number(match[1]));

  const alice = await LineMember.join(port);
  let bob = await LineMember.join(port);
  // Round robin usually puts bob on the other worker; never assume it: try again until it does.
  for (let attempt = 1; bob.worker === alice.worker && attempt < 8; attempt++) {
    bob.close();
    bob = await LineMember.join(port);
  }
  expect(bob.worker, 'bob on the other worker').not.toBe(alice.worker);
  return { child, workerPids, alice, bob };
}

/** SIGTERM to the primary, as the sample's Ctrl-C handler expects; then nothing is left. */
async function stopCluster(child: ChildProcess, workerPids: number[]): Promise<void> {
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await within(exited, 15_000, `cluster-rooms.ts pid ${child.pid} to exit after SIGTERM`);
  await until(
    () => workerPids.every((pid) => !isRunning(pid)),
    10_000,
    `workers ${workerPids.join(', ')} to be gone`,
  );
}

describe('cluster-rooms.ts', () => {
  it('serves one port from two workers, and a line reaches only the members of its own worker', async () => {
    const { child, workerPids, alice, bob } = await startClusterRooms();
    expect(new Set([alice.worker, bob.worker])).toEqual(new Set(workerPids));
    await alice.say('one');
    // A worker writes a line to all its members before it reads the next: had bob shared
    // alice's room, "one" would have reached him before his own "two" came back.
    await bob.say('two');
    expect(bob.before('two')).toEqual([`you are on worker pid ${bob.worker}`]);
    expect(alice.lines).toEqual([`you are on worker pid ${alice.worker}`, `${alice.worker}> one`]);
    alice.close();
    bob.close();
    await stopCluster(child, workerPids);
  });
});

describe.runIf(shouldRunRedisTests())('the plain samples on a real redis-server', () => {
  let redis: RedisServer;
  const env = () => ({ REDIS_URL: redis.url });

  beforeAll(async () => {
    redis = await startRedisServer();
  });

  afterAll(async () => {
    const pid = redis?.pid;
    await redis?.stop();
    if (pid !== undefined) expect(isRunning(pid), `redis-server ${pid}`).toBe(false);
  });

  it('pubsub-relay.ts: both relays get both lines, in the same order', async () => {
    const lines = await sample('pubsub-relay.ts', env());
    const of = (worker: string) =>
      lines
        .filter((line) => line.startsWith(`worker ${worker} got: `))
        .map((l) => l.slice('worker A got: '.length));
    expect(of('A')).toHaveLength(2);
    expect(of('A')).toEqual(of('B'));
    expect(new Set(of('A'))).toEqual(new Set(['alice (on A): hello', 'bob (on B): hi alice']));
  });

  it('joinRelay delivers its own line only when Redis sends it back, and stops at close()', async () => {
    const got: string[] = [];
    const relay = await joinRelay(redis.url, 'relay-test', (line) => got.push(line));
    expect(got).toEqual([]);
    relay.publish('hello');
    expect(got, 'nothing delivered before Redis answers').toEqual([]);
    await until(() => got.length === 1, 10_000, '"hello" back from Redis');
    expect(got).toEqual(['hello']);
    await relay.close();
    const probe = createClient({ url: redis.url });
    await probe.connect();
    expect(await probe.publish('room:relay-test', 'after close'), 'subscribers left').toBe(0);
    await probe.close();
  });

  it('cluster-rooms.ts with REDIS_URL: a line from one worker reaches the other worker’s member', async () => {
    const { child, workerPids, alice, bob } = await startClusterRooms(env());
    await alice.say('one');
    await bob.say('two');
    // Redis sends a channel's messages to every subscriber in the order it received them.
    expect(bob.before('two')).toEqual([
      `you are on worker pid ${bob.worker}`,
      `${alice.worker}> one`,
    ]);
    await until(() => alice.lines.includes(`${bob.worker}> two`), 10_000, 'bob’s line at alice');
    alice.close();
    bob.close();
    await stopCluster(child, workerPids);
  });

  it('nickname-claim.ts: one claim wins, the heartbeat keeps it past its TTL, and it expires once it stops', async () => {
    const lines = await sample('nickname-claim.ts', env());
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^worker [12] claims alice: OK$/);
    expect(lines[1]).toMatch(/^worker [12] claims alice: taken, so alice#2: OK$/);
    expect(lines[0]?.slice(0, 8)).not.toBe(lines[1]?.slice(0, 8));
    expect(lines[2]).toBe('alice is still taken after 3000 ms');
    expect(lines[3]).toMatch(/^alice is free again \d+ ms after the last renewal \(TTL 1500 ms\)$/);
  });

  it('claim(): of 20 claims to one name at once exactly one gets a token', async () => {
    const clients = Array.from({ length: 20 }, () => createClient({ url: redis.url }));
    await Promise.all(clients.map((client) => client.connect()));
    try {
      const tokens = await Promise.all(clients.map((client) => claim(client, 'Zed', 10_000)));
      expect(tokens.filter(Boolean)).toHaveLength(1);
      // Nicknames are unique ignoring case, as in 3.1: "zed" is the same claim.
      expect(await claim(clients[0] as (typeof clients)[0], 'zed')).toBeUndefined();
    } finally {
      await clients[0]?.del('nick:zed');
      await Promise.all(clients.map((client) => client.close()));
    }
  });

  it('stream-resume.ts: pub/sub loses the lines sent while the reader was away; the stream returns all three', async () => {
    const lines = await sample('stream-resume.ts', env());
    expect(lines).toContain('pub/sub: PUBLISH reached 0 subscribers while the reader was away');
    expect(lines).toContain(
      'pub/sub: back, the reader got 0 of the 3 lines sent while it was away',
    );
    expect(lines).toContain(
      'stream: back, the reader got 3 of the 3 lines sent while it was away: line 2, line 3, line 4',
    );
  });

  it('readSince() returns each entry once, in order, however the reads are split', async () => {
    const client = createClient({ url: redis.url });
    await client.connect();
    try {
      await client.del('stream:split');
      let lastId = '0';
      const seen: string[] = [];
      for (let round = 0; round < 5; round++) {
        for (let i = 0; i < round; i++)
          await client.xAdd('stream:split', '*', { text: `${round}.${i}` });
        const read = await readSince(client, 'stream:split', lastId);
        seen.push(...read.texts);
        lastId = read.lastId;
      }
      expect(seen).toEqual(['1.0', '2.0', '2.1', '3.0', '3.1', '3.2', '4.0', '4.1', '4.2', '4.3']);
      expect((await readSince(client, 'stream:split', lastId)).texts).toEqual([]);
    } finally {
      await client.del('stream:split');
      await client.close();
    }
  });
});
