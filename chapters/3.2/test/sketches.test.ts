/**
 * The Python 3 sketches the lesson shows (chapters/3.2/sketches/): each one run for real and its
 * output checked; the server sketch is started on a free loopback port, talked to by two
 * clients at once and stopped. No timing is asserted: the sketches print times for a reader to
 * compare, and a shared machine makes them noisy. Skipped, with the reason, without python3.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { hasPython3, sketchRunner } from '@course/course-kit/testing/python';
import { until, within } from '@course/course-kit/testing/waits';
import { afterEach, describe, expect, it } from 'vitest';

const SKETCHES = fileURLToPath(new URL('../sketches/', import.meta.url));
const hasPython = hasPython3('sketches.test.ts');
const sketch = sketchRunner(SKETCHES);

describe.skipIf(!hasPython)('Python sketches (python3)', () => {
  it('join_daemon.py: join waits, a daemon thread is not waited for, and neither is not a hang', async () => {
    const ticks = 'tick 1\ntick 2\ntick 3\ntick 4\ntick 5\n';
    expect(await sketch('join_daemon.py', ['join'])).toBe(`${ticks}joined\n`);
    expect(await sketch('join_daemon.py', ['neither'])).toBe(`main done\n${ticks}`);
    const daemon = await sketch('join_daemon.py', ['daemon']);
    expect(daemon.startsWith('main done\n')).toBe(true);
    expect(daemon.match(/^tick \d$/gm)?.length ?? 0).toBeLessThan(5);
  });

  it('lock_counter.py: exact with a lock, never more without one; the original’s program ends at 21', async () => {
    const out = await sketch('lock_counter.py');
    const unlocked = Number(out.match(/^without a lock: (\d+) of 80000$/m)?.[1]);
    expect(unlocked).toBeLessThanOrEqual(80_000);
    expect(out).toContain('with a lock: 80000 of 80000\n');
    // Four threads, five increments each, every value 2…21 seen exactly once inside the lock.
    const rows = [...out.matchAll(/^(T\d) (\d) (\d+)$/gm)];
    expect(rows.map((m) => `${m[1]} ${m[2]}`).sort()).toEqual(
      ['T0', 'T1', 'T2', 'T3'].flatMap((t) => [0, 1, 2, 3, 4].map((x) => `${t} ${x}`)),
    );
    expect(rows.map((m) => Number(m[3])).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 2),
    );
    expect(out.endsWith('count = 21\n')).toBe(true);
  });

  it('gil_measure.py: checks every result and times each way (switch interval 5 ms)', async () => {
    const out = await sketch('gil_measure.py', ['200000']);
    expect(out).toContain('switch interval: 0.005 s\n');
    const rows = [...out.matchAll(/^ {2}(.+?) +\d+\.\d{3} s$/gm)].map((m) => m[1]);
    expect(rows).toEqual([
      'one after another',
      'two threads',
      'two processes',
      'one after another',
      'two threads',
      'one after another',
      'two threads',
    ]);
    // Each heading precedes its rows; a wrong result would have failed an assert (exit 1).
    expect(out).toMatch(/CPU-bound: my_counter\(200000\) twice\n/);
    expect(out).toMatch(/sleep\(0\.1\) twice/);
    expect(out).toMatch(/sha256 of 128 MiB twice/);
  });

  it('queue_process.py: the parent gets a copy; only the Value is shared', async () => {
    expect(await sketch('queue_process.py')).toBe(
      [
        "parent got [4031, 1024, 'my data']; the child exited with code 0",
        "parent's own list: [4031, 1024]",
        'shared Value: 1',
        '',
      ].join('\n'),
    );
  });

  describe('thread_per_connection.py', () => {
    let server: ChildProcess | undefined;
    const clients: Socket[] = [];
    afterEach(async () => {
      for (const client of clients.splice(0)) client.destroy();
      if (server && server.exitCode === null && server.signalCode === null) {
        const exited = once(server, 'exit');
        server.kill('SIGTERM');
        await within(exited, 10_000, 'the server sketch to exit');
      }
      server = undefined;
    });

    /** Connects, sends `text`, and reads one answer line. */
    async function ask(port: number, text: string): Promise<string> {
      const client = connect(port, '127.0.0.1');
      clients.push(client);
      await within(once(client, 'connect'), 10_000, 'a connection to the server sketch');
      const answer = once(createInterface({ input: client }), 'line');
      client.write(text);
      const [line] = await within(answer, 10_000, `an answer to ${JSON.stringify(text)}`);
      return line as string;
    }

    it('serves two clients at once, each on its own thread, a line split across writes intact', async () => {
      server = spawn('python3', ['thread_per_connection.py', '0'], {
        cwd: SKETCHES,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const printed: string[] = [];
      createInterface({ input: server.stdout as NodeJS.ReadableStream }).on('line', (line) =>
        printed.push(line),
      );
      const first = await until(() => printed[0], 10_000, 'the server sketch to listen');
      const port = Number(first.match(/^listening on 127\.0\.0\.1:(\d+)$/)?.[1]);
      expect(port).toBeGreaterThan(0);

      // The first client stays connected while the second is served: two threads.
      const one = await ask(port, 'hello\n');
      const two = await ask(port, 'world\n');
      const threadOf = (line: string) => line.match(/^(Thread-\d+)(?: \(serve\))?: /)?.[1];
      expect(one).toMatch(/: HELLO$/);
      expect(two).toMatch(/: WORLD$/);
      expect(threadOf(one)).toBeDefined();
      expect(threadOf(two)).toBeDefined();
      expect(threadOf(one)).not.toBe(threadOf(two));

      // A line that arrives in two reads is answered once, whole. The sketch says when a read
      // ended inside a line, so the second piece is sent only after the first was read alone.
      const client = connect(port, '127.0.0.1');
      clients.push(client);
      await within(once(client, 'connect'), 10_000, 'a third connection');
      const answer = once(createInterface({ input: client }), 'line');
      client.write('spl');
      await until(
        () => printed.some((line) => /: 3 bytes of a line so far$/.test(line)),
        10_000,
        'the server sketch to read "spl" on its own',
      );
      client.write('it\n');
      const [line] = await within(answer, 10_000, 'the answer to a split line');
      expect(line).toMatch(/: SPLIT$/);
    });
  });
});
