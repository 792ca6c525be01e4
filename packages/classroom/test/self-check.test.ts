/**
 * Every manifest entry is complete — a stub with a TODO, a finished solution with the same
 * header, a test file, hints — and no stray file sits next to them. (That the solutions pass
 * and the stubs fail is checked in template.test.ts, in an exported template.)
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exercisePaths, loadCourse } from '../src/manifest.ts';
import { ROOT } from '../src/paths.ts';

const course = loadCourse();
/** The leading doc comment: stub and solution must tell the same story. */
function header(file: string): string {
  return /^\/\*\*[\s\S]*?\*\//.exec(readFileSync(join(ROOT, file), 'utf8'))?.[0] ?? '';
}

describe('the course', () => {
  it('has at least five exercises in every numbered chapter', () => {
    // The capstone is one project, graded by many tests.
    for (const chapter of course.chapters.filter((c) => c.chapter !== 'capstone')) {
      expect(chapter.exercises.length, `exercises in ${chapter.chapter}`).toBeGreaterThanOrEqual(5);
    }
  });

  it('keeps no stray files next to the exercises or the solutions', () => {
    for (const chapter of course.chapters) {
      const expectedStubs = chapter.exercises.flatMap((e) => [e.file, e.tests]);
      // A chapter may keep its tests' helpers (never student code) in a grading/ folder.
      const stubs = readdirSync(join(ROOT, 'exercises', chapter.chapter))
        .filter((name) => name !== 'grading')
        .sort();
      expect(stubs, `files in exercises/${chapter.chapter}`).toEqual(
        ['manifest.json', ...expectedStubs].sort(),
      );
      const solutions = readdirSync(join(ROOT, 'solutions', chapter.chapter)).sort();
      expect(solutions, `files in solutions/${chapter.chapter}`).toEqual(
        chapter.exercises.map((e) => e.file).sort(),
      );
    }
    const chapters = course.chapters.map((c) => c.chapter).sort();
    expect(readdirSync(join(ROOT, 'exercises')).sort(), 'chapters under exercises/').toEqual(
      chapters,
    );
    expect(readdirSync(join(ROOT, 'solutions')).sort(), 'chapters under solutions/').toEqual(
      chapters,
    );
  });
});

describe.each(course.exercises.map((e) => [e.id, e] as const))('exercise %s', (id, exercise) => {
  const paths = exercisePaths(exercise);

  it('has a stub with a TODO, a solution with the same header, tests and hints', () => {
    expect(existsSync(join(ROOT, paths.tests)), paths.tests).toBe(true);
    expect(readFileSync(join(ROOT, paths.stub), 'utf8'), `${paths.stub} marks its gap`).toContain(
      '// TODO',
    );
    expect(
      readFileSync(join(ROOT, paths.solution), 'utf8'),
      `${paths.solution} is finished`,
    ).not.toContain('TODO');
    expect(header(paths.stub), `header of ${paths.stub}`).not.toBe('');
    expect(header(paths.stub), `${paths.stub} and ${paths.solution} share their header`).toBe(
      header(paths.solution),
    );
    expect(header(paths.stub), 'the header names the exercise').toContain(id);
    expect(exercise.hints.length).toBeGreaterThan(0);
  });
});
