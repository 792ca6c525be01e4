/** gevent-style structures for async tasks on one event loop. */
export { AsyncResult } from './async-result.ts';
export { Deque } from './deque.ts';
export * from './errors.ts';
export { Event } from './event.ts';
export { Group, type GroupTask } from './group.ts';
export { JoinableQueue } from './joinable-queue.ts';
export { Lock } from './lock.ts';
export { Queue } from './queue.ts';
export { BoundedSemaphore, Semaphore } from './semaphore.ts';
export type { WaitOptions } from './waiters.ts';
