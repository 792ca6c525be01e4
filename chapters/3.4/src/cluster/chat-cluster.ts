/**
 * The primary: forks N chat workers that share one port, hands each incoming connection to the
 * next worker in turn (round robin), and stops them all — gracefully, then by force.
 *
 *   const chat = await startChatCluster({ workers: 2, relay: 'local', roster: 'local' });
 *   chat.url;        // ws://127.0.0.1:PORT/ — every worker listens behind it
 *   await chat.stop();
 *
 * Node's docs (cluster, "How it works"): with SCHED_RR "the primary process listens on a port,
 * accepts new connections and distributes them across the workers in a round-robin fashion".
 * The primary only passes the socket on: everything after the accept happens in a worker.
 */
import cluster, { type Worker } from 'node:cluster';
import { WorkerStartError } from './errors.ts';
import { CONFIG_ENV, type FromWorker, type ToWorker, type WorkerConfig } from './messages.ts';

export const MAX_WORKERS = 16;
const WORKER_ENTRY = new URL('./chat-worker.mjs', import.meta.url).pathname;
/** tsx compiles each worker's modules as it starts: seconds on a busy 2-core machine. */
const START_TIMEOUT_MS = 30_000;
/** After this, a worker that has not stopped gets SIGKILL. */
const STOP_TIMEOUT_MS = 10_000;

export interface ChatClusterOptions extends Omit<WorkerConfig, 'host' | 'port'> {
  workers: number;
  host?: string;
  /** 0 (default): any free port, the same for every worker. */
  port?: number;
  /** One line per join, leave and worker event, each prefixed with the worker's number. */
  log?: (line: string) => void;
}

export interface WorkerInfo {
  /** cluster's worker id: 1, 2, … */
  readonly id: number;
  readonly pid: number;
}

export interface ChatCluster {
  /** ws://HOST:PORT/ */
  readonly url: string;
  readonly workers: readonly WorkerInfo[];
  /** Asks every worker to stop (clients get 1001), waits, and kills any that lingers. */
  stop(): Promise<void>;
}

export async function startChatCluster(options: ChatClusterOptions): Promise<ChatCluster> {
  const { workers: count, log = () => {}, host = '127.0.0.1', port = 0, ...shared } = options;
  if (!Number.isInteger(count) || count < 1 || count > MAX_WORKERS)
    throw new RangeError(`workers must be a whole number from 1 to ${MAX_WORKERS}, not ${count}`);
  // Must be set before the first fork or setupPrimary(), which freeze it.
  cluster.schedulingPolicy = cluster.SCHED_RR;
  // silent: the workers' output comes to us (kept to explain a crash), not to the terminal.
  cluster.setupPrimary({ exec: WORKER_ENTRY, args: [], execArgv: [], silent: true });
  const config: WorkerConfig = { host, port, ...shared };
  const forked = Array.from({ length: count }, () =>
    cluster.fork({ [CONFIG_ENV]: JSON.stringify(config) }),
  );
  let stopping = false;
  const stderr = new Map<Worker, string>();
  for (const worker of forked) {
    worker.process.stdout?.resume();
    worker.process.stderr?.on('data', (chunk: Buffer) => {
      stderr.set(worker, ((stderr.get(worker) ?? '') + chunk.toString()).slice(-2000));
    });
    worker.on('message', (message: FromWorker) => {
      if (message.type === 'log') log(`[worker ${worker.id}] ${message.line}`);
    });
    worker.on('exit', (code, signal) => {
      if (stopping) return;
      const said = stderr.get(worker)?.trim().split('\n').at(-1);
      log(
        `worker ${worker.id} (pid ${worker.process.pid}) exited (${signal ?? code})${said ? `: ${said}` : ''}`,
      );
    });
  }

  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopping = true;
    stopped ??= Promise.all(forked.map(stopWorker)).then(() => {});
    return stopped;
  };
  let urls: string[];
  try {
    urls = await Promise.all(forked.map((worker) => listening(worker, () => stderr.get(worker))));
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url: urls[0] ?? '',
    workers: forked.map((worker) => ({ id: worker.id, pid: worker.process.pid ?? 0 })),
    stop,
  };
}

/** Resolves with the worker's URL once it listens; rejects if it fails, exits or takes too long. */
function listening(worker: Worker, stderrOf: () => string | undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    const name = `worker ${worker.id} (pid ${worker.process.pid})`;
    const fail = (why: string, code?: string) => {
      cleanup();
      reject(new WorkerStartError(`${name} ${why}`, code));
    };
    const onMessage = (message: FromWorker) => {
      if (message.type === 'listening') {
        cleanup();
        resolve(message.url);
      } else if (message.type === 'failed') {
        fail(`could not start: ${message.message}`, message.code);
      }
    };
    const onExit = (code: number, signal: string) =>
      fail(`exited (${signal ?? code}) before listening: ${stderrOf()?.trim() ?? ''}`);
    const timer = setTimeout(
      () => fail(`did not listen within ${START_TIMEOUT_MS} ms`),
      START_TIMEOUT_MS,
    );
    const cleanup = () => {
      clearTimeout(timer);
      worker.off('message', onMessage);
      worker.off('exit', onExit);
    };
    worker.on('message', onMessage);
    worker.on('exit', onExit);
  });
}

/** Asks `worker` to stop; SIGKILL after STOP_TIMEOUT_MS. Resolves once it has exited. */
async function stopWorker(worker: Worker): Promise<void> {
  const { process: child } = worker;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  // A channel that is closing fails the send later, not here: the callback hears about it (without
  // one, Node emits 'error' on the child, which nothing listens to). Either way, SIGTERM asks the same.
  const askWithSignal = () => child.kill('SIGTERM');
  if (worker.isConnected()) {
    worker.send({ type: 'stop' } satisfies ToWorker, (error: Error | null) => {
      if (error) askWithSignal();
    });
  } else {
    askWithSignal();
  }
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}
