/**
 * Measured tables on the course pages are made from a sample's `--json` output, never typed by
 * hand, so a page cannot claim what the code does not print. A page marks each table:
 *
 *   <!-- table: 3.2-gil -->
 *   | … made by `npm run docs:tables` … |
 *   <!-- /table -->
 *
 * and `docs/tables/<chapter>.ts` says which command measures it and how its JSON becomes Markdown.
 * The JSON of the last run is kept in `docs/data/<name>.json`.
 */

export interface TableSource {
  /** The name used in the page's marker and for `docs/data/<name>.json`. */
  readonly name: string;
  /** Arguments to `tsx`, from the repository root: `['chapters/3.2/src/main.ts', '3.2.3', '--json']`. */
  readonly command: readonly string[];
  /** Turns the command's parsed JSON output into a Markdown table (or a few lines around one). */
  render(json: unknown): string;
}

const TABLE_START = /^<!--\s*table:\s*([\w.-]+)\s*-->\s*$/;
const TABLE_END = /^<!--\s*\/table\s*-->\s*$/;

export interface TableBlock {
  readonly name: string;
  /** 0-based line index of the start marker. */
  readonly startLine: number;
  /** 0-based line index of the end marker. */
  readonly endLine: number;
  readonly body: string;
}

/** The marked tables of a page, in order. Throws on a start marker with no end. */
export function findTables(markdown: string): TableBlock[] {
  const lines = markdown.split('\n');
  const tables: TableBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const start = TABLE_START.exec(lines[i] ?? '');
    if (!start) continue;
    let end = i + 1;
    while (end < lines.length && !TABLE_END.test(lines[end] ?? '')) end++;
    if (end === lines.length) {
      throw new Error(
        `line ${i + 1}: "<!-- table: ${start[1]} -->" has no "<!-- /table -->" after it`,
      );
    }
    tables.push({
      name: start[1] ?? '',
      startLine: i,
      endLine: end,
      body: lines.slice(i + 1, end).join('\n'),
    });
    i = end;
  }
  return tables;
}

/** The page with the body of every table called `name` replaced by `rendered`. */
export function replaceTable(markdown: string, name: string, rendered: string): string {
  const lines = markdown.split('\n');
  for (const table of findTables(markdown).reverse()) {
    if (table.name !== name) continue;
    lines.splice(
      table.startLine + 1,
      table.endLine - table.startLine - 1,
      ...rendered.trimEnd().split('\n'),
    );
  }
  return lines.join('\n');
}

/** A Markdown table from a header row and data rows; cells are escaped for pipes. */
export function markdownTable(
  header: readonly string[],
  rows: readonly (readonly (string | number)[])[],
): string {
  const cell = (value: string | number) => String(value).replace(/\|/g, '\\|');
  const line = (cells: readonly (string | number)[]) => `| ${cells.map(cell).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
