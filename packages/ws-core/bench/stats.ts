/** Small statistics helpers for the benchmarks: medians, percentiles and rounding for tables. */

/** The median of `values` (mean of the middle two for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const upper = sorted[mid] ?? Number.NaN;
  return sorted.length % 2 === 1 ? upper : ((sorted[mid - 1] ?? upper) + upper) / 2;
}

/** Nearest-rank percentile (`p` in 0..100) of an already sorted array; NaN when empty. */
export function percentileSorted(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  const index = Math.min(sorted.length - 1, Math.max(0, rank - 1));
  return sorted[index] ?? Number.NaN;
}

/** Rounds to `digits` significant figures so tables stay readable without hiding magnitude. */
export function round(value: number, digits = 3): number {
  if (!Number.isFinite(value) || value === 0) return value;
  const exponent = digits - 1 - Math.floor(Math.log10(Math.abs(value)));
  // Divide by a whole power of ten for big numbers: multiplying by 0.001 leaves float dust.
  if (exponent < 0) return Math.round(value / 10 ** -exponent) * 10 ** -exponent;
  return Math.round(value * 10 ** exponent) / 10 ** exponent;
}

/** Formats a ratio as e.g. "3.41x". */
export function formatRatio(ratio: number): string {
  return Number.isFinite(ratio) ? `${ratio.toFixed(2)}x` : 'n/a';
}

/** "16 B", "1 KiB", "64 KiB", "1 MiB". */
export function formatSize(bytes: number): string {
  if (bytes >= 1 << 20 && bytes % (1 << 20) === 0) return `${bytes / (1 << 20)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} B`;
}
