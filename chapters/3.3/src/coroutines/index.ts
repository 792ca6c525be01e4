export * from './fibonacci.ts';
export * from './grep.ts';
export * from './lazy-vs-eager.ts';
export * from './lines.ts';
export * from './scheduler.ts';
