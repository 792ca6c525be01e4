/** Chapter 3.2's sections, in the original chapter's order. */
import { type Chapter, quietWhenInterrupted } from '@course/course-kit';
import { concepts } from './sections/concepts.ts';
import { gil } from './sections/gil.ts';
import { locks } from './sections/locks.ts';
import { processes } from './sections/processes.ts';
import { threads } from './sections/threads.ts';
import { websocket } from './sections/websocket.ts';

export const chapter: Chapter = {
  id: '3.2',
  title: 'Multithreaded service: threads, locks, the GIL lesson, processes, offloading',
  // Ctrl-C closes a section's workers and children; the requests still waiting on them fail,
  // and that failure is said as one line instead of a stack trace.
  sections: [concepts, threads, locks, gil, processes, websocket].map((section) =>
    quietWhenInterrupted(section, `${section.id} stopped its workers and child processes`),
  ),
};
