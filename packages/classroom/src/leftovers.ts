/**
 * Processes the exercise tests left running — say, a child a student's code spawned and never
 * stopped. Such a process can hold the test run's output pipes open for ever, so the grader
 * looks for them once the run has ended and stops them. They are found by the run's own marker
 * in their environment (inherited from the test process), so nothing else on the machine is
 * touched. Linux /proc only: elsewhere nothing is found, and the run ends at its exit anyway.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Stops (SIGKILL) every process whose environment holds `marker`; returns how many. */
export function stopLeftovers(marker: string): number {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return 0;
  }
  let stopped = 0;
  for (const name of names) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    let environment: string;
    try {
      environment = readFileSync(`/proc/${pid}/environ`, 'latin1');
    } catch {
      continue; // gone already, or not ours to read
    }
    if (!environment.split('\0').includes(marker)) continue;
    try {
      process.kill(pid, 'SIGKILL');
      stopped++;
    } catch {
      // it ended between the read and the kill
    }
  }
  return stopped;
}
