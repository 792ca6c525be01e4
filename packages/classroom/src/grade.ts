/** Grades a selection of exercises and renders the table students see. */
import { formatTable, paint } from '@course/course-kit';
import { type Course, selectExercises } from './manifest.ts';
import type { Target } from './paths.ts';
import { runExercises } from './runner.ts';
import { type ScoredExercise, scoreRun } from './scoring.ts';

export async function grade(
  course: Course,
  selector: string | undefined,
  options: { target?: Target; root?: string; timeoutMs?: number } = {},
): Promise<ScoredExercise[]> {
  const exercises = selectExercises(course, selector);
  const runs = await runExercises(exercises, options);
  return runs.map(scoreRun);
}

const MESSAGE_WIDTH = 90;

function clip(text: string): string {
  return text.length > MESSAGE_WIDTH ? `${text.slice(0, MESSAGE_WIDTH - 1)}…` : text;
}

export function formatGradeTable(scored: readonly ScoredExercise[], color = false): string {
  const rows = scored.map((s) => [
    s.exercise.id,
    s.exercise.title,
    `${s.points}/${s.max}`,
    s.status === 'pass' ? paint('green', 'pass', color) : paint('red', s.status, color),
    s.status === 'pass' ? '' : clip(s.message),
  ]);
  const total = scored.reduce((sum, s) => sum + s.points, 0);
  const max = scored.reduce((sum, s) => sum + s.max, 0);
  return `${formatTable(['exercise', 'title', 'points', 'result', 'first failure'], rows)}\n\nPoints ${total}/${max}`;
}
