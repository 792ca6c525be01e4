/** Where the course pages and the files they show live, for the docs tools and their tests. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { TableSource } from './tables.ts';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DOCS_DIR = join(REPO_ROOT, 'docs');

// Folders under docs/ that hold tooling or generated output, not pages.
const NOT_PAGES = new Set([
  'node_modules',
  'tools',
  'tables',
  'data',
  'test',
  '.vitepress',
  'public',
]);

/** Every Markdown page under docs/, as repository paths (`docs/chapter-3.1.md`). */
export function listPages(dir = DOCS_DIR): string[] {
  const pages: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!NOT_PAGES.has(entry.name)) pages.push(...listPages(join(dir, entry.name)));
    } else if (entry.name.endsWith('.md')) {
      pages.push(relative(REPO_ROOT, join(dir, entry.name)));
    }
  }
  return pages.sort();
}

/** A file's text by repository path, or undefined when it does not exist. */
export function readRepoFile(path: string): string | undefined {
  const full = join(REPO_ROOT, path);
  return existsSync(full) ? readFileSync(full, 'utf8') : undefined;
}

/** Every table source declared in docs/tables/*.ts. */
export async function loadTableSources(): Promise<TableSource[]> {
  const dir = join(DOCS_DIR, 'tables');
  const sources: TableSource[] = [];
  for (const file of readdirSync(dir)
    .filter((name) => name.endsWith('.ts'))
    .sort()) {
    const module = (await import(pathToFileURL(join(dir, file)).href)) as {
      tables?: TableSource[];
    };
    sources.push(...(module.tables ?? []));
  }
  return sources;
}

/** Where a table's last measured JSON is kept. */
export function tableDataPath(name: string): string {
  return join(DOCS_DIR, 'data', `${name}.json`);
}
