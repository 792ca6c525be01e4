/**
 * A real browser in the chat: Debian's Chromium driven by playwright-core (never a
 * downloaded browser). Locally the test is skipped, with a message, when Chromium is
 * missing; in CI (CI set) a missing Chromium is a failure, since .ci/run installs it.
 */
import { mkdirSync } from 'node:fs';
import { launchChromium, shouldRunBrowserTests } from '@course/course-kit/testing/chromium';
import type { HttpRequestHead } from '@course/ws-core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CourseServer, startCourseServer } from '../src/course-server.ts';
import { originalFindKey } from '../src/original-code.ts';

const RESULTS = new URL('../test-results/', import.meta.url);

describe.runIf(shouldRunBrowserTests())('the chat page in Chromium', () => {
  let server: CourseServer;
  let browser: Browser | undefined;
  const heads: HttpRequestHead[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    server = await startCourseServer({ port: 0 });
    server.server.on('connection', (_conn: unknown, head: HttpRequestHead) => heads.push(head));
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function join(nick: string): Promise<Page> {
    if (!browser) throw new Error('browser did not start');
    const page = await browser.newPage();
    page.on('pageerror', (error) => pageErrors.push(`${nick}: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(`${nick}: ${message.text()}`);
    });
    await page.goto(server.url.replace('ws:', 'http:'));
    await page.fill('#nick', nick);
    await page.click('#join');
    await page.locator('#status', { hasText: `connected as ${nick}` }).waitFor();
    return page;
  }

  const logText = async (page: Page) => (await page.locator('#log').textContent()) ?? '';

  async function say(page: Page, text: string) {
    await page.fill('#text', text);
    await page.click('#send');
  }

  async function waitForLog(page: Page, text: string) {
    await page.locator('#log li', { hasText: text }).first().waitFor();
  }

  it('lets two pages chat, and the one that stays sees the other leave', async () => {
    const alice = await join('alice');
    const bob = await join('bob');
    await waitForLog(alice, 'bob joined (2 online)');

    await say(alice, 'hello from alice');
    await waitForLog(bob, 'hello from alice');
    await say(bob, 'hi alice, 你好');
    await waitForLog(alice, 'hi alice, 你好');

    await bob.click('#leave');
    await waitForLog(alice, 'bob left: left (1 online)');
    // The server answers the page's close (1000, "left the page") by echoing the code; bob's
    // page learns it in its own time, so wait for its status rather than read it once.
    await bob
      .waitForFunction(
        "document.querySelector('#status')?.textContent === 'disconnected (1000)'",
        undefined,
        { timeout: 10_000 },
      )
      .catch(async () => {
        const status = await bob.locator('#status').textContent();
        throw new Error(`bob's page never showed "disconnected (1000)"; its status is "${status}"`);
      });

    const log = await logText(alice);
    expect(log).toContain('you joined #lobby as alice');
    expect(log.indexOf('hello from alice')).toBeLessThan(log.indexOf('hi alice, 你好'));
    mkdirSync(RESULTS, { recursive: true });
    await alice.screenshot({ path: new URL('chat-two-pages.png', RESULTS).pathname });
    expect(pageErrors, pageErrors.join('\n')).toEqual([]);
  }, 60_000);

  it('shows chat lines as text, never as HTML', async () => {
    const eve = await join('eve');
    await say(eve, '<img src=x onerror="document.title=\'owned\'">');
    await waitForLog(eve, '<img src=x');
    expect(await eve.locator('#log img').count()).toBe(0);
    expect(await eve.title()).toBe('Chapter 3.1 chat');
  }, 30_000);

  it('sends "Sec-WebSocket-Key", which the original’s exact-case lookup of "Sec-Websocket-Key" misses', () => {
    const browserHead = heads.find((head) => head.headers.get('user-agent')?.includes('Chrome'));
    expect(browserHead, 'the server saw no handshake from Chromium').toBeDefined();
    const names = browserHead?.rawHeaders.map(([name]) => name) ?? [];
    expect(names).toContain('Sec-WebSocket-Key');
    const request = [
      `GET ${browserHead?.target} HTTP/1.1`,
      ...(browserHead?.rawHeaders.map(([name, value]) => `${name}: ${value}`) ?? []),
      '',
      '',
    ].join('\r\n');
    expect(originalFindKey(request)).toBeUndefined();
  });
});
