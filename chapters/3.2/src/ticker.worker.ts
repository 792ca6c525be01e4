// Worker thread for 3.2.1: posts "tick n" every `periodMs`, `ticks` times, then ends by itself
// (an interval that is cleared leaves the thread nothing to do, so it exits).
import { parentPort } from 'node:worker_threads';
import { workerInput } from '@course/course-kit/workers';

export interface TickerData {
  label: string;
  periodMs: number;
  ticks: number;
}

const { label, periodMs, ticks } = workerInput<TickerData>();
let count = 0;
const timer = setInterval(() => {
  count++;
  parentPort?.postMessage({ label, tick: count });
  if (count >= ticks) clearInterval(timer);
}, periodMs);
