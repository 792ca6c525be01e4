import { describe, expect, test } from 'vitest';
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
