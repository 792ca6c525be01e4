/**
 * The chapter's command line, run in-process: every section's narration, its --json output
 * and the shared flags. A section that starts workers also gets a test that interrupts it.
 */
import { type Chapter, runChapter } from '@course/course-kit';
import { describe, expect, test } from 'vitest';
import { chapter } from '../src/chapter.ts';
import { charactersAndBytes } from '../src/sections/characters-and-bytes.ts';

/**
 * The sample new-chapter made, no longer in the chapter: the page still shows it until its
 * lesson is written, so its tests run it on its own.
 */
const placeholder: Chapter = { ...chapter, sections: [charactersAndBytes] };

/** Runs the chapter as `npm run chapter:3.4 -- …` would, capturing what it prints. */
async function run(argv: string[], which: Chapter = chapter) {
  let stdout = '';
  let stderr = '';
  const code = await runChapter(which, argv, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    color: false,
    signal: new AbortController().signal,
  });
  return { code, stdout, stderr };
}

describe('the chapter command line', () => {
  test('--list names every section of the chapter, in order', async () => {
    const { code, stdout } = await run(['--list']);
    expect(code).toBe(0);
    const ids = stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split(/\s+/)[0]);
    expect(ids).toEqual(['3.4.1', '3.4.2', '3.4.3', '3.4.4', '3.4.5', '3.4.6']);
    expect(stdout).toContain('3.4.1  The one-process ceiling');
  });

  test('a flag the section does not take is a one-line usage error with exit code 2', async () => {
    const { code, stderr } = await run(['3.4.1', '--nope']);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('the sample the page still shows', () => {
  test('3.4.1 counts each sample text as UTF-16 units, code points and UTF-8 bytes', async () => {
    const { code, stdout, stderr } = await run(['3.4.1'], placeholder);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toContain('"héllo": length 5, 5 code points, 6 bytes');
    expect(stdout).toContain('"你好": length 2, 2 code points, 6 bytes');
    expect(stdout).toContain('"🎮": length 2, 1 code point, 4 bytes');
    expect(stdout).toContain('"🎮" has 4 in its length field');
  });

  test('3.4.1 --json prints one JSON line with a row per text, narration on stderr', async () => {
    const { code, stdout, stderr } = await run(['3.4.1', '--json'], placeholder);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const parsed = JSON.parse(lines[0] ?? '') as { section: string; results: unknown[] };
    expect(parsed.section).toBe('3.4.1');
    expect(parsed.results).toContainEqual({ name: '🎮', units: 2, codePoints: 1, bytes: 4 });
    expect(stderr).toContain('-- 1. count each text three ways');
  });

  test('3.4.1 --text measures the given text instead of the samples', async () => {
    const { code, stdout } = await run(['3.4.1', '--text', 'añ'], placeholder);
    expect(code).toBe(0);
    expect(stdout).toContain('"añ": length 2, 2 code points, 3 bytes');
    expect(stdout).not.toContain('hello');
  });
});
