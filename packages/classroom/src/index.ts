/** The classroom tooling; exercise tests import the helpers by path (e.g. `@course/classroom/matchers`). */
export * from './bytes.ts';
export * from './concurrency.ts';
export * from './export.ts';
export * from './grade.ts';
export * from './lock-table.ts';
export * from './manifest.ts';
export * from './progress.ts';
export * from './runner.ts';
export * from './scoring.ts';
export * from './target.ts';
export * from './workflow.ts';
