/**
 * Test-only: a chapter's command line as a student runs it, in a real process: its
 * `src/main.ts` under tsx, from the chapter's folder, without colour, with what it prints kept
 * for the test to read. The test stops it (and checks what it left) as its own rules require.
 *
 *   const run = startChapterProcess(new URL('..', import.meta.url), ['3.1.4'], { PORT: '0' });
 *   await until(() => run.output.stdout.includes('listening on'), 20_000, 'the listening line');
 *   run.child.kill('SIGINT');
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface ChapterProcess {
  readonly child: ChildProcess;
  /** Everything it printed so far, read as it comes. */
  readonly output: { stdout: string; stderr: string };
  /**
   * Its exit code (null when a signal ended it), once it has exited and its output has all been
   * read: 'close', not 'exit', which may come while the last output is still in the pipe.
   * Unbounded: the test bounds the wait.
   */
  readonly exited: Promise<number | null>;
}

/**
 * Starts `chapterDir`/src/main.ts with `args`; `chapterDir` is the chapter's folder as a URL
 * ending in "/", e.g. `new URL('..', import.meta.url)` from its test/. `env` is added to this
 * process's environment; a name set to undefined is left out, so `{ REDIS_URL: undefined }`
 * runs it without one.
 */
export function startChapterProcess(
  chapterDir: URL,
  args: readonly string[],
  env: Record<string, string | undefined> = {},
): ChapterProcess {
  const main = fileURLToPath(new URL('src/main.ts', chapterDir));
  const child = spawn(process.execPath, ['--import', 'tsx', main, ...args], {
    cwd: fileURLToPath(chapterDir),
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { stdout: '', stderr: '' };
  child.stdout?.on('data', (chunk) => {
    output.stdout += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output.stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('close', (code) => resolve(code)),
  );
  return { child, output, exited };
}
