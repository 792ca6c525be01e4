/**
 * The pages themselves: every code block equals the tested file it shows, every measured table
 * equals what its sample printed, links between pages resolve, and no page tells project history.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { headingAnchors } from '../tools/anchors.ts';
import { syncCodeBlocks } from '../tools/code-blocks.ts';
import {
  listPages,
  loadTableSources,
  REPO_ROOT,
  readRepoFile,
  tableDataPath,
} from '../tools/pages.ts';
import { findTables } from '../tools/tables.ts';
import { citedTitles, namesATest, tableCitedTitles, testTitles } from '../tools/test-titles.ts';

const pages = listPages();

/** Every test file of the repository (packages, chapters, exercises, docs). */
function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}
const titles = ['packages', 'chapters', 'exercises', 'docs'].flatMap((dir) =>
  testFiles(join(REPO_ROOT, dir)).flatMap((file) => testTitles(readFileSync(file, 'utf8'))),
);

describe.each(pages)('%s', (page) => {
  const markdown = readRepoFile(page) ?? '';

  test('shows every code block exactly as the file it includes (npm run docs:sync fixes drift)', () => {
    expect(syncCodeBlocks(page, markdown, readRepoFile).problems).toEqual([]);
  });

  test('has links to pages, files and heading anchors that exist', () => {
    const broken: string[] = [];
    for (const match of markdown.matchAll(/\]\(([^)\s]+)\)/g)) {
      const link = match[1] ?? '';
      const [target = '', anchor] = link.split('#');
      if (/^[a-z]+:/i.test(target)) continue;
      const resolved =
        target === ''
          ? join(REPO_ROOT, page)
          : target.startsWith('/')
            ? join(REPO_ROOT, 'docs', target)
            : join(REPO_ROOT, dirname(page), target);
      const file = [resolved, `${resolved}.md`].find((candidate) => existsSync(candidate));
      if (file === undefined) broken.push(link);
      else if (
        anchor &&
        file.endsWith('.md') &&
        !headingAnchors(readFileSync(file, 'utf8')).includes(anchor)
      )
        broken.push(`${link} (no heading has this anchor)`);
    }
    expect(broken).toEqual([]);
  });

  test("leaves a blank line after each <summary>, so the folded answer's Markdown renders", () => {
    const cramped = markdown
      .split('\n')
      // Inline code may show the tag itself; only real tags count.
      .map((line) => line.replace(/`[^`]*`/g, ''))
      .map((line, index, lines) => ({ line, next: lines[index + 1] ?? '', number: index + 1 }))
      .filter(
        ({ line, next }) =>
          /<\/summary>/.test(line) && (!/<\/summary>\s*$/.test(line) || next.trim() !== ''),
      )
      .map(({ number }) => `${page}:${number}`);
    expect(cramped).toEqual([]);
  });

  test('cites only tests that exist, by their titles (renaming a test must update the page)', () => {
    const cited = [...citedTitles(markdown), ...tableCitedTitles(markdown)];
    expect(cited.filter((title) => !namesATest(title, titles))).toEqual([]);
  });

  test('tells the lesson, not the project history', () => {
    const history = [
      /\bthe seed\b/i,
      /\bseed (?:text|chapter|listing)s?\b/i,
      /\bsession \d/i,
      /\breviewers?\b/i,
      /\bcommit [0-9a-f]{7,}\b/i,
      /\([0-9a-f]{7}\)/,
    ];
    const found = markdown
      .split('\n')
      .map((line, index) => ({ line, number: index + 1 }))
      .filter(({ line }) => history.some((pattern) => pattern.test(line)))
      .map(({ line, number }) => `${page}:${number}: ${line.trim().slice(0, 120)}`);
    expect(found).toEqual([]);
  });
});

describe('measured tables', async () => {
  const sources = await loadTableSources();
  const marked = pages.flatMap((page) =>
    findTables(readRepoFile(page) ?? '').map((table) => ({ page, ...table })),
  );

  test('every marked table has a source in docs/tables, and every source is shown', () => {
    const names = new Set(sources.map((source) => source.name));
    expect(
      marked.filter((table) => !names.has(table.name)).map((t) => `${t.page}: ${t.name}`),
    ).toEqual([]);
    const shown = new Set(marked.map((table) => table.name));
    expect(sources.filter((source) => !shown.has(source.name)).map((s) => s.name)).toEqual([]);
  });

  test.each(marked.map((table) => [`${table.page} ${table.name}`, table] as const))(
    '%s equals what its saved measurement renders to (npm run docs:tables -- --render)',
    (_label, table) => {
      const source = sources.find((candidate) => candidate.name === table.name);
      if (!source) return; // reported by the test above
      const path = tableDataPath(table.name);
      expect(existsSync(path), `${path} is missing: run npm run docs:tables -- ${table.name}`).toBe(
        true,
      );
      const rendered = source.render(JSON.parse(readFileSync(path, 'utf8')));
      expect(table.body).toBe(rendered.trimEnd());
    },
  );
});
