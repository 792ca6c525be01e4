/** Where things live. The same layout holds in the course repository and in an exported template. */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The repository (or template) root: two folders above this package. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const CLASSROOM_DIR = fileURLToPath(new URL('../', import.meta.url));
export const EXERCISES_DIR = `${ROOT}exercises`;
export const SOLUTIONS_DIR = `${ROOT}solutions`;
export const EXERCISES_CONFIG = `${CLASSROOM_DIR}vitest.exercises.config.ts`;
export const PROGRESS_FILE = `${ROOT}.exercise-progress.json`;

/** Which copy of a student file the tests run against. */
export type Target = 'exercises' | 'solutions';

/** Set for the exercise tests so that helpers can point workers at the right copy. */
export const TARGET_ENV = 'COURSE_EXERCISE_TARGET';

export function hasSolutions(root = ROOT): boolean {
  return existsSync(`${root}solutions`);
}
