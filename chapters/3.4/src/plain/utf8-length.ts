/**
 * 3.4.1, plain — how many bytes a string takes in UTF-8, counted by hand.
 * Shows:  UTF-8 spends 1 to 4 bytes per code point (RFC 3629 §3), so bytes, code points and
 *         `.length` tell different stories about the same text.
 * Run:    npx tsx chapters/3.4/src/plain/utf8-length.ts
 * Expect: "🎮: length 2, 1 code point, 4 bytes".
 */
import { pathToFileURL } from 'node:url';

/** RFC 3629 §3: the code point's range decides how many bytes encode it. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (const char of text) {
    const codePoint = char.codePointAt(0) ?? 0;
    // ASCII takes 1 byte; up to U+07FF (é) 2; up to U+FFFF (你) 3; beyond (🎮) 4.
    if (codePoint < 0x80) bytes += 1;
    else if (codePoint < 0x800) bytes += 2;
    else if (codePoint < 0x10000) bytes += 3;
    else bytes += 4;
  }
  return bytes;
}

function main(): void {
  for (const text of ['hello', 'héllo', '你好', '🎮']) {
    const codePoints = [...text].length;
    const points = `${codePoints} code point${codePoints === 1 ? '' : 's'}`;
    console.log(`${text}: length ${text.length}, ${points}, ${utf8Length(text)} bytes`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
