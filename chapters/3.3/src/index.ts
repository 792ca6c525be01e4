export { chapter } from './chapter.ts';
export * from './coroutines/index.ts';
export * from './pool/index.ts';
export * from './sync/index.ts';
export { tasks } from './tasks.ts';
