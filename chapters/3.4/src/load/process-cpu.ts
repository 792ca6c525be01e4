/**
 * CPU time of other processes (a cluster's workers, redis-server) from Linux's /proc, since
 * they cannot be asked over IPC. proc(5): fields 14 and 15 of /proc/PID/stat are utime and
 * stime, "measured in clock ticks (divide by sysconf(_SC_CLK_TCK))", which is 100 on Linux.
 */
import { readFileSync } from 'node:fs';

const CLOCK_TICKS_PER_SECOND = 100;

/** user + system CPU time of `pid` in µs; undefined when it cannot be read (no /proc, gone). */
export function processCpuMicros(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may hold spaces: count from the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return Number.isFinite(ticks) ? (ticks * 1e6) / CLOCK_TICKS_PER_SECOND : undefined;
}

/** The sum over `pids`, in µs; undefined if any of them cannot be read. */
export function totalCpuMicros(pids: readonly number[]): number | undefined {
  let total = 0;
  for (const pid of pids) {
    const micros = processCpuMicros(pid);
    if (micros === undefined) return undefined;
    total += micros;
  }
  return total;
}
