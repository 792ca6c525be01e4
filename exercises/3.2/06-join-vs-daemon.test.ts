/**
 * Runs the program as a student would (node --import tsx, what `npx tsx` does) and reads its
 * output. The daemon ticks for ever, so a program that exits at all did not wait for it — unless
 * it was forced out: grading/06-exit-watch.mjs, preloaded, reports process.exit() and
 * worker.terminate() calls on stderr. Every wait is bounded, and a program still running at the
 * end is killed.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { studentModule } from '@course/classroom/target';
import { describe, expect, it } from 'vitest';

const PROGRAM = fileURLToPath(studentModule('./06-join-vs-daemon.ts', import.meta.url));
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const EXIT_WATCH = new URL('./grading/06-exit-watch.mjs', import.meta.url).href;
/** The prefix of the lines EXIT_WATCH writes to stderr (its MARKER). */
const FORCED = '[3.2/06 exit-watch] ';
/** Starting tsx on a busy machine takes seconds; this only bounds a program that hangs. */
const DONE_LIMIT_MS = 25_000;
/** With nothing but an unref()'d worker left, the process ends at once; this is generous. */
const EXIT_LIMIT_MS = 10_000;

const JOB_LINE = 'job: saw 3 daemon ticks';
const EXIT_LINE = 'main: the job worker exited with code 0';
const LAST_LINE = 'main: done';
const TICK = /^daemon: tick \d+$/;

interface ProgramRun {
  lines: string[];
  stderr: string;
  /** The calls that end a program by force, as EXIT_WATCH reported them: "process.exit(0)". */
  forced: string[];
  /** How the process ended. */
  exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  /** It was still running at the end of the bounded waits, and the test killed it. */
  killed: boolean;
}

function after<T>(ms: number, value: T): { promise: Promise<T>; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(value), ms);
  });
  return { promise, cancel: () => clearTimeout(timer) };
}

async function runProgram(): Promise<ProgramRun> {
  const child = spawn(process.execPath, ['--import', EXIT_WATCH, '--import', TSX, PROGRAM], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const run: ProgramRun = { lines: [], stderr: '', forced: [], exit: undefined, killed: false };
  let sawLastLine: () => void = () => {};
  const lastLine = new Promise<'done'>((resolve) => {
    sawLastLine = () => resolve('done');
  });
  createInterface({ input: child.stdout }).on('line', (line) => {
    run.lines.push(line);
    if (line === LAST_LINE) sawLastLine();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    run.stderr += chunk;
  });
  // 'close' comes after the process exited and its output was read to the end.
  const closed = new Promise<'closed'>((resolve) =>
    child.once('close', (code, signal) => {
      run.exit = { code, signal };
      resolve('closed');
    }),
  );
  const doneLimit = after(DONE_LIMIT_MS, 'limit' as const);
  const first = await Promise.race([lastLine, closed, doneLimit.promise]);
  doneLimit.cancel();
  if (first === 'done') {
    const exitLimit = after(EXIT_LIMIT_MS, 'limit' as const);
    await Promise.race([closed, exitLimit.promise]);
    exitLimit.cancel();
  }
  if (child.exitCode === null && child.signalCode === null) {
    run.killed = true;
    child.kill('SIGKILL');
  }
  const closeLimit = after(EXIT_LIMIT_MS, 'limit' as const);
  await Promise.race([closed, closeLimit.promise]); // the rest of its output
  closeLimit.cancel();
  const stderr = run.stderr.split('\n');
  run.forced = stderr
    .filter((line) => line.startsWith(FORCED))
    .map((line) => line.slice(FORCED.length));
  run.stderr = stderr.filter((line) => !line.startsWith(FORCED)).join('\n');
  return run;
}

let program: Promise<ProgramRun> | undefined;
/** One run serves every test: each checks a different part of the same output. */
const ran = () => {
  program ??= runProgram();
  return program;
};

/** How the run went, for failure messages. */
function story(run: ProgramRun): string {
  const ending = run.killed
    ? 'it was still running, and the test killed it'
    : `it exited with ${run.exit?.signal ?? `code ${run.exit?.code}`}`;
  const ticks = run.lines.filter((line) => TICK.test(line)).length;
  const others = run.lines.filter((line) => !TICK.test(line));
  const error = run.stderr.trim().split('\n')[0];
  return `${ending}; it printed ${JSON.stringify(others)} and ${ticks} "daemon: tick" lines${error ? `; stderr: ${error}` : ''}`;
}

/** Fails with `message` unless `condition` holds: the message is the whole failure. */
function check(condition: boolean, message: string): void {
  if (!condition) expect.fail(message);
}

function lineAt(run: ProgramRun, line: string, why: string): number {
  const at = run.lines.indexOf(line);
  check(at >= 0, `the program never printed "${line}" (${why}): ${story(run)}`);
  return at;
}

const JOB_WHY = "the job waits for the daemon's third tick";

describe('3.2/06 join a worker, leave a daemon', () => {
  it("joins the job worker: the job's line comes before the main program's last line", async () => {
    const run = await ran();
    const job = lineAt(run, JOB_LINE, JOB_WHY);
    const last = lineAt(run, LAST_LINE, 'its last line');
    check(
      job < last,
      `"${LAST_LINE}" came before the job's line: the main program did not wait for the job worker's 'exit' event (join): ${story(run)}`,
    );
  }, 60_000);

  it("prints the joined job's exit code between the job's line and its own last line", async () => {
    const run = await ran();
    const exit = lineAt(run, EXIT_LINE, "the code from the job's 'exit' event");
    const job = lineAt(run, JOB_LINE, JOB_WHY);
    const last = lineAt(run, LAST_LINE, 'its last line');
    check(
      job < exit && exit < last,
      `expected "${JOB_LINE}", then "${EXIT_LINE}", then "${LAST_LINE}": ${story(run)}`,
    );
  }, 60_000);

  it('exits by itself while its daemon still ticks: the daemon worker was unref()ed', async () => {
    const run = await ran();
    check(
      run.lines.some((line) => TICK.test(line)),
      `no "daemon: tick" line: the daemon worker never ran: ${story(run)}`,
    );
    check(
      !run.killed,
      `the program was still running ${EXIT_LIMIT_MS / 1000} s after "${LAST_LINE}" (or never got there): the daemon worker keeps it alive unless it is unref()ed: ${story(run)}`,
    );
    check(
      run.forced.length === 0,
      `the program called ${run.forced.join(' and ')}: a daemon is a worker the process does not wait for, so unref() it and let the program end by itself, without forcing it: ${story(run)}`,
    );
    check(
      run.exit?.code === 0 && run.exit.signal === null,
      `the program should exit with code 0: ${story(run)}`,
    );
  }, 60_000);
});
