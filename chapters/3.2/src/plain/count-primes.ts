/**
 * The CPU-heavy job of 3.2.3 and 3.2.5's plain samples: count the primes in [from, to) by trial
 * division. Pure arithmetic, no I/O, and a known answer to check: 78,498 primes below 1,000,000.
 */
export function countPrimes(from: number, to: number): number {
  let count = 0;
  for (let n = Math.max(2, from); n < to; n++) {
    let prime = true;
    for (let d = 2; d * d <= n; d++) {
      if (n % d === 0) {
        prime = false;
        break;
      }
    }
    if (prime) count++;
  }
  return count;
}
