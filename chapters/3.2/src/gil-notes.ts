/**
 * What 3.2.3 says when a run does not look like the lesson's expected shape, so a reader on a
 * busy or odd machine is told why their figures differ instead of drawing the wrong conclusion.
 */
import type { GilRow } from './gil-lesson.ts';

/** Warm speedups outside this band on 2+ idle cores mean the machine was shared (or unusual). */
export const EXPECTED_WARM_SPEEDUP = { low: 1.5, high: 2.2 } as const;

export function shapeNotes(rows: readonly GilRow[], cores: number, workers: number): string[] {
  const notes: string[] = [];
  const sequential = rows[0];
  if (sequential && sequential.cores_used < 0.9)
    notes.push(
      `note: the sequential run kept only ${sequential.cores_used} of a core busy: other programs had the CPU, so every figure above is noisy.`,
    );
  const warm = rows.filter((r) => r.name.endsWith('warm'));
  const { low, high } = EXPECTED_WARM_SPEEDUP;
  if (cores >= 2 && workers >= 2 && warm.some((r) => r.speedup < low || r.speedup > high))
    notes.push(
      `note: on ${cores} idle cores expect warm speedups of about 1.8–2.0×; this run disagrees, most likely because the machine is shared.`,
    );
  return notes;
}
