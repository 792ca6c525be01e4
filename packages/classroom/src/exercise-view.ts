/** What `npm run exercise` prints: the progress list and one run's results. */
import { formatTable, paint } from '@course/course-kit';
import { type Course, type Exercise, exercisePaths } from './manifest.ts';
import type { Progress } from './progress.ts';
import type { ScoredExercise } from './scoring.ts';

export function formatProgress(
  course: Course,
  progress: Progress,
  current?: Exercise,
  color = false,
): string {
  const rows = course.exercises.map((e) => [
    `${e.id === current?.id ? '▶ ' : '  '}${e.id}`,
    e.title,
    e.points,
    progress.passed.includes(e.id) ? paint('green', 'done', color) : 'to do',
    `${progress.hintsShown[e.id] ?? 0}/${e.hints.length}`,
  ]);
  const done = course.exercises.filter((e) => progress.passed.includes(e.id));
  const points = done.reduce((sum, e) => sum + e.points, 0);
  const max = course.exercises.reduce((sum, e) => sum + e.points, 0);
  const table = formatTable(['exercise', 'title', 'points', 'status', 'hints'], rows);
  return `${table}\n\n${done.length} of ${course.exercises.length} done (${points}/${max} points)`;
}

export function formatRun(scored: ScoredExercise, color = false): string {
  const { exercise } = scored;
  const lines = [
    paint('bold', `${exercise.id} ${exercise.title} — ${exercisePaths(exercise).stub}`, color),
  ];
  if (scored.status === 'error') {
    lines.push(paint('red', `  error: ${scored.message}`, color));
  }
  for (const test of scored.tests) {
    const name = test.name.split(' > ').at(-1) ?? test.name;
    if (test.passed) lines.push(`  ${paint('green', '✓', color)} ${name}`);
    else
      lines.push(
        `  ${paint('red', '✗', color)} ${name}\n      ${(test.detail ?? test.message ?? '').replace(/\n/g, '\n      ')}`,
      );
  }
  lines.push(`  points ${scored.points}/${scored.max}`);
  return lines.join('\n');
}
