export * from './chapter.ts';
export * from './key-counter.ts';
export * from './spawn-ts.ts';
export * from './style.ts';
export * from './table.ts';
export * from './waits.ts';
