/**
 * The plain TypeScript files the lesson shows (src/plain/): each one run as the page tells a
 * student to run it (node --import tsx, which is what `npx tsx` does), its output checked, and
 * the tiny mutex tested in-process too. Every wait is bounded; every process started is stopped.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { isRunning } from '@course/course-kit/testing/processes';
import { until, within } from '@course/course-kit/testing/waits';
import { afterEach, describe, expect, it } from 'vitest';
import { lock, lockAsync, tryLock, unlock } from '../src/plain/tiny-mutex.ts';

const PLAIN = fileURLToPath(new URL('../src/plain/', import.meta.url));
const HOLD_WORKER_LOAD = fileURLToPath(new URL('./fixtures/hold-worker-load.mjs', import.meta.url));
const run = promisify(execFile);

/** Runs a sample to its end (killed after `timeoutMs`) and returns what it printed. */
async function sample(file: string, args: string[] = [], timeoutMs = 20_000): Promise<string> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', `${PLAIN}${file}`, ...args], {
    timeout: timeoutMs,
  });
  return stdout;
}

/** A long-running sample (a server) and the lines it prints, stopped after the test. */
type Running = { child: ChildProcess; lines: string[] };
const running: Running[] = [];
afterEach(async () => {
  for (const { child } of running.splice(0)) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await within(exited, 10_000, `leftover sample pid ${child.pid} to exit`);
  }
});

/**
 * With `hold`, the sample runs with test/fixtures/hold-worker-load.mjs preloaded, configured by
 * those variables, and its stderr is piped (read it from `child.stderr`).
 */
function start(file: string, args: string[], hold?: NodeJS.ProcessEnv): Running {
  const preload = hold ? ['--import', HOLD_WORKER_LOAD] : [];
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', ...preload, `${PLAIN}${file}`, ...args],
    {
      stdio: ['ignore', 'pipe', hold ? 'pipe' : 'inherit'],
      env: { ...process.env, ...hold },
    },
  );
  const started: Running = { child, lines: [] };
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) =>
    started.lines.push(line),
  );
  running.push(started);
  return started;
}

/** Waits until `count` printed lines match `pattern`; returns their matches. */
async function linesMatching(
  { lines }: Running,
  pattern: RegExp,
  count: number,
  what: string,
): Promise<RegExpMatchArray[]> {
  const matches = () =>
    lines.map((line) => line.match(pattern)).filter((m): m is RegExpMatchArray => m !== null);
  await until(() => matches().length >= count, 20_000, what);
  return matches();
}

/** A file that does not exist yet: creating it releases the workers hold-worker-load.mjs holds. */
const releaseFiles: string[] = [];
afterEach(() => {
  for (const dir of releaseFiles.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function releaseFile(): { path: string; release: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'hold-worker-load-'));
  releaseFiles.push(dir);
  const path = join(dir, 'release');
  return { path, release: () => writeFileSync(path, '') };
}

/** Stops a sample with SIGTERM, as Ctrl-C would, and returns its exit code. */
async function stop({ child }: Running): Promise<number | null> {
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const [code] = await within(exited, 10_000, `sample pid ${child.pid} to exit after SIGTERM`);
  return code as number | null;
}

/** GET over a new connection each time (no keep-alive), so each request is a new connection. */
async function fetchText(url: string): Promise<{ status: number; body: string }> {
  const request = get(url, { agent: false });
  const [response] = await within(once(request, 'response'), 20_000, `an answer from ${url}`);
  response.setEncoding('utf8');
  let body = '';
  for await (const chunk of response) body += chunk;
  return { status: response.statusCode ?? 0, body };
}

describe('pid-and-thread.ts', () => {
  it('shows a worker thread inside the main process and a child process with a pid of its own', async () => {
    const out = await sample('pid-and-thread.ts');
    const ids = [...out.matchAll(/^(\w+ \w+): +pid (\d+), thread id (\d+)$/gm)].map((m) => ({
      who: m[1],
      pid: Number(m[2]),
      thread: Number(m[3]),
    }));
    expect(ids.map((id) => id.who)).toEqual(['main thread', 'worker thread', 'child process']);
    const [main, worker, child] = ids;
    expect(main?.thread).toBe(0);
    expect(worker?.pid).toBe(main?.pid);
    expect(worker?.thread).toBeGreaterThan(0);
    expect(child?.pid).not.toBe(main?.pid);
    expect(child?.thread).toBe(0);
  });
});

describe('join-or-unref.ts', () => {
  it('joins: prints all five ticks, then the worker’s exit code', async () => {
    expect(await sample('join-or-unref.ts')).toBe(
      'tick 1\ntick 2\ntick 3\ntick 4\ntick 5\njoined: the worker exited with code 0\n',
    );
  });

  it('with --unref ends when its main module does, without waiting for the ticks', async () => {
    const out = await sample('join-or-unref.ts', ['--unref']);
    expect(out).toContain('main module done; the process ends without waiting for the worker');
    expect(out.match(/^tick \d$/gm)?.length ?? 0).toBeLessThan(5);
  });
});

describe('tiny-mutex.ts', () => {
  const cells = () => new Int32Array(new SharedArrayBuffer(4));

  it('lets one taker in, refuses a second, and is free again after unlock', () => {
    const mutex = cells();
    expect(tryLock(mutex, 0)).toBe(true);
    expect(tryLock(mutex, 0)).toBe(false);
    unlock(mutex, 0);
    expect(tryLock(mutex, 0)).toBe(true);
  });

  it('refuses to unlock a mutex that is not locked', () => {
    expect(() => unlock(cells(), 0)).toThrow('unlock of a mutex that is not locked (cell 0)');
  });

  it('lock() on a free mutex takes it at once', () => {
    const mutex = cells();
    lock(mutex, 0);
    expect(Atomics.load(mutex, 0)).toBe(1);
  });

  it('lockAsync waits for the holder without blocking the event loop', async () => {
    const mutex = cells();
    expect(tryLock(mutex, 0)).toBe(true);
    const events: string[] = [];
    const waiting = lockAsync(mutex, 0).then(() => events.push('lockAsync took the lock'));
    // The event loop keeps turning while lockAsync waits (a blocking wait would stop it here),
    // and the waiter stays asleep through those turns, since the lock is still held.
    for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setImmediate(resolve));
    events.push('the holder unlocked');
    unlock(mutex, 0);
    await within(waiting, 5_000, 'lockAsync to take the freed lock');
    expect(events).toEqual(['the holder unlocked', 'lockAsync took the lock']);
    expect(Atomics.load(mutex, 0)).toBe(1);
  });
});

describe('lost-updates.ts', () => {
  it('counts exactly with Atomics.add and with the mutex; without a lock at most the total', async () => {
    const out = await sample('lost-updates.ts', ['20000']);
    const totals = Object.fromEntries(
      [...out.matchAll(/^(no lock|Atomics\.add|mutex) +(\d+) of 40000 \((\d+) lost\)$/gm)].map(
        (m) => [m[1], Number(m[2])],
      ),
    );
    expect(Object.keys(totals)).toEqual(['no lock', 'Atomics.add', 'mutex']);
    expect(totals['Atomics.add']).toBe(40_000);
    expect(totals.mutex).toBe(40_000);
    expect(totals['no lock']).toBeLessThanOrEqual(40_000);
  });
});

describe('promise-all-vs-workers.ts', () => {
  it('gets the same count three ways, and Promise.all runs one lane after the other', async () => {
    const out = await sample('promise-all-vs-workers.ts', ['200000']);
    const counts = [...out.matchAll(/^(.+?) +(\d+) primes in \d+ ms$/gm)].map((m) => [
      m[1],
      Number(m[2]),
    ]);
    expect(counts).toEqual([
      ['one after another', 17_984], // π(200000)
      ['Promise.all', 17_984],
      ['2 worker threads', 17_984],
    ]);
    expect(out).toContain('Promise.all order: start 1, end 1, start 2, end 2\n');
  });

  it('when one worker fails to start, lets the other finish loading before ending it', async () => {
    const hold = releaseFile();
    const run = start('promise-all-vs-workers.ts', ['200000'], {
      HOLD_WORKER_LOAD: hold.path,
      HOLD_WORKER_FAIL_FIRST: '1',
    });
    let stderr = '';
    run.child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const closed = once(run.child, 'close');
    await linesMatching(run, /^worker error handled$/, 1, 'the sample to hear one worker fail');
    hold.release();
    const [code] = await within(closed, 30_000, 'the sample to exit');
    // Ended as soon as its sibling failed, the held worker would never have been released.
    expect(run.lines).toContain('worker released');
    expect(code).toBe(1);
    expect(stderr).toContain('this worker failed while loading');
  });
});

describe('fork-queue.ts', () => {
  it('gets the child’s item, then joins the child, which exits with 0', async () => {
    const out = await sample('fork-queue.ts');
    const match = out.match(
      /^parent \(pid (\d+)\) got \[4031,1024,"my data"\] from child pid (\d+); the child exited with code 0$/m,
    );
    expect(match, out).not.toBeNull();
    expect(match?.[2]).not.toBe(match?.[1]);
  });
});

describe('socket-to-child.ts', () => {
  it('sends an accepted socket to a child, which answers on it; postMessage refuses it', async () => {
    const out = await sample('socket-to-child.ts');
    expect(out).toContain('postMessage(socket): DataCloneError\n');
    const match = out.match(/^parent pid (\d+); the client read: served by child pid (\d+)$/m);
    expect(match, out).not.toBeNull();
    expect(match?.[2]).not.toBe(match?.[1]);
  });
});

describe('offload-server.ts', () => {
  it('answers a ping while a count runs on its worker, refuses bad input, and stops on SIGTERM', async () => {
    const server = start('offload-server.ts', ['0']);
    const [listening] = await linesMatching(
      server,
      /^listening on (http:\/\/127\.0\.0\.1:\d+)$/,
      1,
      'the offload server to listen',
    );
    const base = listening?.[1] as string;

    // The order of the answers is the proof: the count keeps the worker busy for seconds, and
    // the ping, sent after it, comes back first because the event loop is free.
    const answered: string[] = [];
    const count = fetchText(`${base}/primes?below=5000000`).then((answer) => {
      answered.push('count');
      return answer;
    });
    expect(await fetchText(`${base}/ping`)).toEqual({ status: 200, body: 'pong\n' });
    answered.push('ping');
    expect(await within(count, 30_000, 'the count of primes below 5000000')).toEqual({
      status: 200,
      body: '348513\n',
    });
    expect(answered).toEqual(['ping', 'count']);

    expect(await fetchText(`${base}/primes?below=1000&on=main`)).toEqual({
      status: 200,
      body: '168\n',
    });
    for (const bad of ['below=abc', 'below=1', 'below=2.5', 'below=50000001', ''])
      expect((await fetchText(`${base}/primes?${bad}`)).status, bad).toBe(400);
    expect((await fetchText(`${base}/nowhere`)).status).toBe(404);

    expect(await stop(server)).toBe(0);
  });

  it('on SIGTERM, lets a worker that is still loading finish loading before ending it', async () => {
    const hold = releaseFile();
    const server = start('offload-server.ts', ['0'], { HOLD_WORKER_LOAD: hold.path });
    await linesMatching(server, /^listening on /, 1, 'the offload server to listen');
    const closed = once(server.child, 'close');
    server.child.kill('SIGTERM');
    await linesMatching(server, /^SIGTERM handled$/, 1, 'the sample to handle SIGTERM');
    hold.release();
    const [code] = await within(closed, 30_000, 'the sample to exit after SIGTERM');
    // Terminated at SIGTERM, the held worker would never have been released.
    expect(server.lines).toContain('worker released');
    expect(code).toBe(0);
  });
});

describe('cluster-server.ts', () => {
  it('serves one port from two processes, replaces a worker that dies, and stops them all', async () => {
    const primary = start('cluster-server.ts', ['0', '2']);
    const pattern = /^worker pid (\d+) listening on (http:\/\/127\.0\.0\.1:\d+)$/;
    const first = await linesMatching(primary, pattern, 2, 'two cluster workers to listen');
    const pids = first.map((m) => Number(m[1]));
    // listen(0) in a cluster: every worker gets the same port, which the primary owns.
    const urls = new Set(first.map((m) => m[2]));
    expect(urls.size).toBe(1);
    const [url] = [...urls] as [string];

    // The primary hands connections out round-robin: both workers answer.
    const servedBy = new Set<number>();
    for (let i = 0; i < 20 && servedBy.size < 2; i++) {
      const { body } = await fetchText(url);
      servedBy.add(Number(body.match(/^served by pid (\d+)\n$/)?.[1]));
    }
    expect([...servedBy].sort()).toEqual([...pids].sort());

    // Kill one worker: the primary starts another, and the port keeps answering.
    process.kill(pids[0] as number, 'SIGKILL');
    const after = await linesMatching(primary, pattern, 3, 'a replacement worker to listen');
    expect(primary.lines).toContain(`worker pid ${pids[0]} died (SIGKILL); starting another`);
    const replacement = Number(after[2]?.[1]);
    expect(pids).not.toContain(replacement);
    expect((await fetchText(url)).body).toMatch(/^served by pid \d+\n$/);

    expect(await stop(primary)).toBe(0);
    await until(
      () => ![pids[1] as number, replacement].some(isRunning),
      10_000,
      'the cluster workers to exit with their primary',
    );
  });
});
