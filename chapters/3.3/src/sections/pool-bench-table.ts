/** The pools benchmark's row and table, shared by `npm run bench` and section 3.3.3. */
import { formatTable } from '@course/course-kit';

export interface PoolBenchRow {
  name: string;
  tinyTasksPerSec: number;
  /** Tiny-task rate divided by piscina's in the same run. */
  tinyVsPiscina: number;
  cpuMs: number;
  /** One thread's time for the same ~1 ms tasks divided by this variant's time. */
  cpuSpeedup: number;
  /** Speedup divided by raw worker_threads' speedup in the same run. */
  cpuVsRawThreads: number;
}

export function formatPoolBench(rows: readonly PoolBenchRow[]): string {
  return formatTable(
    ['variant', 'tiny tasks/s', '× piscina', '1 ms tasks: ms', 'speedup', '× raw threads'],
    rows.map((r) => [
      r.name,
      r.tinyTasksPerSec,
      r.tinyVsPiscina.toFixed(2),
      r.cpuMs.toFixed(0),
      r.cpuSpeedup.toFixed(2),
      r.cpuVsRawThreads.toFixed(2),
    ]),
  );
}
