/**
 * Chapter 3.2 — run every section, or one: see --help.
 * Run:    npm run chapter:3.2            (or: npm run chapter:3.2 -- 3.2.3 --json)
 */
import { chapterMain } from '@course/course-kit';
import { chapter } from './chapter.ts';

await chapterMain(chapter);
