// Worker for join-or-unref.ts: posts `ticks` numbered ticks, one every `periodMs`, then ends
// (with no timer left, the thread has nothing to do and exits by itself).
import { parentPort, workerData } from 'node:worker_threads';

const { ticks, periodMs } = workerData as { ticks: number; periodMs: number };
let tick = 0;
const timer = setInterval(() => {
  tick += 1;
  parentPort?.postMessage(tick);
  if (tick === ticks) clearInterval(timer);
}, periodMs);
