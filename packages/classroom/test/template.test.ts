/**
 * The course's promise about its exercises, checked on every `npm test`, in the place that
 * matters — a freshly exported student template with its own install:
 *   - as shipped, every test of every exercise fails (no test passes vacuously): 0 points;
 *   - with the reference solutions copied over the stubs, every test passes: full marks;
 *   - the Classroom workflow's runners and points match the manifests, and the per-test
 *     scores it would upload add up to exactly what `npm run grade` reports.
 */
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportTemplate } from '../src/export.ts';
import { loadCourse } from '../src/manifest.ts';
import { ROOT } from '../src/paths.ts';
import { type ClassroomResult, type GradeReport, runnerName } from '../src/scoring.ts';
import { readWorkflowRunners, WORKFLOW_PATH } from '../src/workflow.ts';

const course = loadCourse();
const dir = mkdtempSync(join(tmpdir(), 'course-template-'));
const template = join(dir, 'template');

interface Graded {
  status: number | null;
  report: GradeReport;
  classroom: Map<string, ClassroomResult>;
}
let shipped: Graded;
let solved: Graded;
let installedWith = '';

function install(): string {
  const result = spawnSync(
    'npm',
    [
      'install',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--fetch-retries=1',
      '--fetch-timeout=30000',
    ],
    {
      cwd: template,
      encoding: 'utf8',
      timeout: 90_000,
      // npm can sit through a SIGTERM while a registry request hangs; the bound must end it.
      killSignal: 'SIGKILL',
    },
  );
  if (result.status === 0) return 'npm install';
  // No registry and no cache (an offline machine): borrow the course's own install.
  console.warn(
    `npm install failed in the template (${result.stderr.slice(-300)}); linking node_modules instead`,
  );
  rmSync(join(template, 'node_modules'), { recursive: true, force: true });
  symlinkSync(join(ROOT, 'node_modules'), join(template, 'node_modules'), 'dir');
  return 'linked node_modules';
}

/** Runs one of the template's commands the way its npm script does. */
function runInTemplate(
  cli: 'grade-cli' | 'exercise-cli',
  args: string[],
  env: Record<string, string> = {},
  input?: string,
): SpawnSyncReturns<string> {
  return spawnSync(
    process.execPath,
    [join(template, 'node_modules/tsx/dist/cli.mjs'), `packages/classroom/src/${cli}.ts`, ...args],
    {
      cwd: template,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1', ...env },
      timeout: 150_000,
      ...(input === undefined ? {} : { input }),
    },
  );
}

function gradeTemplate(name: string): Graded {
  const output = join(dir, `${name}.github-output`);
  const reportFile = join(dir, `${name}.json`);
  writeFileSync(output, '');
  const run = runInTemplate('grade-cli', ['--classroom', '--report', reportFile], {
    GITHUB_OUTPUT: output,
  });
  if (!existsSync(reportFile))
    throw new Error(`grading the template wrote no report:\n${run.stdout}\n${run.stderr}`);
  const classroom = new Map<string, ClassroomResult>();
  for (const line of readFileSync(output, 'utf8').split('\n').filter(Boolean)) {
    const [key = '', value = ''] = line.split('=', 2);
    classroom.set(
      key,
      JSON.parse(Buffer.from(value, 'base64').toString('utf8')) as ClassroomResult,
    );
  }
  return {
    status: run.status,
    report: JSON.parse(readFileSync(reportFile, 'utf8')) as GradeReport,
    classroom,
  };
}

beforeAll(() => {
  exportTemplate(course, template);
  installedWith = install();
  shipped = gradeTemplate('shipped');
  for (const chapter of course.chapters) {
    cpSync(join(ROOT, 'solutions', chapter.chapter), join(template, 'exercises', chapter.chapter), {
      recursive: true,
    });
  }
  solved = gradeTemplate('solved');
  // Its bounded steps in turn: the install (90 s) and two gradings (150 s each), with room left.
}, 420_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A test that grades in the template waits for a whole grading run (bounded at 150 s).
describe('the exported student template', { timeout: 180_000 }, () => {
  it('holds the exercises, the tooling and the workflow, and no solutions or course tests', () => {
    const top = readdirSync(template).filter(
      (name) => !['node_modules', 'package-lock.json', '.exercise-progress.json'].includes(name),
    );
    expect(top.sort()).toEqual([
      '.github',
      '.gitignore',
      'README.md',
      'docs',
      'exercises',
      'package.json',
      'packages',
      'tsconfig.base.json',
    ]);
    expect(readdirSync(join(template, 'packages')).sort()).toEqual([
      'classroom',
      'course-kit',
      'ws-core',
    ]);
    expect(
      existsSync(join(template, 'packages/classroom/test')),
      'the course tests stay behind',
    ).toBe(false);
    expect(
      existsSync(join(template, 'packages/course-kit/src/testing/chromium.ts')),
      "the Chromium launcher 3.1/08's browser test uses",
    ).toBe(true);
    expect(existsSync(join(template, 'packages/course-kit/src/spawn-ts.ts'))).toBe(true);
    expect(
      existsSync(join(template, 'packages/course-kit/src/redis/redis-server.ts')),
      "the redis-server launcher 3.4's tests use",
    ).toBe(true);
    expect(
      existsSync(join(template, 'packages/ws-core/src/index.ts')),
      'ws-core, which the capstone builds on',
    ).toBe(true);
    expect(
      existsSync(join(template, 'exercises/capstone/grading/reference-server.ts')),
      "the capstone's grading helpers",
    ).toBe(true);
    expect(existsSync(join(template, 'docs/capstone.md')), 'the capstone page').toBe(true);
    // Only the tools grading needs, pinned to the versions the course itself is tested with.
    const course = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    const own = JSON.parse(readFileSync(join(template, 'package.json'), 'utf8'));
    for (const [name, version] of Object.entries(own.devDependencies))
      expect(version, `${name} in the template`).toBe(course.devDependencies[name]);
    expect(Object.keys(own.devDependencies)).toEqual(
      expect.arrayContaining(['vitest', 'tsx', 'fast-check', 'ws', 'playwright-core', 'redis']),
    );
    if (installedWith === 'npm install')
      expect(lstatSync(join(template, 'node_modules')).isSymbolicLink(), 'its own install').toBe(
        false,
      );
  });

  it('scores 0 as shipped, every exercise failing (not erroring)', () => {
    expect(shipped.report.total).toBe(0);
    expect(shipped.report.max).toBe(course.exercises.reduce((sum, e) => sum + e.points, 0));
    expect(shipped.status, 'grade exit code with failures').toBe(1);
    const notFailing = shipped.report.exercises
      .filter((e) => e.status !== 'fail')
      .map((e) => `${e.id}: ${e.status} ${e.message}`);
    expect(notFailing).toEqual([]);
  });

  it('scores full marks with the reference solutions copied in', () => {
    const notPassing = solved.report.exercises
      .filter((e) => e.status !== 'pass')
      .map((e) => `${e.id}: ${e.message}`);
    expect(notPassing, 'exercises whose solution does not pass').toEqual([]);
    expect(solved.report.total).toBe(solved.report.max);
    expect(solved.status, 'grade exit code when everything passes').toBe(0);
  });

  it('uploads to Classroom exactly the points `npm run grade` reports, test by test', () => {
    for (const graded of [shipped, solved]) {
      for (const entry of graded.report.exercises) {
        const result = graded.classroom.get(runnerName(entry.id));
        expect(result?.max_score, `${entry.id} max_score`).toBe(entry.max);
        const uploaded = result?.tests.reduce((sum, t) => sum + t.score, 0);
        expect(uploaded, `${entry.id} uploaded score`).toBe(entry.points);
      }
    }
  });

  it('writes the --report JSON with exactly the promised fields', () => {
    expect(Object.keys(shipped.report)).toEqual(['total', 'max', 'exercises']);
    for (const entry of shipped.report.exercises)
      expect(Object.keys(entry), `fields of ${entry.id}`).toEqual([
        'id',
        'points',
        'max',
        'status',
        'message',
      ]);
  });

  it('grades one exercise with `grade -- 3.1/02`, its tests in full and the total last', () => {
    const reportFile = join(dir, 'one.json');
    const run = runInTemplate('grade-cli', ['3.1/2', '--report', reportFile]);
    const report = JSON.parse(readFileSync(reportFile, 'utf8')) as GradeReport;
    expect(report.exercises.map((e) => [e.id, e.status])).toEqual([['3.1/02', 'pass']]);
    expect(report).toMatchObject({ total: 5, max: 5 });
    expect(run.stdout.trim().split('\n').at(-1), 'the last line').toBe('Points 5/5');
    expect(run.status).toBe(0);
  });

  it('stops an endless loop with an error row naming the test, and grades the rest', () => {
    const stub = join(template, 'exercises/3.1/01-accept-key.ts');
    const solved = readFileSync(stub, 'utf8');
    writeFileSync(
      stub,
      solved.replace(/(computeAcceptKey\(key: string\): string \{)/, '$1\n  for (;;) {}'),
    );
    const reportFile = join(dir, 'loop.json');
    try {
      const run = runInTemplate('grade-cli', ['3.1', '--stall-limit', '5', '--report', reportFile]);
      expect(run.status, `grade exit code\n${run.stderr}`).toBe(1);
    } finally {
      writeFileSync(stub, solved);
    }
    const [looping, ...rest] = (JSON.parse(readFileSync(reportFile, 'utf8')) as GradeReport)
      .exercises;
    expect(looping).toMatchObject({ id: '3.1/01', status: 'error', points: 0 });
    expect(looping?.message).toMatch(
      /^no progress for 5 s \(an endless loop\? a blocking wait\?\) in the test "turns the RFC 6455 sample key/,
    );
    expect(rest.filter((e) => e.status !== 'pass').map((e) => `${e.id}: ${e.message}`)).toEqual([]);
  });

  it('finishes even when student code leaves a process running that holds the output open', () => {
    const stub = join(template, 'exercises/3.1/01-accept-key.ts');
    const solved = readFileSync(stub, 'utf8');
    const marker = `leftover-${process.pid}-${Date.now()}`;
    // A child that inherits the test run's stdout and stderr and never ends on its own.
    writeFileSync(
      stub,
      `import { spawn } from 'node:child_process';\nspawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', '${marker}'], { stdio: 'inherit' });\n${solved}`,
    );
    try {
      const run = runInTemplate('grade-cli', ['3.1/01']);
      // Before, the grader waited for ever on the pipes the child held (here: spawnSync's limit).
      expect(run.signal, 'the grader had to be killed').toBeNull();
      expect(run.stdout.trim().split('\n').at(-1)).toBe('Points 5/5');
    } finally {
      writeFileSync(stub, solved);
    }
    const stillRunning = readdirSync('/proc').filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker);
      } catch {
        return false;
      }
    });
    expect(stillRunning, 'processes the tests left running').toEqual([]);
  });

  it('refuses a --report it could not write before grading anything, in one line', () => {
    const missing = runInTemplate('grade-cli', [
      '3.1/01',
      '--report',
      '/no-such-folder/report.json',
    ]);
    expect(missing.status).toBe(2);
    expect(missing.stderr.trim()).toBe(
      'error: --report /no-such-folder/report.json: the folder /no-such-folder does not exist',
    );
    expect(missing.stdout).not.toContain('Points');
    const folder = runInTemplate('grade-cli', ['3.1/01', '--report', dir]);
    expect(folder.status).toBe(2);
    expect(folder.stderr).toContain('that is a folder; name a file');
    const empty = runInTemplate('grade-cli', ['3.1/01', '--report=']);
    expect(empty.status).toBe(2);
    expect(empty.stderr).toContain('--report needs a file name');
  });

  it('answers an unknown flag in one line of its own, not in parseArgs terms', () => {
    const run = runInTemplate('grade-cli', ['--bogus']);
    expect(run.status).toBe(2);
    expect(run.stderr.trim()).toBe('error: unknown option --bogus; --help lists the options');
  });

  it('shows hints one by one and lists progress recorded by grading, without watch mode', () => {
    const first = runInTemplate('exercise-cli', ['hint', '3.1/02']);
    const second = runInTemplate('exercise-cli', ['hint', '3.1/02']);
    expect(first.stdout).toContain('hint 1 of 3 for 3.1/02 (Unmask a payload):');
    expect(second.stdout).toContain('hint 2 of 3 for 3.1/02 (Unmask a payload):');
    const list = runInTemplate('exercise-cli', ['list']).stdout;
    expect(list).toMatch(/3\.1\/02 +Unmask a payload +5 +done +2\/3/);
    const all = course.exercises.length;
    expect(list.trim().split('\n').at(-1)).toBe(
      `${all} of ${all} done (${shipped.report.max}/${shipped.report.max} points)`,
    );
    const wrong = runInTemplate('exercise-cli', ['hint', '3.1']);
    expect(wrong.stderr.trim()).toBe('error: "3.1" is not one exercise; name one like 3.1/02');
    expect(wrong.status).toBe(2);
  });

  it('answers the watch keys typed into the terminal and quits on q without waiting', () => {
    const run = runInTemplate('exercise-cli', ['watch', '3.1/03'], {}, 'hlq');
    expect(run.stdout).toContain('working on 3.1/03: Encode a server frame');
    expect(run.stdout).toContain('hint 1 of 3 for 3.1/03:');
    expect(run.stdout).toMatch(/▶ 3\.1\/03 +Encode a server frame/);
    expect(run.status, `exit code\n${run.stderr}`).toBe(0);
  });

  it('declares one Classroom runner per exercise, wired the way the reporter reads it', () => {
    const yaml = readFileSync(join(template, WORKFLOW_PATH), 'utf8');
    expect(yaml).toContain('uses: classroom-resources/autograding-grading-reporter@v1');
    expect(yaml).toMatch(
      /id: grade\n(?:\s+#.*\n)?\s+continue-on-error: true\n\s+run: npm run grade -- --classroom\n/,
    );
    // Chapter 3.4's tests start redis-server, which the runner may lack: installed before grading,
    // and a failed install costs only 3.4's tests.
    expect(yaml).toMatch(
      /\n\s+- name: Install redis-server\n(?:\s+#.*\n)*\s+continue-on-error: true\n\s+run: command -v redis-server \|\| \(sudo apt-get update -q && sudo apt-get install -y -q --no-install-recommends redis-server\)\n\s+- name: Grade every exercise\n/,
    );
    // The runner has no /usr/bin/chromium; its Google Chrome serves 3.1/08's browser test.
    expect(yaml).toMatch(/\n\s+env:\n(?:\s+#.*\n)?\s+CHROMIUM_PATH: \/usr\/bin\/google-chrome\n/);
    const { runners, env } = readWorkflowRunners(yaml);
    expect(runners).toEqual(course.exercises.map((e) => runnerName(e.id)));
    // autograding-grading-reporter reads process.env[`${runner.toUpperCase()}_RESULTS`].
    expect(env.map((e) => e.env)).toEqual(runners.map((r) => `${r.toUpperCase()}_RESULTS`));
    for (const exercise of course.exercises) {
      const line = env.find((e) => e.id === exercise.id);
      expect(line?.output, `the grade step output for ${exercise.id}`).toBe(
        runnerName(exercise.id),
      );
      expect(line?.points, `points of ${exercise.id} in the workflow`).toBe(exercise.points);
      expect(shipped.classroom.has(line?.output ?? ''), `--classroom writes ${line?.output}`).toBe(
        true,
      );
    }
  });
});

describe.each(course.exercises.map((e) => [e.id] as const))('exercise %s', (id) => {
  const tests = (graded: Graded) => graded.classroom.get(runnerName(id))?.tests ?? [];

  it('fails every one of its tests with the untouched stub', () => {
    const passing = tests(shipped)
      .filter((t) => t.status === 'pass')
      .map((t) => t.name);
    expect(tests(shipped).length, 'tests run against the stub').toBeGreaterThan(0);
    expect(passing, 'tests that pass without any work prove nothing').toEqual([]);
  });

  it('passes every one of its tests with the reference solution', () => {
    const failing = tests(solved)
      .filter((t) => t.status !== 'pass')
      .map((t) => `${t.name}: ${t.message}`);
    expect(failing).toEqual([]);
  });

  it('gives every test at least one point', () => {
    const zero = tests(solved)
      .filter((t) => t.score < 1)
      .map((t) => t.name);
    expect(zero, 'tests worth nothing: raise the points or merge tests').toEqual([]);
  });
});
