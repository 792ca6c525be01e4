/**
 * The chapter's command line, run in-process: every section's narration, its --json output
 * and the shared flags. A section that starts workers also gets a test that interrupts it.
 */
import { describe, expect, test } from 'vitest';
import { chapter } from '../src/chapter.ts';
import { runCaptured } from './run-chapter.ts';

describe('the chapter command line', () => {
  test('--list names every section of the chapter, in order', async () => {
    const { code, stdout } = await runCaptured(chapter, ['--list']);
    expect(code).toBe(0);
    const ids = stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split(/\s+/)[0]);
    expect(ids).toEqual(['3.4.1', '3.4.2', '3.4.3', '3.4.4', '3.4.5', '3.4.6']);
    expect(stdout).toContain('3.4.1  The one-process ceiling');
  });

  test('a flag the section does not take is a one-line usage error with exit code 2', async () => {
    const { code, stderr } = await runCaptured(chapter, ['3.4.1', '--nope']);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
  });
});
