/**
 * 3.3.1 A tiny worker_threads pool — the whole idea of a pool in a few dozen lines.
 * Shows:  a queue of tasks, a list of idle workers, answers matched to tasks by id; a task
 *         that throws fails alone; a worker that dies fails only the task it was running.
 * Run:    npx tsx chapters/3.3/src/plain/tiny-pool.ts
 * Expect: "fib(25..34) on 2 threads: 75025 121393 … 5702887" and a RangeError for fib(99).
 */
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

// #region pool
interface Task {
  id: number;
  input: unknown;
  resolve(value: unknown): void;
  reject(error: Error): void;
}

export class TinyPool {
  private readonly queue: Task[] = []; // submitted, waiting for a worker
  private readonly idle: Worker[] = []; // started, waiting for a task
  private readonly running = new Map<Worker, Task>(); // who runs what (to blame a crash)
  private nextId = 0;
  private closed = false;

  constructor(
    private readonly script: URL,
    size: number,
  ) {
    for (let i = 0; i < size; i++) this.startWorker();
  }

  run(input: unknown): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error('the pool is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, input, resolve, reject });
      this.dispatch();
    });
  }

  /** Fails the queued tasks and ends every worker (the running tasks fail too). */
  async close(): Promise<void> {
    this.closed = true;
    for (const task of this.queue.splice(0)) task.reject(new Error('the pool is closed'));
    await Promise.all([...this.idle, ...this.running.keys()].map((w) => w.terminate()));
  }

  /** Pairs waiting tasks with idle workers, one task per worker at a time. */
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
    worker.on('message', (reply: { id: number; value?: unknown; error?: string }) => {
      const task = this.running.get(worker);
      if (task?.id !== reply.id) return; // not the answer we wait for from this worker
      this.running.delete(worker);
      if (reply.error === undefined) task.resolve(reply.value);
      else task.reject(new Error(reply.error));
      this.idle.push(worker);
      this.dispatch();
    });
    // An uncaught exception in the worker: 'error' comes first, then 'exit'.
    worker.on('error', () => {});
    worker.on('exit', (code) => {
      const task = this.running.get(worker);
      this.running.delete(worker);
      const at = this.idle.indexOf(worker);
      if (at >= 0) this.idle.splice(at, 1);
      const why = this.closed ? 'the pool is closed' : `worker exited with code ${code}`;
      task?.reject(new Error(`${why} while running task ${task.id}`));
      if (!this.closed) this.startWorker(); // replace it, so the pool keeps its size
      this.dispatch();
    });
    this.idle.push(worker);
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
  await pool.close();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
