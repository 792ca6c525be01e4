/**
 * Workers for both chapters: start a `.ts` module as a thread or a child, talk to it, learn
 * how it ended (`startWorker`, parent side; `connectToParent`, worker side), and the words and
 * error for a worker that threw or died.
 */
export * from './describe-thrown.ts';
export * from './end-thread.ts';
export * from './errors.ts';
export * from './parent-link.ts';
export * from './ready.ts';
export * from './start-worker.ts';
