/**
 * One cluster worker: chapter 3.1's chat server on the port the workers share, with the roster
 * and bus its settings name (chat-parts.ts). Tells the primary where it listens, then serves
 * until the primary says stop, or is gone.
 */
import cluster from 'node:cluster';
import { ChatHub } from '@course/chapter-3.1/chat/hub';
import { type CourseServer, startCourseServer } from '@course/chapter-3.1/course-server';
import { type ChatParts, connectChatParts } from '../chat/chat-parts.ts';
import { CONFIG_ENV, type FromWorker, type ToWorker, type WorkerConfig } from './messages.ts';

const config = JSON.parse(process.env[CONFIG_ENV] ?? 'null') as WorkerConfig;
const tell = (message: FromWorker) => process.connected && process.send?.(message);
const log = (line: string) => tell({ type: 'log', line });
/** What each welcome names, so a client can say which worker it reached. */
const name = `worker ${cluster.worker?.id ?? '?'} (pid ${process.pid})`;

// A Ctrl-C in the terminal reaches every process of its group: the primary decides when we stop.
process.on('SIGINT', () => {});

let parts: ChatParts | undefined;
let server: CourseServer;
try {
  const shared = await connectChatParts(config, log);
  parts = shared;
  server = await startCourseServer({
    host: config.host,
    port: config.port,
    ...(config.chatLimits ? { chatLimits: config.chatLimits } : {}),
    log,
    createHub: (policy, hubLog) =>
      new ChatHub(policy, hubLog, undefined, {
        bus: shared.bus,
        roster: shared.roster,
        server: name,
      }),
  });
} catch (error) {
  const { message, code } = error as NodeJS.ErrnoException;
  tell({ type: 'failed', message, ...(code === undefined ? {} : { code }) });
  await parts?.close();
  process.exit(1);
}

let stopping: Promise<void> | undefined;
function stop(): Promise<void> {
  stopping ??= (async () => {
    await server.close(); // every client gets 1001, and leaves the room (and the roster)
    await parts?.close();
    process.exit(0);
  })();
  return stopping;
}
process.on('message', (message: ToWorker) => {
  if (message.type === 'stop') void stop();
});
process.on('SIGTERM', () => void stop());
process.on('disconnect', () => void stop()); // the primary is gone: nobody else will stop us
tell({ type: 'listening', url: server.url });
