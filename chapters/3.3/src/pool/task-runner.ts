/**
 * The worker side, shared by threads and child processes: load the named module, call the
 * export, answer. Tasks run one at a time in arrival order. The pool relies on that order:
 * when a worker dies, the oldest unanswered task is the one that was running.
 */
import { toRemoteError } from './errors.ts';
import type { FromWorker, TaskRequest, ToWorker } from './messages.ts';

export interface WorkerPort {
  post(message: FromWorker): void;
  onMessage(listener: (message: ToWorker) => void): void;
  /** Leave cleanly once the pool says stop. */
  exit(): void;
}

type TaskFunction = (...args: unknown[]) => unknown;

const modules = new Map<string, Promise<Record<string, unknown>>>();
/** module → export → function, filled on first use so later tasks skip every await. */
const resolved = new Map<string, Map<string, TaskFunction>>();

async function resolveTask(request: TaskRequest): Promise<TaskFunction> {
  let loading = modules.get(request.module);
  if (!loading) {
    loading = import(request.module) as Promise<Record<string, unknown>>;
    modules.set(request.module, loading);
  }
  const exported = (await loading)[request.exportName];
  if (typeof exported !== 'function') {
    throw new TypeError(`${request.module} has no exported function "${request.exportName}"`);
  }
  const byName = resolved.get(request.module) ?? new Map<string, TaskFunction>();
  resolved.set(request.module, byName);
  byName.set(request.exportName, exported as TaskFunction);
  return exported as TaskFunction;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

export function serveTasks(port: WorkerPort): void {
  const backlog: TaskRequest[] = [];
  let running = false;
  let stopping = false;

  async function drain(): Promise<void> {
    running = true;
    // Index walk instead of shift(): a batch may hold hundreds of tiny tasks.
    for (let i = 0; i < backlog.length; i++) {
      const request = backlog[i] as TaskRequest;
      try {
        const fn =
          resolved.get(request.module)?.get(request.exportName) ?? (await resolveTask(request));
        let value = fn(...request.args);
        if (isThenable(value)) value = await value;
        port.post({ type: 'done', id: request.id, value });
      } catch (error) {
        port.post({ type: 'failed', id: request.id, error: toRemoteError(error) });
      }
    }
    backlog.length = 0;
    running = false;
    if (stopping) port.exit();
  }

  port.onMessage((message) => {
    if (message.type === 'stop') {
      stopping = true;
      if (!running) port.exit();
      return;
    }
    backlog.push(...message.tasks);
    if (!running) void drain();
  });
  port.post({ type: 'ready' });
}
