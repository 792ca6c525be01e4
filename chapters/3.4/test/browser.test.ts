/**
 * A real browser in the chat across processes: Debian's Chromium (playwright-core) on one
 * worker, a ws-core client on another. Through Redis they chat both ways; with each worker's
 * local bus (3.4.2) they never see each other. The page is chapter 3.1's; its welcome line
 * names the worker it reached.
 */

import { type RedisServer, startRedisServer } from '@course/course-kit/redis';
import { launchChromium, shouldRunBrowserTests } from '@course/course-kit/testing/chromium';
import { isRunning } from '@course/course-kit/testing/processes';
import { shouldRunRedisTests } from '@course/course-kit/testing/redis';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChatClient } from '../src/chat/chat-client.ts';
import { type ChatCluster, startChatCluster } from '../src/cluster/chat-cluster.ts';
import { joinAwayFrom } from '../src/cluster/placement.ts';

describe.runIf(shouldRunRedisTests() && shouldRunBrowserTests())(
  'Chromium and a ws client on two workers',
  () => {
    let redis: RedisServer | undefined;
    let browser: Browser | undefined;
    let chat: ChatCluster | undefined;
    let alice: ChatClient | undefined;
    let page: Page | undefined;
    const pageErrors: string[] = [];
    const pids: number[] = [];

    beforeAll(async () => {
      redis = await startRedisServer();
      browser = await launchChromium();
    }, 60_000);

    afterEach(async () => {
      await alice?.close();
      await page?.close();
      await chat?.stop();
      pids.push(...(chat?.workers.map((w) => w.pid) ?? []));
      alice = undefined;
      chat = undefined;
    });

    afterAll(async () => {
      await browser?.close();
      pids.push(redis?.pid ?? 0);
      await redis?.stop();
      for (const pid of pids) expect(isRunning(pid), `process ${pid}`).toBe(false);
    });

    const logLine = (text: string) => page?.locator('#log li', { hasText: text }).first();
    const waitForLog = async (text: string) => logLine(text)?.waitFor({ timeout: 15_000 });
    const logText = async () => (await page?.locator('#log').textContent()) ?? '';

    /** Opens the page, joins the lobby as "chromium", then alice joins on another worker. */
    async function pageAndAlice(bus: 'local' | 'redis'): Promise<[Page, ChatClient, string]> {
      if (!browser || !redis) throw new Error('the browser or Redis did not start');
      chat = await startChatCluster({ workers: 2, relay: bus, roster: bus, redisUrl: redis.url });
      page = await browser.newPage();
      page.on('pageerror', (error) => pageErrors.push(error.message));
      await page.goto(chat.url.replace('ws:', 'http:'));
      await page.fill('#nick', 'chromium');
      await page.click('#join');
      await page
        .locator('#status', { hasText: 'connected as chromium' })
        .waitFor({ timeout: 15_000 });
      const welcome = (await page.locator('#log li').first().textContent()) ?? '';
      const server = /as chromium on (worker \d+ \(pid \d+\))/.exec(welcome)?.[1];
      if (!server) throw new Error(`the welcome line names no worker: ${welcome}`);
      alice = await joinAwayFrom(chat.url, 'lobby', 'alice', server);
      return [page, alice, server];
    }

    async function pageSays(text: string) {
      await page?.fill('#text', text);
      await page?.click('#send');
    }

    it('chats both ways through Redis between the page on one worker and a ws client on the other', async () => {
      const [, a, server] = await pageAndAlice('redis');
      expect(a.server).not.toBe(server);
      expect(a.welcome.members).toEqual(['chromium']);
      await waitForLog('alice joined (2 online)');
      a.say('hello from another worker, 你好');
      await waitForLog('hello from another worker, 你好');
      await pageSays('hi from chromium');
      await a.waitForLine('chromium', 'hi from chromium');
      expect(pageErrors).toEqual([]);
    }, 60_000);

    it('keeps them apart with a local bus on each worker (3.4.2): neither sees the other', async () => {
      const [, a, server] = await pageAndAlice('local');
      expect(a.server).not.toBe(server);
      expect(a.welcome.members).toEqual([]);
      // Each one's own line coming back is the fence (see placement.ts, crossTalk).
      a.say('hello from alice');
      await a.waitForLine('alice', 'hello from alice');
      await pageSays('hi from chromium');
      await waitForLog('hi from chromium');
      a.say('alice again');
      await a.waitForLine('alice', 'alice again');
      expect(await logText()).not.toContain('hello from alice');
      expect(await logText()).not.toContain('alice joined');
      expect(a.lines()).toEqual(['alice: hello from alice', 'alice: alice again']);
      expect(pageErrors).toEqual([]);
    }, 60_000);
  },
);
