import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { tables as chapter34 } from '../tables/3.4.ts';
import { findTables, markdownTable, replaceTable } from '../tools/tables.ts';

describe('marked tables', () => {
  const page =
    'text\n<!-- table: t1 -->\n| old |\n<!-- /table -->\nmore\n<!-- table: t2 -->\n<!-- /table -->\n';

  test('finds each table with its body', () => {
    expect(findTables(page).map((t) => [t.name, t.body])).toEqual([
      ['t1', '| old |'],
      ['t2', ''],
    ]);
  });

  test('replaces only the named table', () => {
    expect(replaceTable(page, 't2', '| a |\n| --- |\n')).toBe(
      'text\n<!-- table: t1 -->\n| old |\n<!-- /table -->\nmore\n<!-- table: t2 -->\n| a |\n| --- |\n<!-- /table -->\n',
    );
  });

  test('names a table that is never closed', () => {
    expect(() => findTables('<!-- table: open -->\n| x |\n')).toThrow(
      /line 1: .*has no "<!-- \/table -->"/,
    );
  });

  test('builds a Markdown table and escapes pipes in cells', () => {
    expect(markdownTable(['a', 'b'], [[1, 'x|y']])).toBe('| a | b |\n| --- | --- |\n| 1 | x\\|y |');
  });
});

describe("3.4.6's measured table", () => {
  const source = chapter34.find((table) => table.name === '3.4-scale');
  const measured = JSON.parse(
    readFileSync(new URL('../data/3.4-scale.json', import.meta.url), 'utf8'),
  ) as { ratios: { name: string; cpuPerDelivery: number | null }[] };

  test('renders a ratio that could not be measured (null in the JSON) as n/a, and says why', () => {
    const unmeasured = {
      ...measured,
      ratios: measured.ratios.map((ratio) => ({ ...ratio, cpuPerDelivery: null })),
    };
    const rendered = source?.render(unmeasured) ?? '';
    expect(rendered).toMatch(
      /^\| 1 worker \/ one process \| \d+\.\d\d× \| \d+\.\d\d× \| n\/a \|$/m,
    );
    expect(rendered).toContain("the Redis hop's CPU per delivery was not measured");
    expect(source?.render(measured)).toMatch(/the Redis hop cost the server \d+\.\d\d× the CPU/);
  });
});
