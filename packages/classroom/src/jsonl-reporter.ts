/**
 * A vitest reporter that appends one JSON line per finished test file to the path in
 * COURSE_RESULTS_FILE. Written as each file ends, so results survive even when the grader
 * has to stop a run that hangs (a student's infinite loop blocks its worker for good).
 * The same file carries heartbeat.ts's `beat` lines, so the grader can tell a hang from a
 * slow test.
 */
import { appendFileSync } from 'node:fs';
import type { Reporter, TestModule } from 'vitest/node';

export interface TestLine {
  name: string;
  state: 'passed' | 'failed' | 'skipped' | 'pending';
  message?: string;
  /** Milliseconds the test took, as vitest measured it. */
  duration?: number;
}

export interface ModuleLine {
  kind: 'end';
  file: string;
  tests: TestLine[];
  /** Errors outside any test, e.g. the file failed to import. */
  errors: string[];
}

/** "This file is still making progress"; `test` names a test as it starts. */
export interface BeatLine {
  kind: 'beat';
  file: string;
  test?: string;
}

export type ResultLine = ModuleLine | BeatLine;

export const RESULTS_FILE_ENV = 'COURSE_RESULTS_FILE';

export default class JsonLinesReporter implements Reporter {
  onTestModuleEnd(module: TestModule): void {
    const target = process.env[RESULTS_FILE_ENV];
    if (!target) return;
    const tests: TestLine[] = [];
    for (const test of module.children.allTests()) {
      const result = test.result();
      const message = result.errors?.[0]?.message;
      const duration = test.diagnostic()?.duration;
      tests.push({
        name: test.fullName,
        state: result.state,
        ...(message ? { message } : {}),
        ...(duration === undefined ? {} : { duration: Math.round(duration) }),
      });
    }
    const line: ModuleLine = {
      kind: 'end',
      file: module.moduleId,
      tests,
      errors: module.errors().map((error) => error.message),
    };
    appendFileSync(target, `${JSON.stringify(line)}\n`);
  }
}
