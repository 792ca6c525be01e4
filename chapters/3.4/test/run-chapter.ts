/**
 * Test-only: the chapter run in-process, as `npm run chapter:3.4 -- …` runs it, with what it
 * prints kept for the test to read, and an AbortController standing in for Ctrl-C.
 */
import { type Chapter, runChapter } from '@course/course-kit';
import { chapter } from '../src/chapter.ts';

export interface CapturedRun {
  /** The exit code runChapter returned: 0, 2 for a usage error, 130 after Ctrl-C. */
  code: number;
  stdout: string;
  stderr: string;
}

/** The chapter with one section alone, wrapped as chapter.ts wraps it (Ctrl-C ends it in one line). */
export function onlySection(id: string): Chapter {
  return { ...chapter, sections: chapter.sections.filter((section) => section.id === id) };
}

/** Runs `which` to its end with `argv`; Ctrl-C comes as soon as `abortWhen(stdout)` holds. */
export async function runCaptured(
  which: Chapter,
  argv: string[],
  abortWhen?: (stdout: string) => boolean,
): Promise<CapturedRun> {
  const controller = new AbortController();
  let stdout = '';
  let stderr = '';
  const code = await runChapter(which, argv, {
    stdout: (text) => {
      stdout += text;
      if (abortWhen?.(stdout)) controller.abort();
    },
    stderr: (text) => {
      stderr += text;
    },
    color: false,
    signal: controller.signal,
  });
  return { code, stdout, stderr };
}

/**
 * For a test that starts the run itself and acts while it runs: `io` for runChapter, stdout and
 * stderr gathered into one text (`out()`), and the `controller` whose abort is Ctrl-C.
 */
export function captureOutput() {
  let out = '';
  const controller = new AbortController();
  const write = (text: string) => {
    out += text;
  };
  return {
    controller,
    out: () => out,
    io: { stdout: write, stderr: write, color: false, signal: controller.signal },
  };
}

/** Runs `body` with no redis-server on the PATH and no REDIS_URL, then puts both back. */
export async function withoutRedis<T>(body: () => Promise<T>): Promise<T> {
  const saved = { PATH: process.env.PATH, REDIS_URL: process.env.REDIS_URL };
  process.env.PATH = '/nonexistent';
  delete process.env.REDIS_URL;
  try {
    return await body();
  } finally {
    process.env.PATH = saved.PATH;
    if (saved.REDIS_URL !== undefined) process.env.REDIS_URL = saved.REDIS_URL;
  }
}
