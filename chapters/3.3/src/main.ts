/**
 * Chapter 3.3 — pools and coroutines.
 * Run:  npm run chapter:3.3            every section, with narration
 *       npm run chapter:3.3 -- --list  the sections; `-- 3.3.1 --json` for one, measured
 */
import { chapterMain } from '@course/course-kit';
import { chapter } from './chapter.ts';

await chapterMain(chapter);
