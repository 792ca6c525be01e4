/** Terminal styling that turns itself off when output is not a TTY (or NO_COLOR is set). */
import { styleText } from 'node:util';

type StyleName = Parameters<typeof styleText>[0];

export function useColor(stream: NodeJS.WriteStream = process.stdout): boolean {
  return Boolean(stream.isTTY) && !process.env.NO_COLOR;
}

export function paint(style: StyleName, text: string, enabled = useColor()): string {
  return enabled ? styleText(style, text) : text;
}
