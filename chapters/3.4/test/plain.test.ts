/**
 * The plain TypeScript file the lesson shows (src/plain/): its function against the tested
 * module, and the file run the way the page tells a student to run it.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import { utf8Length } from '../src/plain/utf8-length.ts';
import { measureText } from '../src/text-size.ts';

describe('utf8-length.ts', () => {
  test('counts the bytes Buffer.byteLength counts, at every boundary where UTF-8 grows', () => {
    const boundaries = [0x00, 0x7f, 0x80, 0x7ff, 0x800, 0xd7ff, 0xe000, 0xffff, 0x10000, 0x10ffff];
    for (const codePoint of boundaries) {
      const text = String.fromCodePoint(codePoint);
      expect(utf8Length(text), `U+${codePoint.toString(16)}`).toBe(measureText(text).bytes);
    }
    expect(utf8Length('héllo, 你好 🎮')).toBe(Buffer.byteLength('héllo, 你好 🎮'));
  });

  test('npx tsx chapters/3.4/src/plain/utf8-length.ts prints what its header promises', async () => {
    const path = fileURLToPath(new URL('../src/plain/utf8-length.ts', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', path], {
      timeout: 20_000,
    });
    expect(stdout.split('\n')).toEqual([
      'hello: length 5, 5 code points, 5 bytes',
      'héllo: length 5, 5 code points, 6 bytes',
      '你好: length 2, 2 code points, 6 bytes',
      '🎮: length 2, 1 code point, 4 bytes',
      '',
    ]);
  });
});
