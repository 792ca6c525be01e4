/**
 * Chapter 3.1 command line.
 * Run:  npm run chapter:3.1 [-- <section> | --list | --help]
 */
import { chapterMain } from '@course/course-kit';
import { chapter } from './chapter.ts';

await chapterMain(chapter);
