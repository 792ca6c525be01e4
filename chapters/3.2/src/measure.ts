/** Timing helpers shared by the measured sections. */

export interface Timing<T> {
  value: T;
  wallMs: number;
  /** CPU time of this process — all its threads, workers included — during the run. */
  cpuMs: number;
}

export async function measure<T>(run: () => Promise<T> | T): Promise<Timing<T>> {
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  const value = await run();
  const wallMs = performance.now() - start;
  const cpu = process.cpuUsage(cpuBefore);
  return { value, wallMs, cpuMs: (cpu.user + cpu.system) / 1000 };
}

/** The p-th percentile (0–100) by nearest rank; NaN for no samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

/** Rounds for tables and JSON: enough digits to compare, no noise. */
export function round(value: number, digits = 2): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/**
 * Adds `speedup` to each row: how many times better than the row named `baseline` it did on
 * `metric` (a rate where higher is better, or a time where lower is better).
 */
export function withSpeedup<R extends { name: string }>(
  rows: readonly R[],
  baseline: string,
  metric: (row: R) => number,
  better: 'higher' | 'lower',
): Array<R & { speedup: number }> {
  const base = rows.find((r) => r.name === baseline);
  if (!base) throw new Error(`no row named "${baseline}" to compare against`);
  return rows.map((row) => {
    const ratio = better === 'higher' ? metric(row) / metric(base) : metric(base) / metric(row);
    return { ...row, speedup: round(ratio) };
  });
}
