/** Runs pool workers as child processes (`child_process.fork`) with an IPC channel. */
import { startWorker } from '@course/course-kit/workers';
import type { FromWorker, ToWorker } from './messages.ts';
import type { Runtime } from './runtime.ts';

const ENTRY = new URL('./process.child.ts', import.meta.url);

export interface ProcessRuntimeOptions {
  /**
   * Receives what the children write to stderr, instead of it going straight to ours. Tests
   * use it to assert on a crash they cause on purpose without printing its stack trace.
   */
  onStderr?: (text: string) => void;
}

/**
 * A child carries what a thread carries (startWorker forks with structured clone), and no
 * error travels with its exit: a child dying of an uncaught exception prints it, stack
 * included, on its stderr (ours, or `onStderr`'s). It answers each task on its own, so the
 * oldest unanswered task is the one it was running.
 */
export function createProcessRuntime(options: ProcessRuntimeOptions = {}): Runtime {
  return {
    kind: 'process',
    start: (events) => startWorker<FromWorker, ToWorker>('process', ENTRY, events, options),
  };
}

/** The runtime ProcessPool uses: children share this process's stderr. */
export const processRuntime = createProcessRuntime();
