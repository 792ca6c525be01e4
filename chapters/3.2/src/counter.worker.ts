// Worker thread for 3.2.2: waits at the start line with the others, then increments.
import { arriveAndWait } from './barrier.ts';
import { type CounterMode, increment, START_LINE } from './counter.ts';
import { serve } from './serve.ts';

export interface CounterJob {
  cells: SharedArrayBuffer;
  locks: SharedArrayBuffer;
  mode: CounterMode;
  times: number;
  parties: number;
}

serve(({ cells, locks, mode, times, parties }: CounterJob) => {
  const view = new Int32Array(cells);
  arriveAndWait(view, START_LINE, parties);
  increment(view, locks, mode, times);
  return 'done';
});
