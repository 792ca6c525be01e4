/**
 * Chapter 3.1 as the shared runner sees it: five sections in the original's order, and the
 * frame inspector, run only by name (`npm run chapter:3.1 -- inspect`).
 */
import type { Chapter } from '@course/course-kit';
import { framesSection } from './sections/frames.ts';
import { handshakeSection } from './sections/handshake.ts';
import { inspectSection } from './sections/inspect.ts';
import { magicGuidSection } from './sections/magic-guid.ts';
import { serverSection } from './sections/server.ts';
import { wireSection } from './sections/wire.ts';

export const chapter: Chapter = {
  id: '3.1',
  title: 'A WebSocket server from raw TCP',
  sections: [
    wireSection,
    handshakeSection,
    magicGuidSection,
    serverSection,
    framesSection,
    inspectSection,
  ],
};
