/**
 * Test-only: running the lessons' Python 3 sketches. CI images may lack python3, so the tests
 * that need it skip with a reason instead of failing.
 */
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';

/** Whether `python3` runs here; when it does not, says once why the sketch tests are skipped. */
export function hasPython3(testFile: string): boolean {
  const found = spawnSync('python3', ['--version']).status === 0;
  if (!found) console.warn(`${testFile}: python3 is not installed, so the sketches are skipped`);
  return found;
}

const run = promisify(execFile);

/** A function that runs a sketch of `dir` with python3 (bounded: 20 s) and returns its stdout. */
export function sketchRunner(dir: string): (file: string, args?: string[]) => Promise<string> {
  return async (file, args = []) => {
    const { stdout } = await run('python3', [file, ...args], { cwd: dir, timeout: 20_000 });
    return stdout;
  };
}
