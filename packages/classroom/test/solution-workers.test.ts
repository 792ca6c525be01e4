/**
 * The reference solutions that start worker threads (3.2/07, capstone), and the capstone
 * grader's reference server, end them only once they have loaded: terminating a thread while it
 * still loads its module can crash the process. A preloaded module holds the workers mid-load
 * until the test has seen stop() called.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { until, within } from '@course/course-kit/testing/waits';
import { describe, expect, it } from 'vitest';

const HOLD = fileURLToPath(new URL('./fixtures/hold-worker-load.mjs', import.meta.url));
const DRIVER = fileURLToPath(new URL('./fixtures/stop-while-loading.ts', import.meta.url));

describe.each([
  ['the 3.2/07 solution', '3.2/07'],
  ['the capstone solution', 'capstone'],
  ["the capstone grader's reference server", 'grader'],
])('%s', (_name, which) => {
  it('ends worker threads stopped while they load only once they have loaded', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hold-worker-load-'));
    const release = join(dir, 'release');
    const child = spawn(process.execPath, ['--import', 'tsx', '--import', HOLD, DRIVER, which], {
      stdio: ['pipe', 'pipe', 'inherit'],
      env: { ...process.env, HOLD_WORKER_LOAD: release },
    });
    const lines: string[] = [];
    createInterface({ input: child.stdout }).on('line', (line) => lines.push(line));
    const closed = once(child, 'close');
    try {
      await until(() => lines.includes('worker held'), 20_000, 'a worker to be held mid-load');
      child.stdin.write('stop\n');
      await until(() => lines.includes('stop called'), 20_000, 'the driver to call stop');
      writeFileSync(release, '');
      const [code] = await within(closed, 30_000, 'the driver to exit');
      // Terminated when stop was called, a held worker would never have been released.
      const count = (text: string) => lines.filter((line) => line === text).length;
      expect(count('worker released')).toBe(count('worker held'));
      expect(lines.at(-1)).toBe('stopped');
      expect(code).toBe(0);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
