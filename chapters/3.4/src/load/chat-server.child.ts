/**
 * Chapter 3.1's chat server in a child process of its own, for measuring: the load generator's
 * thousands of reads and JSON parses must not run on the thread being measured, nor count in
 * its CPU time. Started by server-process.ts, which sends the options and asks, over IPC, for
 * this process's CPU time and the hub's counters.
 */
import { type CourseServerOptions, startCourseServer } from '@course/chapter-3.1/course-server';
import { connectToParent, workerInput } from '@course/course-kit/workers';
import type { ServerReply, ServerRequest } from './server-messages.ts';

type Options = Pick<
  CourseServerOptions,
  'chatLimits' | 'maxConnectionsPerAddress' | 'backpressure'
>;

const parent = connectToParent<ServerRequest, ServerReply>();
const server = await startCourseServer({ ...workerInput<Options>(), port: 0 });

parent.onMessage((request) => {
  if (request.type === 'usage') {
    const { user, system } = process.cpuUsage();
    parent.post({ type: 'usage', cpuMicros: user + system, stats: { ...server.hub.stats } });
  } else if (request.type === 'stop') {
    // Clients get 1001; once the server is closed, leaving the channel ends this process.
    void server.close().finally(() => parent.close());
  }
});
parent.post({ type: 'listening', url: server.url });
parent.signalReady();
