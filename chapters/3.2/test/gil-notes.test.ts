import { describe, expect, it } from 'vitest';
import type { GilRow } from '../src/gil-lesson.ts';
import { shapeNotes } from '../src/gil-notes.ts';

const row = (name: string, speedup: number, cores_used = 1): GilRow => ({
  name,
  wall_ms: 100 / speedup,
  cpu_ms: 100,
  speedup,
  efficiency: speedup / 2,
  cores_used,
  result: 216_816,
});

const expected = [
  row('sequential', 1),
  row('Promise.all on the main thread', 1),
  row('2 worker threads, warm', 1.9, 1.95),
  row('2 child processes, warm', 1.85, 1.9),
];

describe('3.2.3 notes when a machine disagrees', () => {
  it('says nothing when the run has the expected shape', () => {
    expect(shapeNotes(expected, 2, 2)).toEqual([]);
  });

  it('says so when a warm run falls short of the expected speedup on 2 cores', () => {
    const slow = [...expected.slice(0, 3), row('2 child processes, warm', 1.2, 1.3)];
    expect(shapeNotes(slow, 2, 2)).toEqual([
      'note: on 2 idle cores expect warm speedups of about 1.8–2.0×; this run disagrees, most likely because the machine is shared.',
    ]);
  });

  it('blames other programs when the sequential run did not get a whole core', () => {
    const busy = [row('sequential', 1, 0.6), ...expected.slice(1)];
    expect(shapeNotes(busy, 2, 2)).toEqual([
      'note: the sequential run kept only 0.6 of a core busy: other programs had the CPU, so every figure above is noisy.',
    ]);
  });

  it('expects no speedup from one worker or one core, so it does not complain about it', () => {
    const single = [row('sequential', 1), row('1 worker thread, warm', 1)];
    expect(shapeNotes(single, 2, 1)).toEqual([]);
    expect(shapeNotes(single, 1, 2)).toEqual([]);
  });
});
