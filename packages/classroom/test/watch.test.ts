import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Course, Exercise } from '../src/manifest.ts';
import { emptyProgress, loadProgress } from '../src/progress.ts';
import { type ScoredExercise, scoreRun } from '../src/scoring.ts';
import { WatchSession } from '../src/watch.ts';

const exercises: Exercise[] = [1, 2].map((n) => ({
  id: `9.9/0${n}`,
  title: `exercise ${n}`,
  file: `0${n}-thing.ts`,
  tests: `0${n}-thing.test.ts`,
  points: 4,
  hints: ['first hint', 'second hint'],
}));
const course: Course = { chapters: [{ chapter: '9.9', title: 'test', exercises }], exercises };
const dirs: string[] = [];
const sessions: WatchSession[] = [];

afterEach(() => {
  for (const session of sessions.splice(0)) session.stop();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A session over a temp folder whose fake grader passes when the file says "done". */
function setup(poll: boolean) {
  const root = mkdtempSync(join(tmpdir(), 'course-watch-'));
  dirs.push(root);
  mkdirSync(join(root, 'exercises/9.9'), { recursive: true });
  for (const e of exercises) writeFileSync(join(root, 'exercises/9.9', e.file), '// TODO\n');
  const output: string[] = [];
  const progressFile = join(root, '.exercise-progress.json');
  const session = new WatchSession({
    root,
    course,
    progress: emptyProgress(),
    progressFile,
    poll,
    pollIntervalMs: 50,
    write: (text) => output.push(text),
    grade: async (exercise): Promise<ScoredExercise> => {
      const file = join(root, 'exercises/9.9', exercise.file);
      const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
      const passed = text.includes('done');
      return scoreRun({
        exercise,
        status: 'ran',
        tests: [{ name: 't > works', passed, message: 'not yet' }],
      });
    },
  });
  sessions.push(session);
  return { root, output, progressFile, session };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.each([
  ['file-system events', false],
  ['polling', true],
])('watch mode with %s', (_, poll) => {
  it('reruns on save, records the pass and moves on to the next exercise', async () => {
    const { root, output, progressFile, session } = setup(poll);
    await session.start();
    expect(session.current?.id).toBe('9.9/01');
    expect(output.join('')).toContain('✗ works');
    // mtime resolution can be coarse: make sure the saved file differs in size too.
    writeFileSync(join(root, 'exercises/9.9/01-thing.ts'), 'export const state = "done";\n');
    await until(() => session.current?.id === '9.9/02', 'the session moved on');
    expect(output.join('')).toContain('9.9/01 done. Next up:');
    expect(loadProgress(progressFile).passed).toEqual(['9.9/01']);
  });

  it('notices a save made by renaming a new file over the old one, as many editors do', async () => {
    const { root, output, session } = setup(poll);
    await session.start();
    const runs = session.runs;
    const target = join(root, 'exercises/9.9/01-thing.ts');
    writeFileSync(`${target}.tmp`, '// still TODO, but longer than before\n');
    renameSync(`${target}.tmp`, target);
    await until(() => session.runs > runs, 'the renamed save was graded');
    writeFileSync(`${target}.tmp`, 'export const state = "done";\n');
    renameSync(`${target}.tmp`, target);
    await until(() => session.current?.id === '9.9/02', 'a second renamed save was graded too');
    expect(output.join('')).toContain('9.9/01 done.');
  });
});

describe('watch mode without file-system events', () => {
  it('falls back to polling when the folder cannot be watched, and still sees the save', async () => {
    const { root, output, session } = setup(false);
    // fs.watch throws on a folder that does not exist; the file appears later.
    rmSync(join(root, 'exercises'), { recursive: true });
    await session.start();
    mkdirSync(join(root, 'exercises/9.9'), { recursive: true });
    writeFileSync(join(root, 'exercises/9.9/01-thing.ts'), 'export const state = "done";\n');
    await until(() => session.current?.id === '9.9/02', 'the polled save was graded');
    expect(output.join('')).toContain('9.9/01 done.');
  });
});

describe('watch mode keys', () => {
  it('shows the hints in order, lists progress and remembers the hints seen', async () => {
    const { output, progressFile, session } = setup(true);
    await session.start();
    session.key('h');
    session.key('h');
    session.key('l');
    const text = output.join('');
    expect(text).toContain('hint 1 of 2 for 9.9/01: first hint');
    expect(text).toContain('hint 2 of 2 (the last one) for 9.9/01: second hint');
    expect(text).toMatch(/▶ 9\.9\/01 +exercise 1 +4 +to do +2\/2/);
    expect(loadProgress(progressFile).hintsShown).toEqual({ '9.9/01': 2 });
    expect(session.key('q')).toBe(false);
  });

  it('resumes at the first exercise not done, from the progress saved by an earlier session', async () => {
    const earlier = setup(true);
    await earlier.session.start();
    earlier.session.key('h');
    writeFileSync(
      join(earlier.root, 'exercises/9.9/01-thing.ts'),
      'export const state = "done";\n',
    );
    await until(() => earlier.session.current?.id === '9.9/02', 'the first session moved on');
    earlier.session.stop();
    const output: string[] = [];
    const later = new WatchSession({
      ...earlier.session.options,
      progress: loadProgress(earlier.progressFile),
      write: (text) => output.push(text),
    });
    sessions.push(later);
    await later.start();
    expect(later.current?.id, 'where the second session starts').toBe('9.9/02');
    later.key('l');
    expect(output.join('')).toMatch(/9\.9\/01 +exercise 1 +4 +done +1\/2/);
  });

  it('starts fresh from a damaged progress file instead of failing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'course-progress-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'p.json'), '{ not json');
    expect(loadProgress(join(dir, 'p.json'))).toEqual(emptyProgress());
  });
});
