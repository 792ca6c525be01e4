// Worker thread for 3.2.3: counts primes in the ranges it is sent.
import { countPrimesInRanges, type Range } from './primes.ts';
import { serve } from './serve.ts';

serve((ranges: Range[]) => countPrimesInRanges(ranges));
