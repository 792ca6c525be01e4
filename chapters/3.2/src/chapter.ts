/** Chapter 3.2's sections, in the seed's order. */
import type { Chapter } from '@course/course-kit';
import { concepts } from './sections/concepts.ts';
import { gil } from './sections/gil.ts';
import { locks } from './sections/locks.ts';
import { processes } from './sections/processes.ts';
import { threads } from './sections/threads.ts';
import { websocket } from './sections/websocket.ts';

export const chapter: Chapter = {
  id: '3.2',
  title: 'Multithreaded service: threads, locks, the GIL lesson, processes, offloading',
  sections: [concepts, threads, locks, gil, processes, websocket],
};
