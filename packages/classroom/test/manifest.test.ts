import { describe, expect, it } from 'vitest';
import { ManifestError, selectExercises, validateManifest } from '../src/manifest.ts';

const exercise = {
  id: '3.1/01',
  title: 'Compute the accept key',
  file: '01-accept-key.ts',
  tests: '01-accept-key.test.ts',
  points: 5,
  hints: ['use sha1'],
};

function problems(raw: unknown, chapter = '3.1'): string[] {
  try {
    validateManifest(raw, chapter);
  } catch (error) {
    if (error instanceof ManifestError) return error.problems;
    throw error;
  }
  return [];
}

describe('validateManifest', () => {
  it('accepts a complete manifest', () => {
    expect(problems({ chapter: '3.1', title: 'WebSocket', exercises: [exercise] })).toEqual([]);
  });

  it('reports every problem at once, each with its JSON path', () => {
    const found = problems({
      chapter: '3.2',
      title: '',
      exercises: [{ ...exercise, id: '3.1/1', points: 0, hints: [], extra: true, tests: 'x.ts' }],
    });
    expect(found).toEqual(
      expect.arrayContaining([
        '$.chapter must be "3.1" (the folder\'s name)',
        '$.title must be a non-empty string',
        '$.exercises[0].extra is not a known field (allowed: id, title, file, tests, points, hints)',
        '$.exercises[0].id must look like "3.1/01"',
        '$.exercises[0].tests must be "01-accept-key.test.ts"',
        '$.exercises[0].points must be a whole number from 1 to 100',
        '$.exercises[0].hints needs at least one hint',
      ]),
    );
  });

  it('refuses repeated ids and files whose number does not match the id', () => {
    const found = problems({
      chapter: '3.1',
      title: 'WebSocket',
      exercises: [exercise, { ...exercise }, { ...exercise, id: '3.1/03' }],
    });
    expect(found).toContain('$.exercises[1].id "3.1/01" is repeated');
    expect(found).toContain(
      '$.exercises[2].file "01-accept-key.ts" must start with the exercise number 03',
    );
  });

  it('selects all, a chapter, or one exercise, and names the choices when nothing matches', () => {
    const course = validateManifest(
      { chapter: '3.1', title: 'WebSocket', exercises: [exercise] },
      '3.1',
    );
    const all = { chapters: [course], exercises: course.exercises };
    expect(selectExercises(all).length).toBe(1);
    expect(selectExercises(all, '3.1/1')[0]?.id).toBe('3.1/01');
    expect(() => selectExercises(all, '3.9')).toThrow(
      'no chapter or exercise "3.9"; chapters are 3.1',
    );
    expect(() => selectExercises(all, '3.1/07')).toThrow('npm run exercise -- list');
  });

  it('accepts the capstone as a chapter: capstone/01, selected by "capstone" or "capstone/1"', () => {
    const capstone = validateManifest(
      {
        chapter: 'capstone',
        title: 'Capstone',
        exercises: [
          {
            ...exercise,
            id: 'capstone/01',
            file: '01-game-room.ts',
            tests: '01-game-room.test.ts',
          },
        ],
      },
      'capstone',
    );
    const all = { chapters: [capstone], exercises: capstone.exercises };
    expect(selectExercises(all, 'capstone').map((e) => e.id)).toEqual(['capstone/01']);
    expect(selectExercises(all, 'capstone/1').map((e) => e.id)).toEqual(['capstone/01']);
    expect(
      problems(
        { chapter: 'capstone', title: 'Capstone', exercises: [{ ...exercise, id: 'final/01' }] },
        'capstone',
      ),
    ).toContain('$.exercises[0].id must look like "capstone/01"');
  });
});
