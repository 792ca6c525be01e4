/**
 * The load generator against chapter 3.1's chat server, in this process: every delivery is
 * accounted for (received, or reported dropped by the server), a rate keeps within the server's
 * line budget, refusals and Ctrl-C end a run with a clear error, and no socket is left open.
 */
import { type CourseServer, startCourseServer } from '@course/chapter-3.1/course-server';
import { until } from '@course/course-kit/testing/waits';
import { connect } from '@course/ws-core';
import { afterEach, describe, expect, test } from 'vitest';
import { runChatLoad } from '../src/load/chat-load.ts';
import { LoadError } from '../src/load/errors.ts';

/** All load members come from 127.0.0.1: room for them under the per-address limits. */
const ROOMY = {
  maxConnectionsPerAddress: 200,
  chatLimits: { maxMembersPerAddress: 200, joinBurst: 200, lineBurst: 1e6, linesPerSecond: 1e6 },
};

let server: CourseServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(options: Parameters<typeof startCourseServer>[0]): Promise<CourseServer> {
  server = await startCourseServer(options);
  return server;
}

/** Every load connection is gone from the server once a run has returned or thrown. */
async function noConnectionsLeft(running: CourseServer): Promise<void> {
  await until(() => running.server.connections.size === 0, 10_000, 'the load connections to close');
}

describe('runChatLoad', () => {
  test('every line reaches every member, its sender included: deliveries = lines × members', async () => {
    const running = await start(ROOMY);
    const result = await runChatLoad({
      chatUrl: `${running.url}chat`,
      members: 6,
      senders: 3,
      windowMs: 200,
      warmupMs: 50,
    });
    expect(result.lines).toBeGreaterThan(3);
    expect(result.dropped).toBe(0);
    expect(result.deliveries).toBe(result.lines * 6);
    expect(result).toMatchObject({ unaccounted: 0, outOfOrder: 0, closedEarly: 0, foreign: 0 });
    expect(result.deliveriesPerSecond).toBeGreaterThan(0);
    expect(result.p50Ms).toBeLessThanOrEqual(result.p99Ms);
    expect(result.p99Ms).toBeLessThanOrEqual(result.maxMs);
    // No way to read them was given.
    expect(result).toMatchObject({ serverCpuPercent: null, brokerCpuPercent: null });
    await noConnectionsLeft(running);
  });

  test('counts what the server drops for a member that is behind, so the sums still add up', async () => {
    // A 1-byte high-water mark: a second broadcast in the same tick finds the member's buffer
    // non-empty and is dropped for it, then reported to it as {type:'dropped', count}.
    const running = await start({ ...ROOMY, backpressure: { highWaterMark: 1, maxDropped: 1e6 } });
    const result = await runChatLoad({
      chatUrl: `${running.url}chat`,
      members: 4,
      senders: 2,
      windowMs: 200,
      warmupMs: 50,
    });
    expect(result.dropped).toBeGreaterThan(0);
    expect(result.deliveries + result.dropped).toBe(result.lines * 4);
    expect(result.unaccounted).toBe(0);
    // The hub also counts the join notices and hellos it dropped before the measuring began.
    expect(result.dropped).toBeLessThanOrEqual(running.hub.stats.dropped);
    await noConnectionsLeft(running);
  });

  test("at a rate within the server's line budget nobody is closed; as fast as possible, senders are", async () => {
    const budget = { lineBurst: 20, linesPerSecond: 50 };
    const running = await start({ ...ROOMY, chatLimits: { ...ROOMY.chatLimits, ...budget } });
    const chatUrl = `${running.url}chat`;
    const paced = await runChatLoad({
      chatUrl,
      members: 3,
      senders: 3,
      windowMs: 400,
      warmupMs: 100,
      linesPerSecond: 10,
    });
    expect(paced).toMatchObject({ closedEarly: 0, unaccounted: 0 });
    expect(running.hub.stats.closedFast).toBe(0);

    const unpaced = runChatLoad({ chatUrl, members: 3, senders: 3, windowMs: 400, warmupMs: 100 });
    const result = await unpaced;
    expect(result.closedEarly).toBeGreaterThan(0);
    expect(running.hub.stats.closedFast).toBeGreaterThan(0);
    await noConnectionsLeft(running);
  });

  test('counts a line from someone else in the room as foreign, not as a delivery', async () => {
    const running = await start(ROOMY);
    const person = await connect(`${running.url}chat?nick=person&room=shared`);
    let spoke = false;
    person.on('message', (data) => {
      // Once the load is sending, say one line: every load member then receives it.
      if (!spoke && typeof data === 'string' && data.includes('"text":"L ')) {
        spoke = true;
        person.send('hello from a person');
      }
    });
    try {
      const result = await runChatLoad({
        chatUrl: `${running.url}chat`,
        room: 'shared',
        members: 3,
        senders: 1,
        windowMs: 200,
        warmupMs: 50,
      });
      expect(spoke).toBe(true);
      expect(result.foreign).toBe(3);
      expect(result.deliveries).toBe(result.lines * 3);
    } finally {
      person.close(1000);
    }
    await noConnectionsLeft(running);
  });

  test("a member the server refuses ends the run with the server's reason", async () => {
    // 3.1's default: at most 20 members from one address.
    const running = await start({ maxConnectionsPerAddress: 200 });
    const run = runChatLoad({
      chatUrl: `${running.url}chat`,
      members: 21,
      senders: 1,
      windowMs: 100,
    });
    await expect(run).rejects.toThrow(LoadError);
    await expect(run).rejects.toThrow(
      /closed with 1013 \(too many members from your address \(20\)/,
    );
    await noConnectionsLeft(running);
  });

  test('an aborted run closes its connections and rejects as interrupted', async () => {
    const running = await start(ROOMY);
    const controller = new AbortController();
    const run = runChatLoad({
      chatUrl: `${running.url}chat`,
      members: 4,
      senders: 2,
      windowMs: 60_000,
      warmupMs: 0,
      signal: controller.signal,
    });
    // Abort once lines are flowing: the server has broadcast some.
    await until(() => running.hub.stats.broadcasts > 50, 10_000, 'the load to start sending');
    controller.abort();
    await expect(run).rejects.toThrow('the load run was interrupted');
    await noConnectionsLeft(running);
  });

  test.each([
    [{ members: 0 }, 'members must be a whole number from 1 to 500, not 0'],
    [{ members: 501 }, 'members must be a whole number from 1 to 500, not 501'],
    [{ senders: 5 }, 'senders must be a whole number from 1 to 4, not 5'],
    [{ windowMs: 60_001 }, 'windowMs must be a whole number from 1 to 60000, not 60001'],
    [{ linesPerSecond: 0 }, 'linesPerSecond must be a positive number, not 0'],
  ])('refuses %o before opening anything: %s', async (bad, message) => {
    const options = { chatUrl: 'ws://127.0.0.1:9/chat', members: 4, senders: 1, windowMs: 100 };
    await expect(runChatLoad({ ...options, ...bad })).rejects.toThrow(message);
  });
});
