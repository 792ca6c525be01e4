/**
 * The chapter as a student runs it: a real process, a real signal. Two processes in all,
 * because each start costs a second of TypeScript loading on a busy machine.
 */

import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { startChapterProcess } from '@course/course-kit/testing/chapter-process';
import { until } from '@course/course-kit/testing/waits';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

const CHAPTER = new URL('..', import.meta.url);
const children: ChildProcess[] = [];

function startChapter(args: string[], env: Record<string, string> = {}) {
  const run = startChapterProcess(CHAPTER, args, env);
  children.push(run.child);
  return run;
}

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

describe('npm run chapter:3.1 -- 3.1.4', () => {
  it('takes its port from PORT, prints the listening line, and on Ctrl-C closes clients with 1001 and exits 0', async () => {
    const run = startChapter(['3.1.4'], { PORT: '0' });
    const url = await until(
      () => run.output.stdout.match(/^listening on (ws:\/\/127\.0\.0\.1:(\d+)\/)$/m),
      20_000,
      'the "listening on" line',
    );
    expect(Number(url[2])).not.toBe(1234); // PORT=0 was read: any free port, not the default
    const client = new WebSocket(`${url[1]}chat?nick=student`);
    await new Promise((resolve) => client.once('open', resolve));
    const closed = new Promise<number>((resolve) => client.once('close', resolve));
    run.child.kill('SIGINT');
    expect(await closed).toBe(1001);
    expect(await run.exited).toBe(0);
    expect(run.output.stdout).toContain('closing 1 connection with 1001');
  });

  it('reports a busy port in one line that suggests --port 0, and exits non-zero', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const address = blocker.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      const run = startChapter(['3.1.4', '--port', String(port)]);
      expect(await run.exited).not.toBe(0);
      expect(run.output.stderr.trim().split('\n')).toEqual([
        `error in 3.1.4: port ${port} on 127.0.0.1 is already in use; stop the other server or pass --port 0 for any free port`,
      ]);
    } finally {
      blocker.close();
    }
  });
});
