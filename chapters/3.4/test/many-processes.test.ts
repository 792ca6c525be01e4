/**
 * 3.4.2 against real processes: node:cluster workers on one port, each with chapter 3.1's chat
 * and a local bus. Two members of one room on two workers do not see each other. Every worker
 * is stopped after each test and checked gone by pid.
 */
import { runChapter } from '@course/course-kit';
import { isRunning } from '@course/course-kit/testing/processes';
import { until, within } from '@course/course-kit/testing/waits';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChatClient } from '../src/chat/chat-client.ts';
import { type ChatCluster, startChatCluster } from '../src/cluster/chat-cluster.ts';
import { crossTalk, joinOnTwoWorkers } from '../src/cluster/placement.ts';
import { captureOutput, onlySection } from './run-chapter.ts';

const only342 = onlySection('3.4.2');

/** Pids a run printed as "(pids 1, 2)". */
const pidsIn = (text: string) =>
  (/pids ([\d, ]+)\)/.exec(text)?.[1] ?? '').split(', ').filter(Boolean).map(Number);

describe('chat workers with a local bus (3.4.2)', () => {
  let chat: ChatCluster | undefined;
  const clients: ChatClient[] = [];

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await chat?.stop();
    for (const { pid } of chat?.workers ?? []) expect(isRunning(pid), `worker ${pid}`).toBe(false);
    chat = undefined;
  });

  it('serves one port from two workers, and splits a room: members on different workers never see each other', async () => {
    chat = await startChatCluster({ workers: 2, relay: 'local', roster: 'local' });
    expect(chat.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/$/);
    expect(new Set(chat.workers.map((w) => w.pid)).size).toBe(2);
    const [alice, bob] = await joinOnTwoWorkers(chat.url, 'lobby', 'alice', 'bob');
    clients.push(alice, bob);
    expect(alice.server).toMatch(/^worker \d+ \(pid \d+\)$/);
    expect(bob.server).not.toBe(alice.server);
    expect(bob.welcome.members).toEqual([]); // alice sat down first, on the other worker
    expect(await crossTalk(alice, bob)).toEqual({ bSawA: false, aSawB: false });
    expect(alice.events.filter((e) => e.type === 'join')).toEqual([]);
  });

  it('gives the same nickname twice when the two land on different workers', async () => {
    chat = await startChatCluster({ workers: 2, relay: 'local', roster: 'local' });
    const [first, second] = await joinOnTwoWorkers(chat.url, 'lobby', 'sam', 'sam');
    clients.push(first, second);
    expect([first.nick, second.nick]).toEqual(['sam', 'sam']);
  });

  it('refuses a worker count outside 1 to 16 before forking anything', async () => {
    await expect(
      startChatCluster({ workers: 17, relay: 'local', roster: 'local' }),
    ).rejects.toThrow('workers must be a whole number from 1 to 16, not 17');
  });
});

describe('the 3.4.2 section', () => {
  it('prints where alice and bob landed and that neither saw the other, then stops its workers', async () => {
    const run = captureOutput();
    expect(await runChapter(only342, ['3.4.2'], run.io)).toBe(0);
    const text = run.out();
    expect(text).toMatch(/alice is on worker \d+ \(pid \d+\), bob on worker \d+ \(pid \d+\)/);
    expect(text).toContain("bob's welcome lists nobody, though alice joined first");
    expect(text).toContain(
      "bob never saw alice's line, nor alice bob's: each worker has a lobby of its own",
    );
    const pids = pidsIn(text);
    expect(pids).toHaveLength(2);
    for (const pid of pids) expect(isRunning(pid), `worker ${pid}`).toBe(false);
  }, 60_000);

  it('stops its workers on Ctrl-C, says so in one line and ends with 130', async () => {
    const run = captureOutput();
    const running = runChapter(only342, ['3.4.2'], run.io);
    const pids = await until(
      () => pidsIn(run.out()).length === 2 && pidsIn(run.out()),
      30_000,
      'the workers to start',
    );
    run.controller.abort();
    expect(await within(running, 20_000, 'the section to end after Ctrl-C')).toBe(130);
    expect(run.out()).toContain('interrupted: 3.4.2 stopped its workers');
    for (const pid of pids) expect(isRunning(pid), `worker ${pid}`).toBe(false);
  }, 60_000);

  it('refuses --workers 1 with a one-line usage error: a split needs two', async () => {
    const run = captureOutput();
    expect(await runChapter(only342, ['3.4.2', '--workers', '1'], run.io)).toBe(2);
    expect(run.out().trim().split('\n').at(-1)).toBe(
      'error in 3.4.2: --workers expects a whole number from 2 to 16, got 1',
    );
  });
});
