/**
 * What a student has done, kept in `.exercise-progress.json` at the root (git ignores it),
 * so `npm run exercise -- watch` resumes where they stopped.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Course, Exercise } from './manifest.ts';

export interface Progress {
  /** Exercises whose tests all passed at least once. */
  passed: string[];
  /** How many hints of each exercise have been shown. */
  hintsShown: Record<string, number>;
}

export function emptyProgress(): Progress {
  return { passed: [], hintsShown: {} };
}

/** Reads the file; a missing or damaged file starts fresh rather than stopping the student. */
export function loadProgress(file: string): Progress {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return emptyProgress();
  }
  const record = (raw ?? {}) as Partial<Progress>;
  const passed = Array.isArray(record.passed)
    ? record.passed.filter((id) => typeof id === 'string')
    : [];
  const hintsShown: Record<string, number> = {};
  for (const [id, count] of Object.entries(record.hintsShown ?? {})) {
    if (Number.isInteger(count) && count > 0) hintsShown[id] = count;
  }
  return { passed, hintsShown };
}

export function saveProgress(file: string, progress: Progress): void {
  writeFileSync(file, `${JSON.stringify(progress, null, 2)}\n`);
}

export function markPassed(progress: Progress, id: string): void {
  if (!progress.passed.includes(id)) progress.passed.push(id);
}

/** The first exercise, in course order, that has not passed yet. */
export function nextExercise(course: Course, progress: Progress): Exercise | undefined {
  return course.exercises.find((e) => !progress.passed.includes(e.id));
}

export interface Hint {
  text: string;
  number: number;
  of: number;
}

/** Reveals the next hint (or repeats the last one once all are shown). */
export function takeHint(progress: Progress, exercise: Exercise): Hint {
  const shown = progress.hintsShown[exercise.id] ?? 0;
  const number = Math.min(shown + 1, exercise.hints.length);
  progress.hintsShown[exercise.id] = number;
  return { text: exercise.hints[number - 1] ?? '', number, of: exercise.hints.length };
}

/** "hint 2 of 3 for 3.1/02" — and, on the last one, that there are no more. */
export function hintHeading(hint: Hint, exercise: Exercise): string {
  const last = hint.number === hint.of ? ' (the last one)' : '';
  return `hint ${hint.number} of ${hint.of}${last} for ${exercise.id}`;
}
