/**
 * Starts chat-server.child.ts (chapter 3.1's chat server in its own process) and talks to it:
 * where it listens, how much CPU it has used, the hub's counters, and a graceful stop.
 * Every wait is bounded; a server that does not stop in time is killed.
 */
import type { CourseServerOptions } from '@course/chapter-3.1/course-server';
import { timedOut } from '@course/course-kit';
import { startWorker, type WorkerLink } from '@course/course-kit/workers';
import { LoadError } from './errors.ts';
import type { HubStats, ServerReply, ServerRequest } from './server-messages.ts';

/** tsx compiles the server's modules on start: seconds on a busy 2-core machine. */
const START_TIMEOUT_MS = 30_000;
const REPLY_TIMEOUT_MS = 5_000;
const STOP_TIMEOUT_MS = 5_000;

export type ServerProcessOptions = Pick<
  CourseServerOptions,
  'chatLimits' | 'maxConnectionsPerAddress' | 'backpressure'
>;

export interface ServerUsage {
  /** user + system CPU time of the server process since it started. */
  cpuMicros: number;
  stats: HubStats;
}

export interface ServerProcess {
  /** The chat endpoint: ws://127.0.0.1:PORT/chat */
  readonly chatUrl: string;
  readonly pid: number;
  usage(): Promise<ServerUsage>;
  /** Closes the server (its clients get 1001) and waits for the process to end. */
  stop(): Promise<void>;
}

export async function startServerProcess(
  options: ServerProcessOptions = {},
): Promise<ServerProcess> {
  let url: string | undefined;
  let stderr = '';
  const usageWaiters: ((usage: ServerUsage) => void)[] = [];
  let markExited: () => void = () => {};
  const exited = new Promise<void>((resolve) => {
    markExited = resolve;
  });
  let onReady: () => void = () => {};
  let onEarlyExit: (error: Error) => void = () => {};
  const ready = new Promise<void>((resolve, reject) => {
    onReady = resolve;
    onEarlyExit = reject;
  });

  const link: WorkerLink<ServerRequest> = startWorker<ServerReply, ServerRequest>(
    'process',
    new URL('./chat-server.child.ts', import.meta.url),
    {
      ready: () => onReady(),
      message: (reply) => {
        if (reply.type === 'listening') url = reply.url;
        else usageWaiters.shift()?.(reply);
      },
      exit: (code, signal) => {
        markExited();
        onEarlyExit(
          new LoadError(
            `the chat server process ended (${code ?? signal}) before listening: ${stderr.trim()}`,
          ),
        );
      },
    },
    { data: options, onStderr: (text) => (stderr = (stderr + text).slice(-2000)) },
  );

  const kill = async () => {
    link.kill('SIGKILL');
    await exited;
  };
  const timer = setTimeout(
    () => onEarlyExit(timedOut(START_TIMEOUT_MS, 'the chat server process to listen')),
    START_TIMEOUT_MS,
  );
  try {
    await ready;
  } catch (error) {
    await kill();
    throw error;
  } finally {
    clearTimeout(timer);
  }
  if (url === undefined) {
    await kill();
    throw new LoadError(
      'the chat server process said it was ready without saying where it listens',
    );
  }

  return {
    chatUrl: `${url}chat`,
    pid: link.id,
    usage: () =>
      new Promise<ServerUsage>((resolve, reject) => {
        if (link.exited) return reject(new LoadError('the chat server process has ended'));
        const timer = setTimeout(() => {
          const index = usageWaiters.indexOf(answer);
          if (index !== -1) usageWaiters.splice(index, 1);
          reject(timedOut(REPLY_TIMEOUT_MS, "the chat server's CPU time"));
        }, REPLY_TIMEOUT_MS);
        const answer = (usage: ServerUsage) => {
          clearTimeout(timer);
          resolve(usage);
        };
        usageWaiters.push(answer);
        link.send({ type: 'usage' });
      }),
    stop: async () => {
      if (link.exited) return;
      link.send({ type: 'stop' });
      const timer = setTimeout(() => link.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}
