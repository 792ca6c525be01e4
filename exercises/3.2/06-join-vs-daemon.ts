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
  // TODO 1: start the daemon — new Worker(DAEMON_SOURCE, { eval: true }) from
  //         'node:worker_threads' — and make it a daemon, so the process does not wait for it
  //         (the tests notice a program forced to end by process.exit() or terminate()).
  // TODO 2: start the job the same way with JOB_SOURCE, and join it: wait for its 'exit'
  //         event (once() from 'node:events' turns an event into a promise).
  // TODO 3: print "main: the job worker exited with code <the code 'exit' gave you>".
  console.log('main: done');
}

await main();
