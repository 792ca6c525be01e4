/** `npm run bench` for chapter 3.4: what it refuses and how it skips (the run itself is 3.4.6's). */
import { describe, expect, test } from 'vitest';
import { runScaleBench } from '../bench/run.ts';

function capture(path?: string) {
  const out = { stdout: '', stderr: '' };
  const io = {
    stdout: (text: string) => {
      out.stdout += text;
    },
    stderr: (text: string) => {
      out.stderr += text;
    },
    ...(path === undefined ? {} : { path }),
  };
  return { out, io };
}

describe('npm run bench -w @course/chapter-3.4', () => {
  test('without redis-server on the PATH it says so in one line and exits 0', async () => {
    const { out, io } = capture('/nonexistent');
    const { exitCode } = await runScaleBench(['--quick'], io);
    expect(exitCode).toBe(0);
    expect(out.stdout).toBe(
      'chapter 3.4 bench skipped: no redis-server on the PATH (sudo apt-get install redis-server)\n',
    );
  });

  test.each([
    ['--rounds', '0'],
    ['--members', '49'],
    ['--duration', 'soon'],
    ['--nope', ''],
  ])('refuses %s %s with the usage and exit code 2, starting nothing', async (flag, value) => {
    const { out, io } = capture();
    const { exitCode } = await runScaleBench([flag, value].filter(Boolean), io);
    expect(exitCode).toBe(2);
    expect(out.stderr).toMatch(/\nusage: tsx bench\/run\.ts/);
    expect(out.stdout).toBe('');
  });
});
