/**
 * `npm run course -- export DIR`: a student template that installs and grades on its own.
 *
 * It holds the exercises (stubs, tests, manifests, the capstone's grading helpers), the
 * classroom tooling and the packages it needs — course-kit, for starting .ts workers, for its
 * redis-server launcher and for its test helpers (e.g. the Chromium launcher), and ws-core, the
 * WebSocket server the capstone builds on — a package.json with only the tools grading uses,
 * the students' docs and the Classroom workflow — never solutions/.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Course } from './manifest.ts';
import { ROOT } from './paths.ts';
import { generateWorkflow, WORKFLOW_PATH } from './workflow.ts';

/**
 * The root devDependencies a template needs to grade, at the course's exact versions. `ws` and
 * `playwright-core` are the real peers of the echo-server exercise (3.1/08): the `ws` client and
 * Debian's or the runner's Chromium (playwright-core downloads no browser). `redis` (node-redis)
 * is the client chapter 3.4's exercises are written with, against a real redis-server.
 */
const TEMPLATE_TOOLS = [
  'vitest',
  'vite',
  'tsx',
  'typescript',
  '@types/node',
  'fast-check',
  'ws',
  '@types/ws',
  'playwright-core',
  'redis',
];

/**
 * Folders copied as they are; tests and caches stay behind. course-kit's src/ includes its
 * test helpers (src/testing/) and src/redis/: the exercises' tests use the Chromium and
 * redis-server launchers there. ws-core's src/ is the library the capstone's server imports
 * (`@course/ws-core`).
 */
const COPIED = [
  'exercises',
  'packages/classroom/src',
  'packages/classroom/vitest.exercises.config.ts',
  'packages/classroom/tsconfig.json',
  'packages/course-kit/src',
  'packages/course-kit/tsconfig.json',
  'packages/ws-core/src',
  'packages/ws-core/tsconfig.json',
  'tsconfig.base.json',
];

export class ExportError extends Error {
  override name = 'ExportError';
}

function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}

function writeFile(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

function templatePackageJson(root: string): string {
  const course = readJson(join(root, 'package.json'));
  const devDependencies = (course.devDependencies ?? {}) as Record<string, string>;
  const tools = Object.fromEntries(
    TEMPLATE_TOOLS.filter((name) => devDependencies[name]).map((name) => [
      name,
      devDependencies[name],
    ]),
  );
  const pkg = {
    name: 'game-server-exercises',
    private: true,
    description:
      'Exercises for chapter 3 of the game-server course: solve them, watch them, grade them.',
    type: 'module',
    engines: { node: '>=20' },
    workspaces: ['packages/*'],
    scripts: {
      test: 'tsx packages/classroom/src/grade-cli.ts',
      grade: 'tsx packages/classroom/src/grade-cli.ts',
      exercise: 'tsx packages/classroom/src/exercise-cli.ts',
    },
    devDependencies: tools,
  };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

/**
 * A workspace package.json without the scripts that need files the template leaves out, and
 * without devDependencies: those serve the course's own tests (e.g. @course/ws-core for the
 * reference checks), which stay behind too.
 */
function trimmedPackageJson(path: string): string {
  const pkg = readJson(path);
  pkg.scripts = { typecheck: 'tsc -p tsconfig.json' };
  delete pkg.devDependencies;
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

function readme(course: Course): string {
  const rows = course.exercises.map((e) => `| ${e.id} | ${e.title} | ${e.points} |`);
  return `# Game server course — exercises

Solve each exercise in \`exercises/<chapter>/\`: the file marks what to write with \`// TODO\`,
and the \`.test.ts\` file next to it says what it must do. See [docs/exercises.md](docs/exercises.md).

\`\`\`sh
npm install
npm run exercise -- watch     # reruns the current exercise on every save (h: hint, l: progress)
npm run grade                 # every exercise, with your points
\`\`\`

| Exercise | Title | Points |
| --- | --- | --- |
${rows.join('\n')}
`;
}

export function exportTemplate(course: Course, target: string, root = ROOT): string[] {
  if (existsSync(target) && readdirSync(target).length > 0)
    throw new ExportError(`${target} is not empty; export into a new or empty folder`);
  const written: string[] = [];
  const put = (relative: string, text: string) => {
    writeFile(join(target, relative), text);
    written.push(relative);
  };
  for (const relative of COPIED) {
    cpSync(join(root, relative), join(target, relative), { recursive: true });
    written.push(relative);
  }
  put('package.json', templatePackageJson(root));
  put(
    'packages/classroom/package.json',
    trimmedPackageJson(join(root, 'packages/classroom/package.json')),
  );
  put(
    'packages/course-kit/package.json',
    trimmedPackageJson(join(root, 'packages/course-kit/package.json')),
  );
  put(
    'packages/ws-core/package.json',
    trimmedPackageJson(join(root, 'packages/ws-core/package.json')),
  );
  put('docs/exercises.md', readFileSync(join(root, 'docs/exercises.md'), 'utf8'));
  put('docs/capstone.md', readFileSync(join(root, 'docs/capstone.md'), 'utf8'));
  put('README.md', readme(course));
  put('.gitignore', 'node_modules/\n.exercise-progress.json\n*.log\n');
  put(WORKFLOW_PATH, generateWorkflow(course));
  return written;
}
