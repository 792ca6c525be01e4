import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startChapterProcess } from '../src/testing/chapter-process.ts';
import { isRunning } from '../src/testing/processes.ts';
import { within } from '../src/testing/waits.ts';

const CHAPTER = new URL('./fixtures-chapter/', import.meta.url);

describe('startChapterProcess', () => {
  it("runs the chapter's src/main.ts under tsx from its folder, without colour, keeping what it prints and its exit code", async () => {
    const run = startChapterProcess(CHAPTER, ['3.9.1', '--json'], {
      COURSE_GREETING: 'hello',
      HOME: undefined,
    });
    expect(await within(run.exited, 20_000, 'the fixture chapter to exit')).toBe(3);
    expect(JSON.parse(run.output.stdout)).toEqual({
      args: ['3.9.1', '--json'],
      cwd: fileURLToPath(CHAPTER).replace(/\/$/, ''),
      noColor: '1',
      greeting: 'hello',
      home: null, // a variable set to undefined is left out
    });
    expect(run.output.stderr).toBe('to stderr\n');
    expect(isRunning(run.child.pid ?? 0)).toBe(false);
  });
});
