import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { childrenOf, descendantsOf, isRunning } from '../src/testing/processes.ts';
import { until, within } from '../src/testing/waits.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('waits', () => {
  it('within passes the value through, or names what it waited for when time runs out', async () => {
    await expect(within(Promise.resolve(7), 100, 'seven')).resolves.toBe(7);
    await expect(within(sleep(1_000), 20, 'the slow thing')).rejects.toThrow(
      'timed out after 20 ms waiting for the slow thing',
    );
  });

  it('until resolves once the check holds, and stops polling when it gives up', async () => {
    let calls = 0;
    await until(() => ++calls === 3, 1_000, 'the third call');
    expect(calls).toBe(3);
    // It resolves with what the check found, so a test can wait for a value and use it.
    const found = await until(() => (++calls >= 5 ? { calls } : undefined), 1_000, 'a value');
    expect(found).toEqual({ calls: 5 });

    let polls = 0;
    const never = () => {
      polls++;
      return false;
    };
    await expect(until(never, 30, 'never')).rejects.toThrow(
      'timed out after 30 ms waiting for never',
    );
    const afterGivingUp = polls;
    await sleep(50);
    expect(polls).toBe(afterGivingUp);
  });
});

describe('processes (Linux /proc)', () => {
  it('finds a child and its grandchild while they run, and neither once they have exited', async () => {
    // The child starts a grandchild, prints its pid, then both idle until killed.
    const script = `
      const { spawn } = require('node:child_process');
      const grandchild = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
      console.log(grandchild.pid);
      process.on('SIGTERM', () => { grandchild.kill(); process.exit(0); });
      setTimeout(() => {}, 30000);`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = once(child, 'exit');
    try {
      const [line] = (await within(once(child.stdout, 'data'), 10_000, 'the grandchild pid')) as [
        Buffer,
      ];
      const grandchild = Number(line.toString().trim());
      const pid = child.pid as number;

      expect(childrenOf()).toContain(pid);
      expect(childrenOf()).not.toContain(grandchild);
      expect(descendantsOf(process.pid)).toEqual(expect.arrayContaining([pid, grandchild]));
      expect(isRunning(grandchild)).toBe(true);

      child.kill('SIGTERM');
      await within(exited, 10_000, 'the child to exit');
      await until(() => !isRunning(grandchild), 10_000, 'the grandchild to exit');
      expect(childrenOf()).not.toContain(pid);
      expect(isRunning(pid)).toBe(false);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
