/** Chapter 3.2's sections, in the original chapter's order. */
import type { Chapter, Section } from '@course/course-kit';
import { concepts } from './sections/concepts.ts';
import { gil } from './sections/gil.ts';
import { locks } from './sections/locks.ts';
import { processes } from './sections/processes.ts';
import { threads } from './sections/threads.ts';
import { websocket } from './sections/websocket.ts';

/**
 * Ctrl-C aborts ctx.signal; the section's workers and children are then closed, and the
 * requests still waiting on them fail. That failure is the expected end of an interrupted
 * run, so it is reported as one line instead of a stack trace.
 */
function quietWhenInterrupted(section: Section): Section {
  return {
    ...section,
    async run(ctx) {
      try {
        return await section.run(ctx);
      } catch (error) {
        if (!ctx.signal.aborted) throw error;
        ctx.say(`interrupted: ${section.id} stopped its workers and child processes`);
        return undefined;
      }
    },
  };
}

export const chapter: Chapter = {
  id: '3.2',
  title: 'Multithreaded service: threads, locks, the GIL lesson, processes, offloading',
  sections: [concepts, threads, locks, gil, processes, websocket].map(quietWhenInterrupted),
};
