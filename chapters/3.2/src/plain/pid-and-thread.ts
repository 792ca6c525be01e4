/**
 * 3.2 Concepts — a thread runs inside a process; a child process is a process of its own.
 * Shows:  the main thread, a worker thread and a forked child report their pid and thread id:
 *         the worker shares the main thread's pid, the child has a pid of its own.
 * Run:    npx tsx chapters/3.2/src/plain/pid-and-thread.ts
 * Expect: three lines; the worker thread's pid equals the main thread's, the child's does not.
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { threadId, Worker } from 'node:worker_threads';

// Node 20 cannot start a .ts file as a worker: ts-worker.mjs loads it through tsx.
const TS_WORKER = new URL('./ts-worker.mjs', import.meta.url);
const WHOAMI = new URL('./whoami.ts', import.meta.url);

type Ids = { pid: number; threadId: number };

// 1. A worker thread: a new thread (and V8 isolate) in this same process.
async function askWorkerThread(): Promise<Ids> {
  const worker = new Worker(TS_WORKER, { argv: [WHOAMI.href] });
  const exited = once(worker, 'exit'); // listen before it can exit
  const [ids] = await once(worker, 'message'); // rejects if the worker emits 'error'
  await exited; // it has nothing left to do, so it ends by itself
  return ids as Ids;
}

// 2. A child process: a whole new Node process; --import tsx lets it run a .ts file.
async function askChildProcess(): Promise<Ids> {
  const child = fork(WHOAMI, { execArgv: ['--import', 'tsx'] });
  const exited = once(child, 'exit');
  const [ids] = await once(child, 'message');
  child.disconnect(); // closing the IPC channel lets the child end
  await exited;
  return ids as Ids;
}

async function main(): Promise<void> {
  console.log(`main thread:   pid ${process.pid}, thread id ${threadId}`);
  const worker = await askWorkerThread();
  console.log(`worker thread: pid ${worker.pid}, thread id ${worker.threadId}`);
  const child = await askChildProcess();
  console.log(`child process: pid ${child.pid}, thread id ${child.threadId}`);
}

await main();
