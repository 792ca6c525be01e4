/**
 * 3.3.1 A tiny worker_threads pool — the whole idea of a pool in a few dozen lines.
 * Shows:  a queue of tasks, a list of ready workers, answers matched to tasks by id; a task
 *         that throws fails alone; a worker that dies fails only the task it was running;
 *         a worker script that cannot even load stops the pool instead of respawning for ever.
 * Run:    npx tsx chapters/3.3/src/plain/tiny-pool.ts
 * Expect: "fib(25..34) on 2 threads: 75025 121393 … 5702887", a RangeError for fib(99), and
 *         "gave up after 4 starts" for a script that does not exist.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

// #region pool
/**
 * Workers that die before they are ready this many times in a row make the pool give up.
 * One such death can be bad luck (memory ran out, something killed the thread). Several in a
 * row mean the script itself cannot load — a missing file, a syntax error, a throw at import —
 * and every replacement will die the same way: respawning would spin for ever, several
 * threads a second, and the real error would never reach anyone.
 */
export const MAX_START_FAILURES = 3;

/**
 * Ending a thread while V8 is still evaluating its script can crash the whole process
 * (nodejs/node#53238), so terminate() first lets a loading worker finish: it says it is ready
 * or dies by itself. A script that hangs while loading is ended anyway after this long.
 */
export const LOAD_GRACE_MS = 5_000;

interface Task {
  id: number;
  input: unknown;
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/** A worker says { ready: true } once its script has loaded; then { id, value } or { id, error }. */
type Reply = { ready: true } | { id: number; value?: unknown; error?: string };

export class TinyPool {
  private readonly queue: Task[] = []; // submitted, waiting for a worker
  private readonly idle: Worker[] = []; // ready, waiting for a task
  private readonly running = new Map<Worker, Task>(); // who runs what (to blame a crash)
  // every live worker, and a promise that settles once it has loaded (or died trying)
  private readonly workers = new Map<Worker, Promise<void>>();
  private nextId = 0;
  private startFailures = 0; // workers in a row that died before they were ready
  private stopped: Error | undefined; // why run() refuses: terminate(), or a script that won't load
  private starts = 0;

  constructor(
    private readonly script: URL,
    size: number,
  ) {
    for (let i = 0; i < size; i++) this.startWorker();
  }

  /** How many workers were started, replacements included. */
  get started(): number {
    return this.starts;
  }

  run(input: unknown): Promise<unknown> {
    if (this.stopped) return Promise.reject(this.stopped);
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, input, resolve, reject });
      this.dispatch();
    });
  }

  /** Python's terminate(): fails the queued tasks and ends every worker (running tasks fail too). */
  async terminate(): Promise<void> {
    this.stop(new Error('the pool is terminated'));
    const ending = [...this.workers].map(async ([worker, loaded]) => {
      await Promise.race([loaded, sleep(LOAD_GRACE_MS, undefined, { ref: false })]);
      await worker.terminate();
    });
    await Promise.all(ending);
  }

  private stop(reason: Error): void {
    this.stopped ??= reason;
    for (const task of this.queue.splice(0)) task.reject(reason);
  }

  /** Pairs waiting tasks with ready workers, one task per worker at a time. */
  private dispatch(): void {
    while (this.queue.length > 0 && this.idle.length > 0) {
      const task = this.queue.shift() as Task;
      const worker = this.idle.pop() as Worker;
      this.running.set(worker, task);
      worker.postMessage({ id: task.id, input: task.input });
    }
  }

  private startWorker(): void {
    const worker = new Worker(this.script);
    this.starts++;
    let loaded!: () => void;
    this.workers.set(worker, new Promise((resolve) => (loaded = resolve)));
    let ready = false;
    let crash: Error | undefined; // an uncaught exception: 'error' comes first, then 'exit'
    worker.on('message', (reply: Reply) => {
      if ('ready' in reply) {
        ready = true; // 'online' is no proof: it fires before the script is even loaded
        this.startFailures = 0;
        loaded();
      } else {
        const task = this.running.get(worker);
        if (task?.id !== reply.id) return; // not the answer we wait for from this worker
        this.running.delete(worker);
        if (reply.error === undefined) task.resolve(reply.value);
        else task.reject(new Error(reply.error));
      }
      this.idle.push(worker);
      this.dispatch();
    });
    worker.on('error', (error) => {
      crash = error;
    });
    worker.on('exit', (code) => {
      loaded();
      this.workers.delete(worker);
      const task = this.running.get(worker);
      this.running.delete(worker);
      const at = this.idle.indexOf(worker);
      if (at >= 0) this.idle.splice(at, 1);
      const why = this.stopped ? this.stopped.message : `worker exited with code ${code}`;
      task?.reject(new Error(`${why} while running task ${task.id}`, { cause: crash }));
      if (this.stopped) return;
      if (!ready && ++this.startFailures >= MAX_START_FAILURES) {
        const reason = crash?.message ?? `exit code ${code}`;
        const message = `the worker script failed to start ${MAX_START_FAILURES} times in a row (${reason})`;
        this.stop(new Error(message, { cause: crash }));
        return;
      }
      this.startWorker(); // replace it, so the pool keeps its size
    });
  }
}
// #endregion pool

export const FIB_WORKER = new URL('./fib.worker.mjs', import.meta.url);

async function main(): Promise<void> {
  const pool = new TinyPool(FIB_WORKER, 2);
  const inputs = Array.from({ length: 10 }, (_, i) => 25 + i);
  const results = await Promise.all(inputs.map((n) => pool.run(n)));
  console.log(`fib(25..34) on 2 threads: ${results.join(' ')}`);
  const failure = await pool.run(99).catch((error: Error) => error.message);
  console.log(`fib(99) failed alone: ${String(failure)}`);
  console.log(`and the pool still answers: fib(20) = ${String(await pool.run(20))}`);
  await pool.terminate();

  const broken = new TinyPool(new URL('./no-such.worker.mjs', import.meta.url), 2);
  const refused = await broken.run(20).catch((error: Error) => error);
  console.log(`a missing worker script: gave up after ${broken.started} starts`);
  console.log(`  ${String(refused)}`);
  await broken.terminate();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
