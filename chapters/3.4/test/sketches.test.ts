/**
 * The Python 3 sketches the lesson shows (sketches/): each one run for real and its output
 * checked. Skipped, with the reason, where python3 is not installed.
 */
import { execFile, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';

const SKETCHES = fileURLToPath(new URL('../sketches/', import.meta.url));
const hasPython = spawnSync('python3', ['--version']).status === 0;
if (!hasPython)
  console.warn('sketches.test.ts: python3 is not installed, so the sketches are skipped');

async function sketch(file: string): Promise<string[]> {
  const { stdout } = await promisify(execFile)('python3', [file], {
    cwd: SKETCHES,
    timeout: 20_000,
    // The sketches print non-ASCII text; don't let a C locale choose another encoding.
    env: { ...process.env, PYTHONIOENCODING: 'utf-8' },
  });
  return stdout.split('\n');
}

describe.skipIf(!hasPython)('Python sketches (python3)', () => {
  test('utf8_length.py: len() counts code points, the encoded bytes are what a socket sends', async () => {
    expect(await sketch('utf8_length.py')).toEqual([
      'hello: len 5, 5 bytes',
      'héllo: len 5, 6 bytes',
      '你好: len 2, 6 bytes',
      '🎮: len 1, 4 bytes',
      '',
    ]);
  });
});
