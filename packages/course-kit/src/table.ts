/** Plain-text tables and bar charts for measured sections and benchmarks. */

export type Cell = string | number;

/** Renders rows as aligned columns; numbers are right-aligned. */
export function formatTable(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const text = [header, ...rows].map((row) => row.map((cell) => String(cell)));
  const widths = header.map((_, col) => Math.max(...text.map((row) => row[col]?.length ?? 0)));
  const align = (cell: string, col: number, raw: Cell | undefined) =>
    typeof raw === 'number' ? cell.padStart(widths[col] ?? 0) : cell.padEnd(widths[col] ?? 0);
  const lines = text.map((row, r) =>
    row
      .map((cell, col) => align(cell, col, r === 0 ? undefined : rows[r - 1]?.[col]))
      .join('  ')
      .trimEnd(),
  );
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [lines[0], rule, ...lines.slice(1)].join('\n');
}

/** One bar per entry, scaled so the largest value fills `width` characters. */
export function formatBars(
  entries: readonly { label: string; value: number; note?: string }[],
  width = 40,
): string {
  const max = Math.max(...entries.map((e) => e.value), Number.MIN_VALUE);
  const labelWidth = Math.max(...entries.map((e) => e.label.length));
  return entries
    .map((e) => {
      const bar = '█'.repeat(Math.max(1, Math.round((e.value / max) * width)));
      return `${e.label.padEnd(labelWidth)} ${bar} ${e.note ?? e.value.toFixed(2)}`;
    })
    .join('\n');
}
