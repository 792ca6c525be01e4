/**
 * The chat servers 3.4.6 compares, each started the same way (child processes of this one) and
 * each with a way to read its CPU time: chapter 3.1's server in one process, and chapter 3.4's
 * cluster of workers that share one port and relay every room through Redis.
 */
import type { ChatLimits } from '@course/chapter-3.1/chat/limits';
import { freePort } from '@course/course-kit/redis';
import { type ChatCluster, startChatCluster } from '../cluster/chat-cluster.ts';
import { WorkerStartError } from '../cluster/errors.ts';
import { totalCpuMicros } from './process-cpu.ts';
import type { ChatTarget } from './scale.ts';
import { startServerProcess } from './server-process.ts';

/** The pairs 3.4.6 and the bench compare, [over, under] by target name. */
export const SCALE_PAIRS = [
  ['2 workers', '1 worker'],
  ['2 workers', 'one process'],
  ['1 worker', 'one process'],
] as const;

/** The one process, then 1 and 2 workers; each pushed to `started` as it starts, for stopping. */
export async function startScaleTargets(
  redisUrl: string,
  limits: Partial<ChatLimits>,
  started: ChatTarget[],
): Promise<void> {
  started.push(await startOneProcess(limits));
  started.push(await startRedisWorkers(1, redisUrl, limits));
  started.push(await startRedisWorkers(2, redisUrl, limits));
}

export async function startOneProcess(chatLimits: Partial<ChatLimits>): Promise<ChatTarget> {
  const server = await startServerProcess({ chatLimits });
  return {
    name: 'one process',
    processes: 1,
    usesBroker: false,
    chatUrl: server.chatUrl,
    serverCpuMicros: async () => (await server.usage()).cpuMicros,
    stop: () => server.stop(),
  };
}

export async function startRedisWorkers(
  workers: number,
  redisUrl: string,
  chatLimits: Partial<ChatLimits>,
): Promise<ChatTarget> {
  const cluster = await startOnFreePort(workers, redisUrl, chatLimits);
  const pids = cluster.workers.map((worker) => worker.pid);
  return {
    name: `${workers} worker${workers === 1 ? '' : 's'}`,
    processes: workers,
    usesBroker: true,
    chatUrl: `${cluster.url}chat`,
    serverCpuMicros: () => totalCpuMicros(pids),
    stop: () => cluster.stop(),
  };
}

/** Another program may take the free port before the workers bind it: then try another. */
const PORT_ATTEMPTS = 3;

/**
 * A port of its own: the workers of every cluster this process starts listen through this
 * process (the primary), and two clusters both asking for port 0 would share one port.
 */
async function startOnFreePort(
  workers: number,
  redisUrl: string,
  chatLimits: Partial<ChatLimits>,
): Promise<ChatCluster> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort('127.0.0.1');
    try {
      return await startChatCluster({
        workers,
        port,
        relay: 'redis',
        roster: 'local',
        redisUrl,
        chatLimits,
      });
    } catch (error) {
      const taken = error instanceof WorkerStartError && error.code === 'EADDRINUSE';
      if (!taken || attempt === PORT_ATTEMPTS) throw error;
    }
  }
}
