/**
 * 3.1.4 The server — /echo, /chat and a browser page, until Ctrl-C.
 * Shows:  ws-core's raw-TCP server serving a chat room a browser can join, with
 *         nicknames, join/leave notices and backpressure for slow readers.
 * Run:    npm run chapter:3.1 -- 3.1.4 [--port 1234] [--host 127.0.0.1]   (PORT=… also works)
 * Expect: "listening on ws://127.0.0.1:1234/"; open http://127.0.0.1:1234/ in two tabs.
 */
import type { Section } from '@course/course-kit';
import { type CourseServer, startCourseServer } from '../course-server.ts';
import { explainListenError, parseListenArgs } from '../listen-args.ts';

function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) =>
    signal.addEventListener('abort', () => resolve(), { once: true }),
  );
}

export const serverSection: Section = {
  id: '3.1.4',
  title: 'The chat server',
  summary: 'serve /echo, /chat and a browser page until Ctrl-C (--host, --port, PORT)',
  options: { host: { type: 'string' }, port: { type: 'string' } },
  untilInterrupted: true,
  async run(ctx) {
    const address = parseListenArgs(ctx.args);
    let running: CourseServer;
    try {
      running = await startCourseServer({ ...address, log: (line) => ctx.say(`  ${line}`) });
    } catch (error) {
      throw explainListenError(error, address);
    }
    // Tools and tests wait for exactly this line.
    ctx.say(`listening on ${running.url}`);
    const page = running.url.replace(/^ws:/, 'http:');
    ctx.say(`  open ${page} in two browser tabs and chat; ${running.url}echo echoes`);
    ctx.say('  press Ctrl-C to stop (every client gets close code 1001, "going away")');

    await untilAborted(ctx.signal);
    const clients = running.server.connections.size;
    ctx.say(`  shutting down: closing ${clients} connection${clients === 1 ? '' : 's'} with 1001`);
    await running.close();
    ctx.say('  stopped');
    return undefined;
  },
};
