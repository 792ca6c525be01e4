/**
 * The course's promise about its own exercises, checked on every `npm test`: each reference
 * solution passes every test, each untouched stub fails every test (so no test passes
 * vacuously), and each manifest entry is complete with no stray files around it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { exercisePaths, loadCourse } from '../src/manifest.ts';
import { ROOT } from '../src/paths.ts';
import { type ExerciseRun, runExercises } from '../src/runner.ts';

const course = loadCourse();
const byId = (runs: ExerciseRun[]) => new Map(runs.map((run) => [run.exercise.id, run]));
let solutionRuns = new Map<string, ExerciseRun>();
let stubRuns = new Map<string, ExerciseRun>();

/** The leading doc comment: stub and solution must tell the same story. */
function header(file: string): string {
  return /^\/\*\*[\s\S]*?\*\//.exec(readFileSync(join(ROOT, file), 'utf8'))?.[0] ?? '';
}

beforeAll(async () => {
  // One after the other: the thread exercises start many workers, and two runs at once
  // would only make each slower on a small machine.
  solutionRuns = byId(await runExercises(course.exercises, { target: 'solutions' }));
  stubRuns = byId(await runExercises(course.exercises, { target: 'exercises' }));
}, 240_000);

describe('the course', () => {
  it('has at least five exercises in every chapter', () => {
    for (const chapter of course.chapters) {
      expect(chapter.exercises.length, `exercises in ${chapter.chapter}`).toBeGreaterThanOrEqual(5);
    }
  });

  it('keeps no stray files next to the exercises or the solutions', () => {
    for (const chapter of course.chapters) {
      const expectedStubs = chapter.exercises.flatMap((e) => [e.file, e.tests]);
      const stubs = readdirSync(join(ROOT, 'exercises', chapter.chapter)).sort();
      expect(stubs, `files in exercises/${chapter.chapter}`).toEqual(
        ['manifest.json', ...expectedStubs].sort(),
      );
      const solutions = readdirSync(join(ROOT, 'solutions', chapter.chapter)).sort();
      expect(solutions, `files in solutions/${chapter.chapter}`).toEqual(
        chapter.exercises.map((e) => e.file).sort(),
      );
    }
    const chapters = course.chapters.map((c) => c.chapter).sort();
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

  it('passes every test with the reference solution', () => {
    const run = solutionRuns.get(id);
    expect(run?.status, run?.error).toBe('ran');
    const failures = run?.tests.filter((t) => !t.passed).map((t) => `${t.name}: ${t.message}`);
    expect(failures, 'tests failing against the solution').toEqual([]);
  });

  it('fails every test with the untouched stub', () => {
    const run = stubRuns.get(id);
    expect(run?.status, run?.error).toBe('ran');
    const passing = run?.tests.filter((t) => t.passed).map((t) => t.name);
    expect(passing, 'tests that pass without any work: they prove nothing').toEqual([]);
  });

  it('gives every test at least one point', () => {
    const tests = solutionRuns.get(id)?.tests.length ?? 0;
    expect(tests, 'number of tests').toBeGreaterThan(0);
    expect(exercise.points, `points for ${tests} tests`).toBeGreaterThanOrEqual(tests);
  });
});
