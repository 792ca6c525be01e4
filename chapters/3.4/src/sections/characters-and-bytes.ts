/**
 * 3.4.1 Characters and bytes — three ways to count a string, and the one a frame uses.
 * Shows:  `.length` counts UTF-16 units, Python's len() counts code points, and a WebSocket
 *         frame's length field counts UTF-8 bytes (RFC 6455 §5.2); for most text they differ.
 * Run:    npm run chapter:3.4 -- 3.4.1 [--text "héllo"] [--json]
 * Expect: '"🎮": length 2, 1 code point, 4 bytes'; with --json, one row per text.
 */
import type { Section } from '@course/course-kit';
import { measureText } from '../text-size.ts';

const SAMPLE_TEXTS = ['hello', 'héllo', '你好', '🎮'] as const;

const count = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;

export const charactersAndBytes: Section = {
  id: '3.4.1',
  title: 'Characters and bytes',
  summary: 'a string counted as UTF-16 units, code points and UTF-8 bytes (--text)',
  options: { text: { type: 'string' } },
  run({ args, say, step }) {
    const texts = typeof args.text === 'string' ? [args.text] : [...SAMPLE_TEXTS];

    step('1. count each text three ways');
    const results = texts.map((text) => ({ name: text, ...measureText(text) }));
    for (const { name, units, codePoints, bytes } of results) {
      say(
        `${JSON.stringify(name)}: length ${units}, ${count(codePoints, 'code point')}, ${count(bytes, 'byte')}`,
      );
    }

    step("2. what a text frame's length field says");
    const last = results.at(-1);
    if (last) {
      say(
        `a text frame carrying ${JSON.stringify(last.name)} has ${last.bytes} in its length field (RFC 6455 §5.2 counts bytes), not ${last.units}`,
      );
    }
    return { results };
  },
};
