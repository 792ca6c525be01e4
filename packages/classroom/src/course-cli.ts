/**
 * For instructors:
 *   npm run course -- export DIR     write a student template (no solutions) into DIR
 *   npm run course -- workflow       print the Classroom workflow the manifests produce
 *   npm run course -- check          validate every manifest
 */

import { resolve } from 'node:path';
import { runCli } from './cli.ts';
import { exportTemplate } from './export.ts';
import { loadCourse } from './manifest.ts';
import { generateWorkflow } from './workflow.ts';

const USAGE = 'usage: npm run course -- export DIR | workflow | check';

function main(argv: string[]): number {
  const [command, target] = argv;
  if (!command || command === '--help' || command === '-h') {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  const course = loadCourse();
  if (command === 'check') {
    const points = course.exercises.reduce((sum, e) => sum + e.points, 0);
    console.log(
      `${course.chapters.length} chapters, ${course.exercises.length} exercises, ${points} points: manifests are valid`,
    );
    return 0;
  }
  if (command === 'workflow') {
    process.stdout.write(generateWorkflow(course));
    return 0;
  }
  if (command === 'export') {
    if (!target) throw new Error(`export needs a folder; ${USAGE}`);
    const dir = resolve(process.env.INIT_CWD ?? process.cwd(), target);
    exportTemplate(course, dir);
    console.log(
      `student template written to ${dir}\nnext: cd ${target} && npm install && npm run grade   (scores 0 until solved)`,
    );
    return 0;
  }
  throw new Error(`unknown command "${command}"; ${USAGE}`);
}

runCli(main);
