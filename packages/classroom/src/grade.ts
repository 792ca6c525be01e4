/** Grades a selection of exercises and renders the table students see. */
import { formatTable, paint } from '@course/course-kit';
import { type Course, selectExercises } from './manifest.ts';
import { type RunOptions, runExercises } from './runner.ts';
import { type ScoredExercise, scoreRun } from './scoring.ts';

export async function grade(
  course: Course,
  selector: string | undefined,
  options: Pick<RunOptions, 'target' | 'root' | 'timeoutMs' | 'stallMs' | 'signal'> = {},
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
  const table = formatTable(['exercise', 'title', 'points', 'result', 'first failure'], rows);
  // Where to look next, for the first exercise not yet passing; the total stays the last line.
  const miss = scored.length > 1 ? scored.find((s) => s.status !== 'pass') : undefined;
  const next = miss
    ? `\nevery failure of ${miss.exercise.id}: npm run grade -- ${miss.exercise.id} · a hint: npm run exercise -- hint ${miss.exercise.id}\n`
    : '';
  return `${table}\n${next}\nPoints ${total}/${max}`;
}
