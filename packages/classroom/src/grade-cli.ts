/**
 * npm run grade                 every exercise
 * npm run grade -- 3.1          one chapter
 * npm run grade -- 3.1/02       one exercise
 *   --report FILE               also write the result as JSON
 *   --classroom                 write each exercise's Classroom result to $GITHUB_OUTPUT
 *   --solutions                 (instructors) grade the reference solutions instead
 * Exit code 0 when every selected exercise passes, 1 otherwise, 2 on a usage error.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { useColor } from '@course/course-kit';
import { runCli } from './cli.ts';
import { formatRun } from './exercise-view.ts';
import { formatGradeTable, grade } from './grade.ts';
import { loadCourse } from './manifest.ts';
import { hasSolutions } from './paths.ts';
import { runnerName, toClassroomResult, toReport } from './scoring.ts';

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      report: { type: 'string' },
      classroom: { type: 'boolean' },
      solutions: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
  });
  if (values.help) {
    console.log('usage: npm run grade -- [3.1 | 3.1/02] [--report FILE] [--classroom]');
    return 0;
  }
  if (positionals.length > 1)
    throw new Error(`expected at most one chapter or exercise, got ${positionals.join(' ')}`);
  if (values.solutions && !hasSolutions())
    throw new Error(
      '--solutions needs the solutions/ folder, which a student template does not have',
    );

  const scored = await grade(
    loadCourse(),
    positionals[0],
    values.solutions ? { target: 'solutions' } : {},
  );
  // One exercise: every failing test in full first, as watch mode shows it; the total stays last.
  const [only] = scored;
  if (scored.length === 1 && only && only.status !== 'pass')
    console.log(`${formatRun(only, useColor())}\n`);
  console.log(formatGradeTable(scored, useColor()));

  if (values.report) {
    // npm runs scripts from the root; a relative path means relative to where the student typed it.
    const file = resolve(process.env.INIT_CWD ?? process.cwd(), values.report);
    writeFileSync(file, `${JSON.stringify(toReport(scored), null, 2)}\n`);
  }
  if (values.classroom) {
    const output = process.env.GITHUB_OUTPUT;
    if (!output)
      throw new Error(
        '--classroom writes to $GITHUB_OUTPUT, which is not set (it is inside GitHub Actions)',
      );
    const lines = scored.map((s) => {
      const encoded = Buffer.from(JSON.stringify(toClassroomResult(s))).toString('base64');
      return `${runnerName(s.exercise.id)}=${encoded}\n`;
    });
    appendFileSync(output, lines.join(''));
  }
  return scored.every((s) => s.status === 'pass') ? 0 : 1;
}

runCli(main);
