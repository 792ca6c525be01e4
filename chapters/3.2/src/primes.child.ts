// Child process for 3.2.3: counts primes in the ranges it is sent, and reports the CPU time
// it used so far (a parent's process.cpuUsage() cannot see its children's).
import { countPrimesInRanges, type Range } from './primes.ts';
import { serve } from './serve.ts';

serve((ranges: Range[]) => {
  const count = countPrimesInRanges(ranges);
  const { user, system } = process.cpuUsage();
  return { count, cpuMs: (user + system) / 1000 };
});
