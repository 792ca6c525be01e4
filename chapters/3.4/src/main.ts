/**
 * Chapter 3.4 — One chat across processes and hosts, on Redis.
 * Run:  npm run chapter:3.4            every section, with narration
 *       npm run chapter:3.4 -- --list  the sections; `-- 3.4.1 --json` for one, measured
 */
import { chapterMain } from '@course/course-kit';
import { chapter } from './chapter.ts';

await chapterMain(chapter);
