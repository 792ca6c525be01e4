/**
 * Test-only: a redis-server of the test's own, on 127.0.0.1 and a free port, keeping nothing
 * (`--save '' --appendonly no`, a temporary `--dir`), ready once it answers PING, and stopped —
 * process gone, folder removed — by `stop()`, or killed when the test process exits.
 *
 * The exercises' tests start Redis with it: a student's template holds course-kit but not the
 * chapters, so chapter 3.4's own launcher (with REDIS_URL, restarts and Ctrl-C handling for the
 * sections) is out of their reach. Locally a missing redis-server skips those tests with a
 * message; in CI (CI set) it is a failure, because .ci/run and the Classroom workflow install it.
 *
 *   const redis = await startTestRedis();   // redis.url is redis://127.0.0.1:PORT
 *   await redis.stop();                     // then isRunning(pid) is false
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

const HOST = '127.0.0.1';
/** A loaded CI machine can take seconds to start a process. */
const READY_TIMEOUT_MS = 15_000;
/** After SIGTERM, this long to exit before SIGKILL. */
const STOP_TIMEOUT_MS = 5_000;
/** Tries with a new port when another program took the one we picked. */
const START_ATTEMPTS = 5;

export interface TestRedis {
  /** redis://127.0.0.1:PORT */
  readonly url: string;
  readonly port: number;
  /** The server's pid, for a test to check that it is gone after stop(). */
  readonly pid: number;
  /** Stops it (SIGTERM, then SIGKILL) and removes its folder. Idempotent. */
  stop(): Promise<void>;
}

/** The redis-server on the PATH, if there is one. */
export function findRedisServer(path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter).filter(Boolean)) {
    const candidate = join(dir, 'redis-server');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

/** True when the Redis tests should run (and then fail loudly if redis-server is missing). */
export function shouldRunRedisTests(): boolean {
  if (findRedisServer() !== undefined || process.env.CI) return true;
  console.warn(
    'redis test skipped: no redis-server on the PATH (sudo apt-get install redis-server)',
  );
  return false;
}

/** Starts a redis-server and resolves once it answers PING. */
export async function startTestRedis(): Promise<TestRedis> {
  const binary = findRedisServer();
  if (binary === undefined)
    throw new Error('no redis-server on the PATH: install it (sudo apt-get install redis-server)');
  for (let attempt = 1; ; attempt++) {
    const dir = mkdtempSync(join(tmpdir(), 'course-test-redis-'));
    const port = await freePort();
    // The environment is inherited on purpose: the grader finds leftovers by a marker in it.
    const child = spawn(
      binary,
      ['--bind', HOST, '--port', String(port), '--save', '', '--appendonly', 'no', '--dir', dir],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const redis = new OwnRedis(child, port, dir);
    try {
      await redis.untilReady();
      return redis;
    } catch (error) {
      await redis.stop();
      if (!redis.portTaken() || attempt === START_ATTEMPTS) throw error;
    }
  }
}

/** A port nobody listens on now (redis-server cannot pick one: `--port 0` turns TCP off). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, HOST, () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** One inline PING (`PING\r\n`, answered `+PONG\r\n`); false on anything else or no answer. */
function pingOnce(port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: HOST, port });
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      // "-LOADING" and other errors mean "not yet"; only PONG means ready.
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}

const running = new Set<OwnRedis>();
function killAllAtExit(): void {
  for (const redis of running) redis.killNow();
}

class OwnRedis implements TestRedis {
  private output = '';
  private spawnError: Error | undefined;
  private stopping: Promise<void> | undefined;
  readonly pid: number;

  constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    private readonly dir: string,
  ) {
    this.pid = child.pid ?? 0;
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString('utf8')).slice(-2000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.once('error', (error) => {
      this.spawnError = error; // could not run it at all (untilReady says so)
    });
    if (running.size === 0) process.on('exit', killAllAtExit);
    running.add(this);
  }

  get url(): string {
    return `redis://${HOST}:${this.port}`;
  }

  portTaken(): boolean {
    return this.output.includes('Address already in use');
  }

  private exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  async untilReady(): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (this.spawnError)
        throw new Error(`could not run redis-server: ${this.spawnError.message}`);
      if (this.exited())
        throw new Error(
          `redis-server exited (${this.child.exitCode ?? this.child.signalCode}) before answering PING on port ${this.port}: ${this.output.trim()}`,
        );
      if (await pingOnce(this.port, 1000)) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(
      `redis-server did not answer PING on port ${this.port} within ${READY_TIMEOUT_MS} ms: ${this.output.trim()}`,
    );
  }

  stop(): Promise<void> {
    this.stopping ??= this.halt().finally(() => {
      rmSync(this.dir, { recursive: true, force: true });
      running.delete(this);
      if (running.size === 0) process.off('exit', killAllAtExit);
    });
    return this.stopping;
  }

  /** From an 'exit' hook, where nothing can wait. */
  killNow(): void {
    if (!this.exited()) this.child.kill('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async halt(): Promise<void> {
    if (this.exited() || this.spawnError) return;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGTERM'); // Redis shuts down without saving: it was told to keep nothing
    let timer: NodeJS.Timeout | undefined;
    const inTime = await Promise.race([
      exited.then(() => true),
      new Promise<false>((resolve) => {
        timer = setTimeout(resolve, STOP_TIMEOUT_MS, false);
      }),
    ]);
    clearTimeout(timer);
    if (!inTime) {
      this.child.kill('SIGKILL');
      await exited;
    }
  }
}
