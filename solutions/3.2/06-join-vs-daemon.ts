/**
 * 3.2/06 — Join one worker, leave a daemon running.
 *
 * Python waits for a thread with t.join(), and does not wait at exit for a daemon thread
 * (t.daemon = True). In Node you join a worker by waiting for its 'exit' event, and
 * worker.unref() makes it a daemon: it no longer keeps the process alive. This program starts
 * a daemon worker that ticks for ever and a job worker that ends once it has seen three
 * ticks; it joins the job, prints how the job exited, and ends — with the daemon still
 * ticking. The tests run it as a program (npx tsx) and read what it prints.
 * Run:   npx tsx exercises/3.2/06-join-vs-daemon.ts
 * Check: npm run exercise -- watch   (or npm run grade -- 3.2/06)
 */
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';

// The two workers' code is given as strings: `new Worker(source, { eval: true })` runs a
// string of JavaScript (CommonJS, so `require` works) as the thread's code.

/** The daemon: prints a tick every 50 ms for ever, and announces each on a BroadcastChannel. */
export const DAEMON_SOURCE = `
const { BroadcastChannel } = require('node:worker_threads');
const ticks = new BroadcastChannel('daemon-ticks');
let tick = 0;
setInterval(() => {
  tick += 1;
  console.log('daemon: tick ' + tick);
  ticks.postMessage(tick);
}, 50);
`;

/** The job: waits for the daemon's third tick, prints one line, and ends by itself. */
export const JOB_SOURCE = `
const { BroadcastChannel } = require('node:worker_threads');
const ticks = new BroadcastChannel('daemon-ticks');
ticks.onmessage = ({ data }) => {
  if (data < 3) return;
  console.log('job: saw 3 daemon ticks');
  ticks.close(); // nothing left to wait for: the thread ends
};
`;

async function main(): Promise<void> {
  console.log('main: start');
  // 1. The daemon: started, then unref()'d, so the process may end while it still runs.
  const daemon = new Worker(DAEMON_SOURCE, { eval: true });
  daemon.unref();
  // 2. The job: joined — wait here until its thread has ended. once() rejects on 'error',
  //    so a job that throws is reported instead of waited for.
  const job = new Worker(JOB_SOURCE, { eval: true });
  const [code] = await once(job, 'exit');
  console.log(`main: the job worker exited with code ${code}`);
  console.log('main: done');
}

await main();
