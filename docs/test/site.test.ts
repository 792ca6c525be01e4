/**
 * The course site, built once with VitePress into a temporary folder, served from 127.0.0.1 by
 * a small static server, and read in Debian's Chromium (playwright-core; nothing downloads a
 * browser). Locally the browser tests are skipped with a message when Chromium is missing; in
 * CI that is a failure.
 *
 * The helpers that need no build (where a link points, how search cuts Chinese) are tested on
 * their own first.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { launchChromium, shouldRunBrowserTests } from '@course/course-kit/testing/chromium';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import {
  chineseStandIn,
  DOCS_DIR,
  hasChineseFile,
  publishedPages,
  READING_ORDER,
} from '../.vitepress/reading-order.ts';
import { repositoryPath, sourceLinks } from '../.vitepress/source-links.ts';
import { tokenize } from '../.vitepress/theme/search-tokenize.ts';

const BUILD_TIMEOUT_MS = 300_000;
const PAGE_TIMEOUT_MS = 60_000;
const WAIT_MS = 15_000;

describe('where a link on a page points', () => {
  test.each([
    ['ws-core.md', '../packages/ws-core/src/protocol.ts', 'packages/ws-core/src/protocol.ts'],
    ['chapter-3.3.md', '../chapters/3.3/src/sync', 'chapters/3.3/src/sync'],
    ['chapter-3.3.md', '../chapters/3.3/src/sync/', 'chapters/3.3/src/sync'],
    ['zh/ws-core.md', '../../packages/ws-core/README.md#api', 'packages/ws-core/README.md'],
    ['index.md', '../README.md', 'README.md'],
  ])('from %s, %s is the repository file %s', (page, href, path) => {
    expect(repositoryPath(page, href)).toBe(path);
  });

  test.each([
    ['index.md', 'chapter-3.1.md'],
    ['zh/glossary.md', 'chapter-3.1.md#the-opening-handshake'],
    ['zh/ws-core.md', '../ws-core.md#layers'],
    ['index.md', '/zh/glossary'],
    ['index.md', '#start'],
    ['index.md', 'https://example.com/x'],
    ['index.md', 'mailto:someone@example.com'],
    ['index.md', '../../outside-the-repository'],
  ])('from %s, %s stays a link VitePress checks (or an outside address)', (page, href) => {
    expect(repositoryPath(page, href)).toBeUndefined();
  });

  test('rewrites a link into the repository to the configured source URL, keeping its anchor', () => {
    const href = rewrite(
      'https://git.example/course/blob/main/',
      'ws-core.md',
      '../packages/ws-core/README.md#api',
    );
    expect(href).toEqual({
      tag: 'a',
      href: 'https://git.example/course/blob/main/packages/ws-core/README.md#api',
    });
  });

  test('without a source URL, a link into the repository becomes text that names the file', () => {
    expect(rewrite('', 'ws-core.md', '../packages/ws-core/src/frames.ts')).toEqual({
      tag: 'span',
      title: 'packages/ws-core/src/frames.ts (in the course repository)',
    });
    expect(rewrite('', 'zh/ws-core.md', '../../packages/ws-core')).toEqual({
      tag: 'span',
      title: 'packages/ws-core（课程仓库中的文件）',
    });
  });
});

describe('search words', () => {
  test('cuts a run of Chinese into words and leaves English as MiniSearch splits it', () => {
    expect(tokenize('WebSocket 的握手协议')).toContain('握手');
    expect(tokenize('Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=')).toEqual([
      'Sec',
      'WebSocket',
      'Accept',
      's3pPLMBiTxaQ9kYGzzhZRbK+xOo=',
    ]);
  });
});

describe('the Chinese stand-in for an untranslated page', () => {
  test('says in Chinese that the translation is coming and links the English page', () => {
    // A page the build still makes a stand-in for: one with no docs/zh/<path>.md.
    const page = READING_ORDER.find((candidate) => !hasChineseFile(candidate));
    if (!page) return; // every page is translated: no stand-in is built
    const markdown = chineseStandIn(page);
    expect(markdown).toContain(`# ${page.title.zh}`);
    expect(markdown).toContain(`](/${page.path}.md)`);
  });
});

/** Screenshots for people to look at (git-ignored: test-results/). */
const SCREENSHOTS = join(dirname(new URL(import.meta.url).pathname), '..', 'test-results');

describe.runIf(shouldRunBrowserTests())('the built site in Chromium', () => {
  const outDir = mkdtempSync(join(tmpdir(), 'course-site-'));
  let server: Server | undefined;
  let origin = '';
  let browser: Browser | undefined;
  let pages: Page[] = [];
  // Anything a page asks of a host other than our server, and anything it reports as an error.
  let outside: string[] = [];
  let pageErrors: string[] = [];

  beforeAll(async () => {
    await buildSite(outDir);
    server = await serveStatic(outDir);
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchChromium();
  }, BUILD_TIMEOUT_MS);

  afterEach(async () => {
    for (const open of pages) await open.close();
    pages = [];
    expect(outside, 'requests that left the site').toEqual([]);
    expect(pageErrors, 'errors the page reported').toEqual([]);
    outside = [];
    pageErrors = [];
  });

  afterAll(async () => {
    await browser?.close();
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((done) => server?.close(() => done()));
    }
    rmSync(outDir, { recursive: true, force: true });
  });

  async function open(path: string): Promise<Page> {
    if (!browser) throw new Error('Chromium did not start');
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    pages.push(page);
    page.setDefaultTimeout(WAIT_MS);
    page.on('request', (request) => {
      const url = request.url();
      if (!url.startsWith(origin) && !url.startsWith('data:')) outside.push(url);
    });
    page.on('pageerror', (error) => pageErrors.push(`${path}: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(`${path}: ${message.text()}`);
    });
    const response = await page.goto(origin + path);
    expect(response?.status(), `GET ${path}`).toBe(200);
    return page;
  }

  async function switchLanguage(on: Page, label: string): Promise<void> {
    const menu = on.locator('.VPNavBar .VPNavBarTranslations');
    await menu.hover();
    await menu.getByRole('link', { name: label }).click();
  }

  /**
   * Clicks the first search result and waits until its page is the one shown: VitePress
   * changes the address before it loads the page, and both home pages hold the searched words.
   * The start page is a home page (no .VPDoc); the target is a document page, and the section
   * the result's #hash names must exist on it.
   */
  async function openFirstResult(on: Page, href: string): Promise<void> {
    await on.locator('.VPLocalSearchBox .results a.result').first().click();
    const [path = '', hash] = href.split('#');
    await on.waitForURL((url) => url.pathname === path);
    await on.locator('.VPDoc .vp-doc h1').first().waitFor();
    if (hash)
      await on
        .locator(`[id="${decodeURIComponent(hash)}"]`)
        .first()
        .waitFor();
  }

  async function search(on: Page, query: string): Promise<string[]> {
    // A click that lands before the page has hydrated opens nothing, so click again (bounded)
    // until the search box is there, rather than trusting the first click.
    const input = on.locator('#localsearch-input');
    for (let attempt = 1; !(await input.isVisible()); attempt++) {
      if (attempt > 10) throw new Error('the search box did not open after 10 clicks on Search');
      await on.locator('.VPNavBar .DocSearch-Button').click();
      await input.waitFor({ timeout: 3_000 }).catch(() => {});
    }
    await input.fill(query);
    const results = on.locator('.VPLocalSearchBox .results a.result');
    await results.first().waitFor();
    return results.evaluateAll((links) => links.map((link) => link.getAttribute('href') ?? ''));
  }

  test(
    'the home page says who the course is for and shows the commands that start it',
    async () => {
      const home = await open('/');
      const text = await home.locator('#VPContent').textContent();
      for (const audience of ['Students', 'Instructors', 'Engineers'])
        expect(text).toContain(audience);
      for (const command of ['npm install', 'npm run chapter:3.1', 'npm test', 'npm run grade']) {
        expect(text).toContain(command);
      }
      const zh = await open('/zh/');
      const zhText = await zh.locator('#VPContent').textContent();
      for (const word of ['学生', '教师', '工程师', 'npm install', 'npm run chapter:3.1']) {
        expect(zhText).toContain(word);
      }
    },
    PAGE_TIMEOUT_MS,
  );

  test(
    'the sidebar lists the pages in reading order, in both languages',
    async () => {
      const published = publishedPages();
      // The chapters come first and in order, then practice, then the reference pages.
      const order = published.map((entry) => entry.path);
      const core = [
        'chapter-3.1',
        'chapter-3.2',
        'chapter-3.3',
        'exercises',
        'instructors',
        'ws-core',
        'glossary',
      ];
      expect(order.filter((path) => core.includes(path))).toEqual(core);
      for (const [prefix, start] of [
        ['/', '/chapter-3.1.html'],
        ['/zh/', '/zh/chapter-3.1.html'],
      ] as const) {
        const chapter = await open(start);
        const links = await chapter
          .locator('.VPSidebar a')
          .evaluateAll((anchors) => anchors.map((anchor) => anchor.getAttribute('href')));
        expect(links).toEqual(published.map((entry) => `${prefix}${entry.path}.html`));
      }
    },
    PAGE_TIMEOUT_MS,
  );

  test(
    'the language switch on a chapter page goes to the same page in Chinese, and back',
    async () => {
      const chapter = await open('/chapter-3.1.html');
      await switchLanguage(chapter, '简体中文');
      await chapter.waitForURL(`${origin}/zh/chapter-3.1.html`);
      await expect.poll(() => chapter.locator('html').getAttribute('lang')).toBe('zh-CN');
      expect(await chapter.locator('.vp-doc h1').textContent()).toContain(
        '3.1 从原始 TCP 实现 WebSocket 服务器',
      );
      await switchLanguage(chapter, 'English');
      await chapter.waitForURL(`${origin}/chapter-3.1.html`);
      await expect.poll(() => chapter.locator('html').getAttribute('lang')).toBe('en-US');
      expect(await chapter.locator('.vp-doc h1').textContent()).toContain('3.1');
    },
    PAGE_TIMEOUT_MS,
  );

  test.each([
    ['chapter-3.1', '314-starting-the-server'],
    ['chapter-3.2', '322-locks'],
    ['chapter-3.3', '332-coroutines'],
    ['exercises', 'grading'],
    ['capstone', 'the-protocol'],
  ])(
    'the language switch on /%s.html#%s keeps the page and the section, both ways',
    async (path, anchor) => {
      const page = await open(`/${path}.html#${anchor}`);
      const section = page.locator(`[id="${anchor}"]`);
      await section.waitFor();
      await switchLanguage(page, '简体中文');
      await page.waitForURL(`${origin}/zh/${path}.html#${anchor}`);
      await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('zh-CN');
      await section.waitFor();
      await switchLanguage(page, 'English');
      await page.waitForURL(`${origin}/${path}.html#${anchor}`);
      await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('en-US');
      await section.waitFor();
    },
    PAGE_TIMEOUT_MS,
  );

  test(
    'a folded answer renders its Markdown: inline code is <code>, no backtick is left',
    async () => {
      const chapter = await open('/chapter-3.1.html');
      const answers = chapter.locator('.vp-doc details');
      expect(await answers.count()).toBeGreaterThan(0);
      expect(await chapter.locator('.vp-doc details code').count()).toBeGreaterThan(0);
      const html = await answers.evaluateAll((all) =>
        all.map((details) => (details as unknown as { innerHTML: string }).innerHTML),
      );
      // Outside code, a backtick means Markdown that was shown instead of rendered.
      const raw = html
        .map((answer) => answer.replace(/<(pre|code)\b[\s\S]*?<\/\1>/g, '').replace(/<[^>]+>/g, ''))
        .filter((text) => text.includes('`'));
      expect(raw).toEqual([]);
    },
    PAGE_TIMEOUT_MS,
  );

  test(
    'the local search finds Sec-WebSocket-Accept and opens a page that has it',
    async () => {
      const home = await open('/');
      const hrefs = await search(home, 'Sec-WebSocket-Accept');
      expect(hrefs.length).toBeGreaterThan(0);
      expect(hrefs.every((href) => !href.startsWith('/zh/'))).toBe(true);
      await openFirstResult(home, hrefs[0] ?? '');
      expect(await home.locator('.VPDoc .vp-doc').textContent()).toContain('Sec-WebSocket-Accept');
    },
    PAGE_TIMEOUT_MS,
  );

  test(
    'the Chinese search finds a Chinese word inside a sentence and stays in Chinese',
    async () => {
      const home = await open('/zh/');
      const hrefs = await search(home, '握手');
      expect(hrefs.length).toBeGreaterThan(0);
      expect(hrefs.every((href) => href.startsWith('/zh/'))).toBe(true);
      await openFirstResult(home, hrefs[0] ?? '');
      expect(await home.locator('.VPDoc .vp-doc').textContent()).toContain('握手');
    },
    PAGE_TIMEOUT_MS,
  );

  test(
    'every page of both languages loads with no error and no request leaving the site; zh lessons are in Chinese',
    async () => {
      const lessons = new Set([
        'chapter-3.1',
        'chapter-3.2',
        'chapter-3.3',
        'exercises',
        'capstone',
      ]);
      const short: string[] = [];
      for (const entry of publishedPages()) {
        for (const prefix of ['/', '/zh/']) {
          const page = await open(`${prefix}${entry.path}.html`);
          await page.locator('.VPDoc .vp-doc h1').first().waitFor();
          if (prefix === '/zh/' && lessons.has(entry.path)) {
            // A real translation, not an English copy: most of its prose letters are Chinese.
            // Prose only: code, output and tables stay English by design.
            const text = String(
              await page.evaluate(
                "(() => { const copy = document.querySelector('.VPDoc .vp-doc').cloneNode(true); for (const el of copy.querySelectorAll('pre, code, table')) el.remove(); return copy.textContent; })()",
              ),
            );
            const han = text.match(/\p{Script=Han}/gu)?.length ?? 0;
            const latin = text.match(/[A-Za-z]/g)?.length ?? 0;
            if (han < latin)
              short.push(`${entry.path}: ${han} Chinese characters, ${latin} Latin letters`);
          }
          await page.close();
          pages = pages.filter((open) => open !== page);
        }
      }
      expect(short, 'zh lessons that read as English').toEqual([]);
    },
    PAGE_TIMEOUT_MS * 4,
  );

  test.each([
    ['mask', '/', '/chapter-3.1.html'],
    ['掩码', '/zh/', '/zh/chapter-3.1.html'],
  ])(
    'searching "%s" from %s lists the chapter 3.1 lesson (where 3.1.5 teaches masking)',
    async (query, start, lesson) => {
      const home = await open(start);
      const hrefs = await search(home, query);
      expect(hrefs.some((href) => href.startsWith(lesson))).toBe(true);
    },
    PAGE_TIMEOUT_MS,
  );

  test(
    'a zh lesson screenshot is written for a person to look at',
    async () => {
      const page = await open('/zh/chapter-3.1.html');
      await page.locator('.VPDoc .vp-doc h1').first().waitFor();
      const path = join(SCREENSHOTS, 'zh-chapter-3.1.png');
      mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path });
      expect((await stat(path)).size).toBeGreaterThan(10_000);
    },
    PAGE_TIMEOUT_MS,
  );

  test.each(['/glossary.html', '/zh/glossary.html'])(
    '%s has at least 40 terms, and every link on it reaches a page and section that exist',
    async (path) => {
      const glossary = await open(path);
      expect(
        await glossary.locator('.vp-doc .glossary table tbody tr').count(),
      ).toBeGreaterThanOrEqual(40);
      await expectLinksResolve(glossary, path);
    },
    PAGE_TIMEOUT_MS,
  );

  test(
    'the Chinese summary of ws-core links to sections of the English page that exist',
    async () => {
      const summary = await open('/zh/ws-core.html');
      const hrefs = await expectLinksResolve(summary, '/zh/ws-core.html');
      expect(hrefs.some((href) => href.startsWith('/ws-core.html#'))).toBe(true);
    },
    PAGE_TIMEOUT_MS,
  );

  test(
    'a link into the repository names the file instead of leading nowhere',
    async () => {
      const reference = await open('/ws-core.html');
      const titles = await reference
        .locator('.vp-doc .repo-file')
        .evaluateAll((spans) => spans.map((span) => span.getAttribute('title')));
      expect(titles).toContain('packages/ws-core/src/protocol.ts (in the course repository)');
      expect(await reference.locator('.vp-doc a[href*="packages/"]').count()).toBe(0);
    },
    PAGE_TIMEOUT_MS,
  );

  test(
    'every mermaid diagram on a page is drawn, English and Chinese',
    async () => {
      const failures: string[] = [];
      let expected = 0;
      let drawn = 0;
      const sources = publishedPages().flatMap((entry) => [
        { file: `${entry.path}.md`, url: `/${entry.path}.html` },
        ...(hasChineseFile(entry)
          ? [{ file: `zh/${entry.path}.md`, url: `/zh/${entry.path}.html` }]
          : []),
      ]);
      for (const { file, url } of sources) {
        const source = readFileSync(join(DOCS_DIR, file), 'utf8');
        const diagrams = source.match(/^```mermaid\s*$/gm)?.length ?? 0;
        if (diagrams === 0) continue;
        expected += diagrams;
        const withDiagrams = await open(url);
        // Each diagram ends drawn (an SVG) or refused (its source kept, the error under it).
        const finished = withDiagrams.locator('.course-diagram svg, .course-diagram-error');
        await expect.poll(() => finished.count(), { timeout: WAIT_MS }).toBe(diagrams);
        for (const error of await withDiagrams.locator('.course-diagram-error').allTextContents()) {
          failures.push(`${file}: ${error}`);
        }
        drawn += await withDiagrams.locator('.course-diagram svg').count();
      }
      expect(failures, 'diagrams mermaid could not parse').toEqual([]);
      expect(drawn).toBe(expected);
    },
    PAGE_TIMEOUT_MS * 2,
  );

  /**
   * Fetches every link of the page's content from the static server: pages must answer 200
   * and anchors must name an element of the page they point into. Returns the links' paths.
   */
  async function expectLinksResolve(on: Page, path: string): Promise<string[]> {
    const hrefs = await on
      .locator('.vp-doc a[href]')
      .evaluateAll((links) => links.map((link) => (link as unknown as { href: string }).href));
    const internal = hrefs
      .filter((href) => href.startsWith(origin))
      .map((href) => href.slice(origin.length));
    expect(internal.length).toBeGreaterThan(0);
    const broken: string[] = [];
    for (const href of new Set(internal)) {
      const [target = '', encoded] = href.split('#');
      const anchor = encoded === undefined ? undefined : decodeURIComponent(encoded);
      const response = await fetch(origin + target, { signal: AbortSignal.timeout(WAIT_MS) });
      const html = await response.text();
      if (response.status !== 200) broken.push(`${href}: HTTP ${response.status}`);
      else if (anchor && !html.includes(`id="${anchor}"`))
        broken.push(`${href}: no section "${anchor}"`);
    }
    expect(broken, `links on ${path}`).toEqual([]);
    return internal;
  }
});

/** Runs the sourceLinks rule over one link and returns what the link became. */
function rewrite(sourceUrl: string, pagePath: string, href: string): Record<string, string> {
  let rule: ((state: { env: unknown; tokens: unknown[] }) => void) | undefined;
  const md = { core: { ruler: { push: (_name: string, fn: typeof rule) => (rule = fn) } } };
  sourceLinks(md as never, { sourceUrl });
  const open = fakeToken('link_open', 'a', [['href', href]]);
  const close = fakeToken('link_close', 'a', null);
  rule?.({ env: { relativePath: pagePath }, tokens: [{ children: [open, close] }] });
  expect(close.tag).toBe(open.tag);
  return Object.fromEntries([
    ['tag', open.tag],
    ...(open.attrs ?? []).filter(([name]) => name !== 'class'),
  ]);
}

function fakeToken(type: string, tag: string, attrs: [string, string][] | null) {
  const token = {
    type,
    tag,
    attrs,
    children: null,
    attrGet: (name: string) => token.attrs?.find(([key]) => key === name)?.[1] ?? null,
    attrSet: (name: string, value: string) => {
      const found = token.attrs?.find(([key]) => key === name);
      if (found) found[1] = value;
      else token.attrs = [...(token.attrs ?? []), [name, value]];
    },
  };
  return token;
}

/** `vitepress build` of docs/ into outDir, as `npm run docs:build` does, without a source URL. */
async function buildSite(outDir: string): Promise<void> {
  const require = createRequire(join(DOCS_DIR, 'package.json'));
  const cli = join(dirname(require.resolve('vitepress/package.json')), 'bin', 'vitepress.js');
  // Not the test runner's NODE_ENV=test: VitePress builds its search index only in production.
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'production' };
  delete env.DOCS_SOURCE_URL;
  for (const name of Object.keys(env)) if (name.startsWith('VITEST')) delete env[name];
  const child = spawn(process.execPath, [cli, 'build', DOCS_DIR, '--outDir', outDir], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), BUILD_TIMEOUT_MS - 10_000);
  const code = await new Promise<number | null>((done) => child.on('close', done));
  clearTimeout(timer);
  if (code !== 0) throw new Error(`vitepress build exited with ${code}:\n${output.slice(-4000)}`);
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.woff2': 'font/woff2',
};

/** Serves the built site as a static host does: `/x/` is x/index.html, a miss is 404.html. */
async function serveStatic(root: string): Promise<Server> {
  const base = resolve(root);
  const server = createServer(async (request, response) => {
    let path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    if (path.endsWith('/')) path += 'index.html';
    const file = resolve(base, `.${path}`);
    const inside = file.startsWith(base + sep);
    if (inside && (await stat(file).catch(() => undefined))?.isFile()) {
      response.writeHead(200, {
        'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
      });
      response.end(await readFile(file));
      return;
    }
    response.writeHead(404, { 'content-type': CONTENT_TYPES['.html'] });
    response.end(await readFile(join(base, '404.html')).catch(() => 'not found'));
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  return server;
}
