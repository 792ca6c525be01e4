/**
 * Starts a new chapter from the course's template: a working package with one sample section,
 * its tests, a README and a lesson page stub, wired into the root scripts, the README's table
 * and the site's reading order.
 * Run:    npm run new-chapter -- 3.5 "Game state"
 * Expect: the files it created and changed, then the commands to run next; exit 2 (one line)
 *         for a malformed id or one that is taken.
 *
 * The files come from `packages/course-kit/templates/` (`chapter/` becomes `chapters/<id>/`,
 * `docs/chapter.md.tmpl` becomes `docs/chapter-<id>.md`). Placeholders, replaced everywhere:
 *
 *   {{ID}}          3.5                     {{TITLE}}       the title as typed (Markdown, comments)
 *   {{ANCHOR_ID}}   35 (for #351-… links)   {{TITLE_JSON}}  the title inside a JSON string
 *                                           {{TITLE_TS}}    the title as a TypeScript string literal
 *
 * Everything is prepared in memory and checked before the first file is written, so a refusal
 * or a repository that does not look as expected leaves nothing half-made.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { UsageError } from './chapter.ts';

/** The repository this file lives in: packages/course-kit/src/ → the root. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TEMPLATES = fileURLToPath(new URL('../templates/', import.meta.url));

/** `3.5`: a chapter and its part, each a whole number without leading zeros. */
const CHAPTER_ID = /^(0|[1-9]\d*)\.(0|[1-9]\d*)$/;
const MAX_TITLE = 80;
/** Biome's line width (biome.json): generated TypeScript must pass `biome check` as written. */
const LINE_WIDTH = 100;

export interface NewChapter {
  /** The repository root to write into (a temporary copy in the tests). */
  root: string;
  id: string;
  title: string;
}

export interface Created {
  /** Repository paths of the new files, in the order they were written. */
  files: string[];
  /** Repository paths of the files changed, with what changed in each. */
  changed: Array<{ path: string; what: string }>;
}

/** The reasons to refuse before anything is written; each is one line for the command line. */
export function checkRequest({ root, id, title }: NewChapter): void {
  if (!CHAPTER_ID.test(id)) {
    throw new UsageError(`"${id}" is not a chapter id: expected two numbers like 3.5`);
  }
  const trimmed = title.trim();
  if (trimmed === '') throw new UsageError('the title is empty: give one, e.g. "Game state"');
  if (trimmed !== title) throw new UsageError('the title starts or ends with spaces');
  if (title.length > MAX_TITLE) {
    throw new UsageError(`the title has ${title.length} characters; keep it to ${MAX_TITLE}`);
  }
  // A control character, |, \ or */ would break a README table, a string or a comment.
  if (/[\p{Cc}|\\]|\*\//u.test(title)) {
    throw new UsageError('the title may not contain a control character, |, \\ or */');
  }
  for (const taken of [`chapters/${id}`, `docs/chapter-${id}.md`]) {
    if (existsSync(join(root, taken))) {
      throw new UsageError(`chapter ${id} already exists: ${taken}`);
    }
  }
}

/** Replaces `{{NAME}}` placeholders; a name the template uses but nobody defined is a bug. */
export function fillTemplate(text: string, values: Readonly<Record<string, string>>): string {
  return text.replace(/\{\{(\w+)\}\}/g, (_match, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`the template uses {{${name}}}, which has no value`);
    return value;
  });
}

/**
 * A TypeScript string literal as Biome writes it: single quotes, unless the text holds more
 * single than double quotes.
 */
export function tsString(text: string): string {
  const singles = text.split("'").length - 1;
  const doubles = text.split('"').length - 1;
  const quote = singles > doubles ? '"' : "'";
  return `${quote}${text.replaceAll(quote, `\\${quote}`)}${quote}`;
}

/** "3.5" and "3.10" compared as numbers, part by part. */
export function compareIds(a: string, b: string): number {
  const [a1 = 0, a2 = 0] = a.split('.').map(Number);
  const [b1 = 0, b2 = 0] = b.split('.').map(Number);
  return a1 - b1 || a2 - b2;
}

/**
 * package.json with `chapter:<id>` after the chapter scripts with lower ids (or before the
 * first chapter script, or last when there is none). The rest of the file keeps its bytes.
 */
export function addChapterScript(packageJson: string, id: string): string {
  const manifest = JSON.parse(packageJson) as { scripts?: Record<string, string> };
  const entries = Object.entries(manifest.scripts ?? {});
  const name = `chapter:${id}`;
  if (entries.some(([key]) => key === name)) {
    throw new UsageError(`chapter ${id} already exists: package.json has the script "${name}"`);
  }
  const chapterAt = (key: string) => (key.startsWith('chapter:') ? key.slice(8) : undefined);
  let at = entries.findIndex(([key]) => {
    const other = chapterAt(key);
    return other !== undefined && compareIds(other, id) > 0;
  });
  if (at === -1) {
    const last = entries.findLastIndex(([key]) => chapterAt(key) !== undefined);
    at = last === -1 ? entries.length : last + 1;
  }
  entries.splice(at, 0, [name, `tsx chapters/${id}/src/main.ts`]);
  manifest.scripts = Object.fromEntries(entries);
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

const README_TABLE_HEADER = '| Original section | Run | Doc | Exercises |';

/**
 * README.md with one row for the new chapter's sample section in the table "From the original
 * chapter to this course", after the rows of lower chapters.
 */
export function addReadmeRow(readme: string, id: string, row: string): string {
  const lines = readme.split('\n');
  const header = lines.indexOf(README_TABLE_HEADER);
  if (header === -1) {
    throw new Error(`README.md has no table headed "${README_TABLE_HEADER}"`);
  }
  let at = header + 2; // below the header and its |---| line
  for (let i = at; i < lines.length && (lines[i] ?? '').startsWith('|'); i++) {
    const section = /^\|\s*(\d+\.\d+)/.exec(lines[i] ?? '')?.[1];
    if (section !== undefined && compareIds(section, id) <= 0) at = i + 1;
  }
  lines.splice(at, 0, row);
  return lines.join('\n');
}

/** The reading order's entry for a chapter, formatted as Biome formats it. */
export function readingOrderEntry(id: string, title: string): string[] {
  const en = tsString(`${id} ${title}`);
  // The Chinese title and summary are written by a translator; until then the stand-in page
  // shows the English title and says that a summary is coming.
  const zh = en;
  const oneLine = `    title: { en: ${en}, zh: ${zh} },`;
  const titleLines =
    oneLine.length <= LINE_WIDTH
      ? [oneLine]
      : ['    title: {', `      en: ${en},`, `      zh: ${zh},`, '    },'];
  return [
    '  {',
    `    path: 'chapter-${id}',`,
    "    group: 'chapters',",
    ...titleLines,
    "    zhSummary: '本章的中文简介即将补充。',",
    '  },',
  ];
}

/**
 * docs/.vitepress/reading-order.ts with the chapter's entry after the entries of lower chapters
 * (their engineering pages included), so the sidebar lists chapters in order.
 */
export function addReadingOrderEntry(source: string, id: string, title: string): string {
  if (source.includes(`path: 'chapter-${id}',`)) {
    throw new UsageError(`chapter ${id} already exists: the reading order lists chapter-${id}`);
  }
  const lines = source.split('\n');
  const chapterPath = /^ {4}path: 'chapter-(\d+\.\d+)[^']*',$/;
  let first = -1;
  let after = -1;
  for (let i = 0; i < lines.length; i++) {
    const other = chapterPath.exec(lines[i] ?? '')?.[1];
    if (other === undefined) continue;
    if (first === -1) first = i - 1; // the entry's "{" line
    if (compareIds(other, id) > 0) continue;
    const close = lines.indexOf('  },', i);
    if (close !== -1) after = close + 1;
  }
  if (first === -1) {
    throw new Error("docs/.vitepress/reading-order.ts has no entry with path: 'chapter-…'");
  }
  lines.splice(after === -1 ? first : after, 0, ...readingOrderEntry(id, title));
  return lines.join('\n');
}

function templateFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return templateFiles(path);
    return entry.name.endsWith('.tmpl') ? [path] : [];
  });
}

interface SyncResult {
  text: string;
  problems: string[];
}
type SyncCodeBlocks = (
  page: string,
  markdown: string,
  read: (path: string) => string | undefined,
) => SyncResult;

/**
 * Fills the page's include-marked code blocks from the files they name, with the docs' own
 * sync (`docs/tools/code-blocks.ts`, what `npm run docs:sync` runs), so the stub is in sync
 * from the start.
 */
async function syncPage(
  root: string,
  page: string,
  markdown: string,
  files: ReadonlyMap<string, string>,
): Promise<string> {
  const tool = pathToFileURL(join(root, 'docs', 'tools', 'code-blocks.ts')).href;
  const { syncCodeBlocks } = (await import(tool)) as { syncCodeBlocks: SyncCodeBlocks };
  const read = (path: string) => {
    const full = join(root, path);
    return files.get(path) ?? (existsSync(full) ? readFileSync(full, 'utf8') : undefined);
  };
  const { text, problems } = syncCodeBlocks(page, markdown, read);
  const broken = problems.filter((problem) => !problem.includes(': differs from '));
  if (broken.length > 0) throw new Error(`the page template: ${broken.join('; ')}`);
  return text;
}

/** Makes the chapter. Throws UsageError (nothing written) when the request must be refused. */
export async function createChapter(request: NewChapter): Promise<Created> {
  checkRequest(request);
  const { root, id, title } = request;
  const values = {
    ID: id,
    ANCHOR_ID: id.replace('.', ''),
    TITLE: title,
    TITLE_JSON: JSON.stringify(title).slice(1, -1),
    TITLE_TS: tsString(title),
  };

  const files = new Map<string, string>();
  const chapterTemplates = join(TEMPLATES, 'chapter');
  for (const template of templateFiles(chapterTemplates).sort()) {
    const path = relative(chapterTemplates, template).replace(/\.tmpl$/, '');
    files.set(`chapters/${id}/${path}`, fillTemplate(readFileSync(template, 'utf8'), values));
  }
  const page = `docs/chapter-${id}.md`;
  const pageTemplate = readFileSync(join(TEMPLATES, 'docs', 'chapter.md.tmpl'), 'utf8');
  files.set(page, await syncPage(root, page, fillTemplate(pageTemplate, values), files));

  const read = (path: string) => readFileSync(join(root, path), 'utf8');
  const row = fillTemplate(
    '| {{ID}}.1 Characters and bytes | `npm run chapter:{{ID}} -- {{ID}}.1` | [{{ID}}.1](docs/chapter-{{ID}}.md#{{ANCHOR_ID}}1-characters-and-bytes) | — |',
    values,
  );
  const changes = [
    {
      path: 'package.json',
      what: `the script chapter:${id}`,
      text: addChapterScript(read('package.json'), id),
    },
    {
      path: 'README.md',
      what: 'a row in "From the original chapter to this course"',
      text: addReadmeRow(read('README.md'), id, row),
    },
    {
      path: 'docs/.vitepress/reading-order.ts',
      what: 'the sidebar entry (its Chinese title and summary are placeholders)',
      text: addReadingOrderEntry(read('docs/.vitepress/reading-order.ts'), id, title),
    },
  ];

  // Everything is ready: only now touch the disk.
  for (const [path, text] of files) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text, { flag: 'wx' }); // never overwrite a file
  }
  for (const { path, text } of changes) writeFileSync(join(root, path), text);
  return { files: [...files.keys()], changed: changes.map(({ path, what }) => ({ path, what })) };
}

/** What the command prints after making chapter `id`. */
export function describeCreated(id: string, title: string, created: Created): string {
  const width = Math.max(...created.changed.map(({ path }) => path.length));
  return [
    `created chapter ${id} "${title}":`,
    ...created.files.map((path) => `  ${path}`),
    'changed:',
    ...created.changed.map(({ path, what }) => `  ${path.padEnd(width)}  ${what}`),
    '',
    'next:',
    '  npm install                          # registers the new workspace in package-lock.json',
    `  npm run chapter:${id} -- --list`,
    `  npm run chapter:${id} -- ${id}.1`,
    `  (cd chapters/${id} && npx tsc -p tsconfig.json && npx vitest run)`,
    '  (cd docs && npx vitest run test/pages.test.ts)',
    `then make ${id}.1 the chapter's first section, and add the others: docs/contributing.md`,
  ].join('\n');
}

const USAGE = 'usage: npm run new-chapter -- <id> "<title>"   (e.g. 3.5 "Game state")';

/** The command line; returns the exit code. */
export async function main(
  argv: readonly string[],
  io: { stdout: (text: string) => void; stderr: (text: string) => void },
): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options: { root: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
    });
    if (values.help) {
      io.stdout(`${USAGE}\n  --root <dir>   the repository to write into (default: this one)\n`);
      return 0;
    }
    const [id, title, ...extra] = positionals;
    if (id === undefined || title === undefined || extra.length > 0) {
      throw new UsageError('expected a chapter id and a title, e.g. 3.5 "Game state" (see --help)');
    }
    const created = await createChapter({ root: values.root ?? REPO_ROOT, id, title });
    io.stdout(`${describeCreated(id, title, created)}\n`);
    return 0;
  } catch (error) {
    const err = error as Error;
    // parseArgs's own errors (an unknown flag) are usage errors too.
    const usage =
      err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    io.stderr(`error: ${err.message.split('\n')[0]}\n`);
    return usage ? 2 : 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  });
}
