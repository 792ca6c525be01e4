/**
 * A vitest reporter that appends one JSON line per finished test file to the path in
 * COURSE_RESULTS_FILE. Written as each file ends, so results survive even when the grader
 * has to stop a run that hangs (a student's infinite loop blocks its worker for good).
 */
import { appendFileSync } from 'node:fs';
import type { Reporter, TestModule } from 'vitest/node';

export interface TestLine {
  name: string;
  state: 'passed' | 'failed' | 'skipped' | 'pending';
  message?: string;
}

export interface ModuleLine {
  file: string;
  tests: TestLine[];
  /** Errors outside any test, e.g. the file failed to import. */
  errors: string[];
}

export const RESULTS_FILE_ENV = 'COURSE_RESULTS_FILE';

export default class JsonLinesReporter implements Reporter {
  onTestModuleEnd(module: TestModule): void {
    const target = process.env[RESULTS_FILE_ENV];
    if (!target) return;
    const tests: TestLine[] = [];
    for (const test of module.children.allTests()) {
      const result = test.result();
      const message = result.errors?.[0]?.message;
      tests.push({ name: test.fullName, state: result.state, ...(message ? { message } : {}) });
    }
    const line: ModuleLine = {
      file: module.moduleId,
      tests,
      errors: module.errors().map((error) => error.message),
    };
    appendFileSync(target, `${JSON.stringify(line)}\n`);
  }
}
