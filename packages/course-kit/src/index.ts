export * from './chapter.ts';
export * from './spawn-ts.ts';
export * from './style.ts';
export * from './table.ts';
