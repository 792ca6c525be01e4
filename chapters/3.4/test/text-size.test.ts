/** The tested module behind 3.4.1: each count at the boundaries where UTF-8 grows a byte. */
import { describe, expect, test } from 'vitest';
import { measureText } from '../src/text-size.ts';

describe('measureText', () => {
  test.each([
    ['', 0, 0, 0],
    ['hello', 5, 5, 5],
    ['\u007f', 1, 1, 1],
    ['\u0080', 1, 1, 2],
    ['\u07ff', 1, 1, 2],
    ['\u0800', 1, 1, 3],
    ['\uffff', 1, 1, 3],
    ['\u{10000}', 2, 1, 4],
    ['\u{10ffff}', 2, 1, 4],
  ])('%j has length %i, %i code point(s) and %i UTF-8 bytes', (text, units, codePoints, bytes) => {
    expect(measureText(text)).toEqual({ units, codePoints, bytes });
  });

  test('counts a lone surrogate as the 3 bytes of the U+FFFD that replaces it on the wire', () => {
    expect(measureText('\ud83c')).toEqual({ units: 1, codePoints: 1, bytes: 3 });
    expect(Buffer.from('\ud83c', 'utf8')).toEqual(Buffer.from([0xef, 0xbf, 0xbd]));
  });
});
