export { chapter } from './chapter.ts';
export { measureText, type TextSize } from './text-size.ts';
