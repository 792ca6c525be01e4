/**
 * npm run exercise -- list             every exercise, with what you have done
 * npm run exercise -- hint 3.1/02      the next hint for an exercise
 * npm run exercise -- watch [3.1/02]   rerun the current exercise's tests on every save
 *                     [--poll]         poll the file instead of relying on file-system events
 */
import { parseArgs } from 'node:util';
import { useColor } from '@course/course-kit';
import { runCli } from './cli.ts';
import { formatProgress } from './exercise-view.ts';
import { grade } from './grade.ts';
import { loadCourse, selectExercises } from './manifest.ts';
import { PROGRESS_FILE, ROOT } from './paths.ts';
import { hintHeading, loadProgress, nextExercise, saveProgress, takeHint } from './progress.ts';
import { WatchSession } from './watch.ts';

const USAGE = 'usage: npm run exercise -- list | hint <id> | watch [<id>] [--poll]';

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { poll: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
  });
  const [command = 'watch', target] = positionals;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const course = loadCourse();
  const progress = loadProgress(PROGRESS_FILE);
  const color = useColor();
  const one = (id: string | undefined) => {
    if (!id) return undefined;
    const [exercise] = selectExercises(course, id);
    if (!exercise || !/\//.test(id))
      throw new Error(`"${id}" is not one exercise; name one like 3.1/02`);
    return exercise;
  };

  if (command === 'list') {
    console.log(formatProgress(course, progress, nextExercise(course, progress), color));
    return 0;
  }
  if (command === 'hint') {
    const exercise = one(target) ?? nextExercise(course, progress);
    if (!exercise)
      throw new Error('every exercise is done; name one to see its hints, e.g. hint 3.1/02');
    const hint = takeHint(progress, exercise);
    saveProgress(PROGRESS_FILE, progress);
    console.log(`${hintHeading(hint, exercise)} (${exercise.title}):\n${hint.text}`);
    return 0;
  }
  if (command !== 'watch') throw new Error(`unknown command "${command}"; ${USAGE}`);

  const start = one(target);
  // Quitting stops a run in progress too, instead of waiting for it (or for an endless loop).
  const quit = new AbortController();
  const session = new WatchSession({
    root: ROOT,
    course,
    progress,
    progressFile: PROGRESS_FILE,
    grade: async (exercise) => {
      const [scored] = await grade(course, exercise.id, { signal: quit.signal });
      if (!scored) throw new Error(`no result for ${exercise.id}`);
      return scored;
    },
    write: (text) => process.stdout.write(text),
    poll: values.poll === true,
    color,
    ...(start ? { start } : {}),
  });
  await new Promise<void>((resolve) => {
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      session.stop();
      quit.abort();
      if (process.stdin.isTTY) process.stdin.setRawMode(false);
      process.stdin.pause();
      resolve();
    };
    if (process.stdin.isTTY) process.stdin.setRawMode(true);
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (data: string) => {
      for (const key of data) if (!session.key(key)) finish();
    });
    process.stdin.on('end', finish);
    process.on('SIGINT', finish);
    session.options.onStop = finish;
    void session.start();
  });
  return 0;
}

runCli(main);
