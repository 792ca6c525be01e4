/**
 * `npm run new-chapter`: first its edits one by one, then the whole command run into a
 * temporary copy of the files it reads and changes (root package.json, README.md, the site's
 * reading order, tsconfig.base.json, biome.json, the docs tools and page test), with the
 * course's node_modules linked in. The chapter it makes must type-check, lint and pass its own
 * tests; its page must pass the docs' sync and page tests; the real repository is never touched.
 * Every command runs with a time limit, and the copy is removed afterwards.
 */
import { execFile } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { UsageError } from '../src/chapter.ts';
import {
  addChapterScript,
  addReadingOrderEntry,
  addReadmeRow,
  checkRequest,
  fillTemplate,
  main,
  REPO_ROOT,
  readingOrderEntry,
  tsString,
} from '../src/new-chapter.ts';

const ID = '3.9';
const TITLE = 'Game state and persistence';
const BIN = join(REPO_ROOT, 'node_modules', '.bin');
/** Each command of the end-to-end test: tsc and vitest take seconds on a busy 2-core machine. */
const COMMAND_MS = 90_000;

describe('the edits new-chapter makes', () => {
  test('adds chapter:<id> after the lower chapters and keeps every other byte of package.json', () => {
    const original = readFileSync(join(REPO_ROOT, 'package.json'), 'utf8');
    const changed = addChapterScript(original, '3.25').split('\n');
    const added = changed.findIndex((line) => line.includes('"chapter:3.25"'));
    expect(changed[added]).toBe('    "chapter:3.25": "tsx chapters/3.25/src/main.ts",');
    // Minor numbers compare as numbers: 3.25 comes after every chapter up to 3.24 (3.3 too),
    // whichever chapters the repository has today.
    const minorOf = (line: string | undefined) => Number(line?.match(/"chapter:3\.(\d+)"/)?.[1]);
    expect(minorOf(changed[added - 1])).toBeLessThan(25);
    expect(minorOf(changed[added + 1]) < 25).toBe(false);
    expect(changed.filter((_, i) => i !== added).join('\n')).toBe(original);
  });

  test('puts a chapter between two others where it belongs, in package.json and the sidebar', () => {
    const manifest = JSON.stringify({ scripts: { 'chapter:3.1': 'a', 'chapter:3.3': 'c' } });
    expect(Object.keys(JSON.parse(addChapterScript(manifest, '3.2')).scripts)).toEqual([
      'chapter:3.1',
      'chapter:3.2',
      'chapter:3.3',
    ]);
    const entry = (path: string) => ['  {', `    path: '${path}',`, "    group: 'x',", '  },'];
    const order = [
      'export const READING_ORDER = [',
      ...['chapter-3.1', 'chapter-3.1-engineering', 'chapter-3.3', 'exercises'].flatMap(entry),
      '];',
    ].join('\n');
    const paths = (source: string) => [...source.matchAll(/path: '(.+)'/g)].map((m) => m[1]);
    expect(paths(addReadingOrderEntry(order, '3.2', 'Threads'))).toEqual([
      'chapter-3.1',
      'chapter-3.1-engineering',
      'chapter-3.2',
      'chapter-3.3',
      'exercises',
    ]);
    expect(paths(addReadingOrderEntry(order, '3.0', 'Intro'))[0]).toBe('chapter-3.0');
    expect(() => addReadingOrderEntry(order, '3.3', 'Again')).toThrow(
      new UsageError('chapter 3.3 already exists: the reading order lists chapter-3.3'),
    );
  });

  test('adds the README row below the rows of lower chapters', () => {
    const readme = [
      '| Original section | Run | Doc | Exercises |',
      '| --- | --- | --- | --- |',
      '| 3.1.1 A | a | a | — |',
      '| 3.3 C | c | c | — |',
      '',
      'after',
    ].join('\n');
    expect(addReadmeRow(readme, '3.2', '| 3.2.1 B |').split('\n').slice(2, 5)).toEqual([
      '| 3.1.1 A | a | a | — |',
      '| 3.2.1 B |',
      '| 3.3 C | c | c | — |',
    ]);
    expect(() => addReadmeRow('# no table', '3.2', '| x |')).toThrow(/README.md has no table/);
  });

  test('writes titles as Biome would: quotes chosen to avoid escapes, long entries broken', () => {
    expect(tsString('Pools')).toBe("'Pools'");
    expect(tsString("Players' rooms")).toBe('"Players\' rooms"');
    expect(tsString('a "b" c\'s')).toBe("'a \"b\" c\\'s'");
    expect(readingOrderEntry('3.5', 'x'.repeat(80))).toContain('    title: {');
    expect(readingOrderEntry('3.5', 'Game state')).toContain(
      "    title: { en: '3.5 Game state', zh: '3.5 Game state' },",
    );
  });

  test.each([
    ['3', 'Title', '"3" is not a chapter id: expected two numbers like 3.5'],
    ['3.5.1', 'Title', '"3.5.1" is not a chapter id: expected two numbers like 3.5'],
    ['03.5', 'Title', '"03.5" is not a chapter id: expected two numbers like 3.5'],
    ['3.5', ' ', 'the title is empty: give one, e.g. "Game state"'],
    ['3.5', 'a | b', 'the title may not contain a control character, |, \\ or */'],
    ['3.5', 'x'.repeat(81), 'the title has 81 characters; keep it to 80'],
  ])('refuses id %j with title %j: %s', (id, title, message) => {
    expect(() => checkRequest({ root: REPO_ROOT, id, title })).toThrow(new UsageError(message));
  });

  test('refuses a template placeholder that has no value instead of writing it out', () => {
    expect(fillTemplate('{{ID}}.1', { ID: '3.5' })).toBe('3.5.1');
    expect(() => fillTemplate('{{IDD}}', { ID: '3.5' })).toThrow('{{IDD}}, which has no value');
  });
});

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end, or kills it after COMMAND_MS; never throws on a failed command. */
function runCommand(file: string, args: readonly string[], cwd: string): Promise<Ran> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' };
  // A vitest started from this one must not think it is a worker of ours.
  for (const name of Object.keys(env)) if (name.startsWith('VITEST')) delete env[name];
  return new Promise((resolve) => {
    execFile(file, [...args], { cwd, env, timeout: COMMAND_MS }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Every file under `dir` (symlinks not followed), as paths relative to it. */
function listFiles(dir: string, under = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return listFiles(path, under);
    return [relative(under, path)];
  });
}

/** The part of the repository new-chapter reads and changes, plus what checks its output. */
function copyLayout(): string {
  const root = mkdtempSync(join(tmpdir(), 'new-chapter-'));
  const copy = (path: string) => {
    mkdirSync(join(root, path, '..'), { recursive: true });
    copyFileSync(join(REPO_ROOT, path), join(root, path));
  };
  for (const path of ['package.json', 'README.md', 'tsconfig.base.json', 'biome.json']) copy(path);
  copy('.gitignore'); // biome.json reads it (vcs.useIgnoreFile)
  copy('docs/.vitepress/reading-order.ts');
  for (const tool of readdirSync(join(REPO_ROOT, 'docs/tools'))) copy(`docs/tools/${tool}`);
  copy('docs/test/pages.test.ts');
  copy('docs/vitest.config.ts');
  // The page test reads these folders; here they hold nothing but the new chapter's tests.
  for (const dir of ['docs/tables', 'packages', 'exercises']) {
    mkdirSync(join(root, dir), { recursive: true });
  }
  for (const chapter of readdirSync(join(REPO_ROOT, 'chapters'))) {
    copy(`chapters/${chapter}/package.json`);
  }
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
  return root;
}

/** The lines of the first ```text block after `heading` on a page. */
function textBlockAfter(page: string, heading: string): string {
  const from = page.indexOf(heading);
  const open = page.indexOf('```text\n', from);
  const close = page.indexOf('\n```', open);
  return page.slice(open + '```text\n'.length, close);
}

describe('npm run new-chapter, into a temporary copy of the repository', () => {
  let root = '';
  let made: Ran = { code: null, stdout: '', stderr: '' };
  const taken = [`chapters/${ID}`, `docs/chapter-${ID}.md`].filter((path) =>
    existsSync(join(REPO_ROOT, path)),
  );

  beforeAll(async () => {
    expect(taken, `the test makes chapter ${ID}; pick an id the course does not use`).toEqual([]);
    root = copyLayout();
    // The real command, from the real repository, pointed at the copy.
    made = await runCommand(
      'npm',
      ['run', '--silent', 'new-chapter', '--', ID, TITLE, '--root', root],
      REPO_ROOT,
    );
  }, COMMAND_MS);

  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  test('prints the files it made, the files it changed and the commands to run next', () => {
    expect(made.stderr).toBe('');
    expect(made.code).toBe(0);
    const lines = made.stdout.split('\n');
    expect(lines[0]).toBe(`created chapter ${ID} "${TITLE}":`);
    for (const path of [
      `chapters/${ID}/package.json`,
      `chapters/${ID}/src/chapter.ts`,
      `chapters/${ID}/src/plain/utf8-length.ts`,
      `chapters/${ID}/test/sections.test.ts`,
      `chapters/${ID}/README.md`,
      `docs/chapter-${ID}.md`,
    ]) {
      expect(lines).toContain(`  ${path}`);
      expect(existsSync(join(root, path)), path).toBe(true);
    }
    expect(made.stdout).toMatch(/^ {2}package\.json +the script chapter:3\.9$/m);
    expect(made.stdout).toContain(`  npm run chapter:${ID} -- --list`);
    expect(made.stdout).toContain('  npm install');
  });

  test('changes package.json, README.md and the reading order by one entry each', () => {
    const real = (path: string) => readFileSync(join(REPO_ROOT, path), 'utf8').split('\n');
    const copied = (path: string) => readFileSync(join(root, path), 'utf8').split('\n');
    const added = (path: string) => copied(path).filter((line) => !real(path).includes(line));
    expect(added('package.json')).toEqual([
      `    "chapter:${ID}": "tsx chapters/${ID}/src/main.ts",`,
    ]);
    expect(added('README.md')).toEqual([
      `| ${ID}.1 Characters and bytes | \`npm run chapter:${ID} -- ${ID}.1\` | [${ID}.1](docs/chapter-${ID}.md#391-characters-and-bytes) | — |`,
    ]);
    expect(added('docs/.vitepress/reading-order.ts')).toContain(`    path: 'chapter-${ID}',`);
    const manifest = JSON.parse(readFileSync(join(root, `chapters/${ID}/package.json`), 'utf8'));
    expect(manifest.name).toBe(`@course/chapter-${ID}`);
    const scripts = JSON.parse(readFileSync(join(REPO_ROOT, 'chapters/3.3/package.json'), 'utf8'))
      .scripts as Record<string, string>;
    for (const script of ['typecheck', 'lint', 'test', 'test:quick']) {
      expect(manifest.scripts[script], script).toBeDefined();
      if (script !== 'test:quick') expect(manifest.scripts[script]).toBe(scripts[script]);
    }
  });

  test(
    'makes a package that type-checks, lints clean and passes its own tests',
    async () => {
      const chapter = join(root, 'chapters', ID);
      const tsc = await runCommand(join(BIN, 'tsc'), ['-p', 'tsconfig.json'], chapter);
      expect(tsc.code, tsc.stdout + tsc.stderr).toBe(0);
      const lint = await runCommand(
        join(BIN, 'biome'),
        ['check', '--error-on-warnings', `chapters/${ID}`, 'package.json', 'docs/.vitepress'],
        root,
      );
      expect(lint.code, lint.stdout + lint.stderr).toBe(0);
      const tests = await runCommand(join(BIN, 'vitest'), ['run'], chapter);
      expect(tests.code, tests.stdout + tests.stderr).toBe(0);
      expect(tests.stdout).toMatch(/Test Files +4 passed/);
    },
    COMMAND_MS * 3,
  );

  test(
    "makes a page that the docs' sync finds in sync and the docs' page test passes",
    async () => {
      const sync = await runCommand(join(BIN, 'tsx'), ['docs/tools/sync-cli.ts'], root);
      expect(sync.code, sync.stdout + sync.stderr).toBe(0);
      expect(sync.stdout).toBe('code blocks: 0 updated\n');
      const pages = await runCommand(
        join(BIN, 'vitest'),
        ['run', 'test/pages.test.ts'],
        join(root, 'docs'),
      );
      expect(pages.code, pages.stdout + pages.stderr).toBe(0);
      // The page is the one page of the copy, so every check that ran was one of its own.
      expect(pages.stdout).toMatch(/Tests +\d+ passed/);
      expect(pages.stdout).not.toMatch(/failed|skipped/);
    },
    COMMAND_MS * 2,
  );

  test(
    'adds a root script that runs the sample section and prints what the page shows',
    async () => {
      const ran = await runCommand(
        'npm',
        ['run', '--silent', `chapter:${ID}`, '--', `${ID}.1`],
        root,
      );
      expect(ran.code, ran.stderr).toBe(0);
      const page = readFileSync(join(root, `docs/chapter-${ID}.md`), 'utf8');
      expect(ran.stdout.trimEnd()).toBe(textBlockAfter(page, '### Run the full sample'));
    },
    COMMAND_MS,
  );

  test(
    'refuses a taken id and a malformed one with one line and exit code 2, writing nothing',
    async () => {
      const before = listFiles(root).filter((path) => !path.startsWith('node_modules'));
      const packageJson = readFileSync(join(root, 'package.json'), 'utf8');
      const attempt = async (argv: string[]) => {
        const out: string[] = [];
        const err: string[] = [];
        const code = await main([...argv, '--root', root], {
          stdout: (text) => out.push(text),
          stderr: (text) => err.push(text),
        });
        return { code, out: out.join(''), err: err.join('') };
      };
      expect(await attempt([ID, 'Again'])).toEqual({
        code: 2,
        out: '',
        err: `error: chapter ${ID} already exists: chapters/${ID}\n`,
      });
      expect(await attempt(['3.3', 'Pools again'])).toEqual({
        code: 2,
        out: '',
        err: 'error: chapter 3.3 already exists: chapters/3.3\n',
      });
      expect((await attempt(['3.x', 'Title'])).err).toBe(
        'error: "3.x" is not a chapter id: expected two numbers like 3.5\n',
      );
      expect(await attempt([ID])).toEqual({
        code: 2,
        out: '',
        err: 'error: expected a chapter id and a title, e.g. 3.5 "Game state" (see --help)\n',
      });
      // The same through the real command: the exit code is the process's.
      const cli = await runCommand(
        'npm',
        ['run', '--silent', 'new-chapter', '--', 'three', TITLE, '--root', root],
        REPO_ROOT,
      );
      expect(cli).toEqual({
        code: 2,
        stdout: '',
        stderr: 'error: "three" is not a chapter id: expected two numbers like 3.5\n',
      });
      expect(listFiles(root).filter((path) => !path.startsWith('node_modules'))).toEqual(before);
      expect(readFileSync(join(root, 'package.json'), 'utf8')).toBe(packageJson);
    },
    COMMAND_MS,
  );

  test('writes nothing into the real repository', () => {
    expect(existsSync(join(REPO_ROOT, 'chapters', ID))).toBe(false);
    expect(existsSync(join(REPO_ROOT, `docs/chapter-${ID}.md`))).toBe(false);
    expect(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).not.toContain(`chapter:${ID}`);
  });
});
