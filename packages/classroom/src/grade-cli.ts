/**
 * npm run grade                 every exercise
 * npm run grade -- 3.1          one chapter
 * npm run grade -- 3.1/02       one exercise
 *   --report FILE               also write the result as JSON
 *   --classroom                 write each exercise's Classroom result to $GITHUB_OUTPUT
 *   --solutions                 (instructors) grade the reference solutions instead
 *   --stall-limit SECONDS       stop a test file that makes no progress for this long (15)
 * Exit code 0 when every selected exercise passes, 1 otherwise, 2 on a usage error.
 */
import { appendFileSync, existsSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { useColor } from '@course/course-kit';
import { runCli } from './cli.ts';
import { formatRun } from './exercise-view.ts';
import { formatGradeTable, grade } from './grade.ts';
import { loadCourse } from './manifest.ts';
import { hasSolutions, PROGRESS_FILE } from './paths.ts';
import { loadProgress, markPassed, saveProgress } from './progress.ts';
import { runnerName, toClassroomResult, toReport } from './scoring.ts';

const USAGE =
  'usage: npm run grade -- [3.1 | 3.1/02] [--report FILE] [--classroom] [--solutions] [--stall-limit SECONDS]';

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      report: { type: 'string' },
      classroom: { type: 'boolean' },
      solutions: { type: 'boolean' },
      'stall-limit': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length > 1)
    throw new Error(`expected at most one chapter or exercise, got ${positionals.join(' ')}`);
  if (values.solutions && !hasSolutions())
    throw new Error(
      '--solutions needs the solutions/ folder, which a student template does not have',
    );

  const stall = values['stall-limit'];
  const stallSeconds = stall === undefined ? undefined : Number(stall);
  if (stallSeconds !== undefined && !(Number.isInteger(stallSeconds) && stallSeconds > 0))
    throw new Error(`--stall-limit takes a whole number of seconds, got "${stall}"; ${USAGE}`);

  // Checked before grading, which can take minutes: a report that cannot be written is a
  // mistake on the command line, not something to learn at the end.
  const reportFile = values.report === undefined ? undefined : reportPath(values.report);

  const scored = await grade(loadCourse(), positionals[0], {
    ...(values.solutions ? { target: 'solutions' as const } : {}),
    ...(stallSeconds ? { stallMs: stallSeconds * 1000 } : {}),
  });
  // One exercise: every failing test in full first, as watch mode shows it; the total stays last.
  const [only] = scored;
  if (scored.length === 1 && only && only.status !== 'pass')
    console.log(`${formatRun(only, useColor())}\n`);
  console.log(formatGradeTable(scored, useColor()));
  if (!values.solutions) {
    // `npm run exercise -- list` shows what passed, whichever command graded it.
    const progress = loadProgress(PROGRESS_FILE);
    for (const s of scored) if (s.status === 'pass') markPassed(progress, s.exercise.id);
    saveProgress(PROGRESS_FILE, progress);
  }

  if (reportFile) writeFileSync(reportFile, `${JSON.stringify(toReport(scored), null, 2)}\n`);
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

/** Where --report writes; throws a one-line usage error when that cannot work. */
function reportPath(given: string): string {
  if (given.trim() === '') throw new Error(`--report needs a file name; ${USAGE}`);
  // npm runs scripts from the root; a relative path means relative to where the student typed it.
  const file = resolve(process.env.INIT_CWD ?? process.cwd(), given);
  if (!existsSync(dirname(file)) || !statSync(dirname(file)).isDirectory()) {
    throw new Error(`--report ${given}: the folder ${dirname(file)} does not exist`);
  }
  if (existsSync(file) && statSync(file).isDirectory()) {
    throw new Error(
      `--report ${given}: that is a folder; name a file, e.g. ${join(given, 'report.json')}`,
    );
  }
  return file;
}

runCli(main);
