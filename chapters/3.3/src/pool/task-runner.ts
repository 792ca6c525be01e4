/**
 * The worker side, shared by threads and child processes: load the named module, call the
 * export, answer. Tasks run one at a time in arrival order. The pool relies on that order:
 * when a worker dies, the oldest unanswered task is the one that was running.
 */
import { describeThrown, type ParentLink, toRemoteError } from '@course/course-kit/workers';
import type { FromWorker, TaskAnswer, TaskRequest, ToWorker } from './messages.ts';

/** The link to the pool (course-kit's, thread or child alike), and what a thread adds. */
export interface WorkerPort extends ParentLink<ToWorker, FromWorker> {
  /**
   * Records the task about to run where the pool can read it after a crash. A port that
   * has this may batch answers; one without it must answer each task on its own.
   */
  markRunning?(id: number): void;
  /**
   * Called before a task module is imported and after; `beginImport` returns false when the
   * pool is about to end this worker, and the import is then never started (see thread-cells.ts).
   */
  beginImport?(): boolean;
  endImport?(): void;
}

/**
 * Batched answers leave after this many, or this often, whichever comes first: the pool
 * refills a worker at half its batch (16 by default), so eight answers keep it supplied, and
 * the time limit keeps long tasks from being held back. Batching answers, like tasks, is
 * for pools.bench.ts's tiny-task column (tasks/s, × piscina): a message costs more than a
 * tiny task does.
 */
const FLUSH_AFTER_COUNT = 8;
const FLUSH_AFTER_MS = 1;

type TaskFunction = (...args: unknown[]) => unknown;

const modules = new Map<string, Promise<void>>();
/**
 * module → export → function, filled when a module loads so later tasks skip every await:
 * for a tiny task an await costs more than the task (pools.bench.ts's tiny-task column).
 */
const resolved = new Map<string, Map<string, TaskFunction>>();

/** Settles never: the pool is ending this worker, which will not answer again. */
const NEVER = new Promise<never>(() => {});

function loadModule(url: string, port: WorkerPort): Promise<void> {
  let loading = modules.get(url);
  if (!loading) {
    if (port.beginImport?.() === false) return NEVER;
    loading = (import(url) as Promise<Record<string, unknown>>)
      .then((namespace) => {
        const functions = new Map<string, TaskFunction>();
        for (const [name, value] of Object.entries(namespace)) {
          if (typeof value === 'function') functions.set(name, value as TaskFunction);
        }
        resolved.set(url, functions);
      })
      .finally(() => port.endImport?.());
    modules.set(url, loading);
  }
  return loading;
}

async function resolveTask(request: TaskRequest, port: WorkerPort): Promise<TaskFunction> {
  await loadModule(request.module, port);
  const fn = resolved.get(request.module)?.get(request.exportName);
  if (!fn) {
    throw new TypeError(`${request.module} has no exported function "${request.exportName}"`);
  }
  return fn;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

export function serveTasks(port: WorkerPort): void {
  const backlog: TaskRequest[] = [];
  let running = false;
  let stopping = false;

  let outbox: TaskAnswer[] = [];
  let lastFlush = performance.now();

  /**
   * Posts answers. Structured clone refuses some results (a function, a symbol), and then
   * the whole message fails, synchronously. Posting the answers one by one then finds the
   * culprit, which fails alone: its batch-mates keep their answers and the worker lives.
   */
  function post(answers: TaskAnswer[]): void {
    if (answers.length === 0) return;
    try {
      port.post(answers.length === 1 ? (answers[0] as TaskAnswer) : { type: 'answers', answers });
    } catch (error) {
      if (answers.length > 1) {
        for (const each of answers) post([each]);
        return;
      }
      const [refused] = answers as [TaskAnswer];
      // A failure is plain strings, so it cannot be refused: the channel itself is gone.
      if (refused.type === 'failed') throw error;
      port.post({
        type: 'failed',
        id: refused.id,
        error: {
          name: 'DataCloneError',
          message: `its result cannot be sent back to the pool: ${describeThrown(error)}`,
        },
      });
    }
  }

  function flush(): void {
    post(outbox);
    outbox = [];
    lastFlush = performance.now();
  }

  function answer(message: TaskAnswer): void {
    if (!port.markRunning) {
      post([message]);
      return;
    }
    outbox.push(message);
    if (outbox.length >= FLUSH_AFTER_COUNT || performance.now() - lastFlush >= FLUSH_AFTER_MS) {
      flush();
    }
  }

  async function drain(): Promise<void> {
    running = true;
    lastFlush = performance.now(); // the time limit counts from the start of this batch
    // Index walk instead of shift(): a batch may hold hundreds of tiny tasks.
    for (let i = 0; i < backlog.length; i++) {
      const request = backlog[i] as TaskRequest;
      port.markRunning?.(request.id);
      try {
        let fn = resolved.get(request.module)?.get(request.exportName);
        if (!fn) {
          flush(); // about to wait: nothing finished may sit in the outbox meanwhile
          fn = await resolveTask(request, port);
        }
        let value = fn(...request.args);
        if (isThenable(value)) {
          flush();
          value = await value;
        }
        answer({ type: 'done', id: request.id, value });
      } catch (error) {
        answer({ type: 'failed', id: request.id, error: toRemoteError(error) });
      }
    }
    flush();
    port.markRunning?.(0);
    backlog.length = 0;
    running = false;
    if (stopping) port.close();
  }

  port.onMessage((message) => {
    if (message.type === 'stop') {
      stopping = true;
      if (!running) port.close();
      return;
    }
    backlog.push(...message.tasks);
    if (!running) void drain();
  });
  port.signalReady();
}
