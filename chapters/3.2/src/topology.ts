/**
 * Is hyper-threading (SMT) on? Linux tells us per logical CPU which others share its physical
 * core (`thread_siblings_list`, e.g. "0,4" or "0-1"). Elsewhere we cannot tell, and say so.
 * A virtual machine only sees what the hypervisor shows: its vCPUs may be host hyper-threads.
 */
import { readFileSync } from 'node:fs';

export type ReadText = (path: string) => string | undefined;

const readSys: ReadText = (path) => {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
};

/** "0-1,4" → 4 ids: 0, 1, 4. */
export function countCpuList(list: string): number {
  let count = 0;
  for (const part of list.split(',')) {
    const [lo, hi] = part.split('-').map(Number);
    if (lo === undefined || Number.isNaN(lo)) continue;
    count += hi === undefined || Number.isNaN(hi) ? 1 : hi - lo + 1;
  }
  return count;
}

/** One line about hardware threads per core, as the OS reports them for cpu0. */
export function describeSmt(read: ReadText = readSys): string {
  const siblings = read('/sys/devices/system/cpu/cpu0/topology/thread_siblings_list');
  if (siblings === undefined)
    return 'hyper-threading: this OS does not say (no Linux CPU topology)';
  const perCore = countCpuList(siblings);
  return perCore > 1
    ? `hyper-threading: on — cpu0 shares its core with ${perCore - 1} other logical CPU(s) (${siblings})`
    : 'hyper-threading: off as this OS sees it (1 hardware thread per core; a VM’s vCPUs may still be host hyper-threads)';
}
