export { chapter } from './chapter.ts';
