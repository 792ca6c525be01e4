/**
 * One manifest per chapter (`exercises/<chapter>/manifest.json`) declares its exercises.
 * The validator is hand-written so the template needs no schema library; every problem is
 * reported with the JSON path where it was found.
 *
 * A chapter folder is a chapter number ("3.1") or "capstone", the project that closes the
 * course (`capstone/01`); it sorts after the numbered chapters.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXERCISES_DIR } from './paths.ts';

export interface Exercise {
  /** `<chapter>/<nn>`, e.g. "3.1/02" or "capstone/01" — what students type. */
  id: string;
  title: string;
  /** The student's file, relative to the chapter folder, e.g. "02-unmask.ts". */
  file: string;
  /** The test file next to it, e.g. "02-unmask.test.ts". */
  tests: string;
  points: number;
  hints: string[];
}

export interface ChapterManifest {
  chapter: string;
  title: string;
  exercises: Exercise[];
}

export interface Course {
  chapters: ChapterManifest[];
  exercises: Exercise[];
}

const CHAPTER_KEYS = ['chapter', 'title', 'exercises'];
const EXERCISE_KEYS = ['id', 'title', 'file', 'tests', 'points', 'hints'];
const MAX_POINTS = 100;
/** `<chapter>/<nn>`, where a chapter is a chapter number or the capstone. */
const EXERCISE_ID = /^(\d+\.\d+|capstone)\/(\d{2})$/;
/** The same, as students may type it: "3.1/2" or "capstone/1" too. */
const EXERCISE_SELECTOR = /^(\d+\.\d+|capstone)\/(\d{1,2})$/;

export class ManifestError extends Error {
  override name = 'ManifestError';
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: ${problems.join('; ')}`);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function unknownKeys(value: Record<string, unknown>, allowed: string[], at: string): string[] {
  return Object.keys(value)
    .filter((key) => !allowed.includes(key))
    .map((key) => `${at}.${key} is not a known field (allowed: ${allowed.join(', ')})`);
}

function nonEmptyString(value: unknown, at: string, problems: string[]): value is string {
  if (typeof value === 'string' && value.trim() !== '') return true;
  problems.push(`${at} must be a non-empty string`);
  return false;
}

function checkExercise(raw: unknown, chapter: string, at: string, problems: string[]): void {
  if (!isRecord(raw)) {
    problems.push(`${at} must be an object`);
    return;
  }
  problems.push(...unknownKeys(raw, EXERCISE_KEYS, at));
  const { id, title, file, tests, points, hints } = raw;
  nonEmptyString(title, `${at}.title`, problems);
  const number = typeof id === 'string' ? EXERCISE_ID.exec(id) : null;
  if (!number) problems.push(`${at}.id must look like "${chapter}/01"`);
  else if (number[1] !== chapter) problems.push(`${at}.id "${id}" is not in chapter ${chapter}`);
  if (nonEmptyString(file, `${at}.file`, problems)) {
    if (!/^\d{2}-[a-z0-9]+(-[a-z0-9]+)*\.ts$/.test(file))
      problems.push(`${at}.file "${file}" must be named like "01-accept-key.ts"`);
    else if (number && !file.startsWith(`${number[2]}-`))
      problems.push(`${at}.file "${file}" must start with the exercise number ${number[2]}`);
    if (tests !== file.replace(/\.ts$/, '.test.ts'))
      problems.push(`${at}.tests must be "${file.replace(/\.ts$/, '.test.ts')}"`);
  }
  if (typeof points !== 'number' || !Number.isInteger(points) || points < 1 || points > MAX_POINTS)
    problems.push(`${at}.points must be a whole number from 1 to ${MAX_POINTS}`);
  if (!Array.isArray(hints) || hints.length === 0)
    problems.push(`${at}.hints needs at least one hint`);
  else for (const [i, hint] of hints.entries()) nonEmptyString(hint, `${at}.hints[${i}]`, problems);
}

/** Checks a parsed manifest; returns it typed, or throws every problem at once. */
export function validateManifest(
  raw: unknown,
  expectedChapter: string,
  file = 'manifest',
): ChapterManifest {
  const problems: string[] = [];
  if (!isRecord(raw)) throw new ManifestError(file, ['the manifest must be a JSON object']);
  problems.push(...unknownKeys(raw, CHAPTER_KEYS, '$'));
  if (raw.chapter !== expectedChapter)
    problems.push(`$.chapter must be "${expectedChapter}" (the folder's name)`);
  nonEmptyString(raw.title, '$.title', problems);
  if (!Array.isArray(raw.exercises) || raw.exercises.length === 0) {
    problems.push('$.exercises must be a non-empty array');
  } else {
    for (const [i, entry] of raw.exercises.entries())
      checkExercise(entry, expectedChapter, `$.exercises[${i}]`, problems);
    const ids = raw.exercises.map((entry) => (isRecord(entry) ? entry.id : undefined));
    ids.forEach((id, i) => {
      if (ids.indexOf(id) !== i) problems.push(`$.exercises[${i}].id "${String(id)}" is repeated`);
    });
  }
  if (problems.length > 0) throw new ManifestError(file, problems);
  return raw as unknown as ChapterManifest;
}

/** Reads every chapter's manifest, in chapter order. */
export function loadCourse(exercisesDir = EXERCISES_DIR): Course {
  const chapters = readdirSync(exercisesDir, { withFileTypes: true })
    .filter(
      (entry) => entry.isDirectory() && existsSync(join(exercisesDir, entry.name, 'manifest.json')),
    )
    .map((entry) => entry.name)
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
    .map((chapter) => {
      const file = join(exercisesDir, chapter, 'manifest.json');
      let raw: unknown;
      try {
        raw = JSON.parse(readFileSync(file, 'utf8'));
      } catch (error) {
        throw new ManifestError(file, [`not valid JSON: ${(error as Error).message}`]);
      }
      return validateManifest(raw, chapter, file);
    });
  return { chapters, exercises: chapters.flatMap((c) => c.exercises) };
}

export function chapterOf(exercise: Exercise): string {
  return exercise.id.split('/')[0] ?? '';
}

/** Paths of an exercise's files relative to the root, e.g. "exercises/3.1/02-unmask.ts". */
export function exercisePaths(exercise: Exercise) {
  const chapter = chapterOf(exercise);
  return {
    stub: `exercises/${chapter}/${exercise.file}`,
    tests: `exercises/${chapter}/${exercise.tests}`,
    solution: `solutions/${chapter}/${exercise.file}`,
  };
}

/**
 * "" → every exercise; "3.1" or "capstone" → a chapter; "3.1/02" (or "3.1/2", "capstone/1")
 * → one exercise.
 */
export function selectExercises(course: Course, selector?: string): Exercise[] {
  if (!selector || selector === 'all') return course.exercises;
  const one = EXERCISE_SELECTOR.exec(selector);
  if (one) {
    const id = `${one[1]}/${(one[2] ?? '').padStart(2, '0')}`;
    const found = course.exercises.find((e) => e.id === id);
    if (found) return [found];
    throw new Error(`no exercise "${selector}"; run \`npm run exercise -- list\` to see them`);
  }
  const chapter = course.exercises.filter((e) => chapterOf(e) === selector);
  if (chapter.length > 0) return chapter;
  const known = course.chapters.map((c) => c.chapter).join(', ');
  throw new Error(`no chapter or exercise "${selector}"; chapters are ${known}`);
}
