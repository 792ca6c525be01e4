/** Runs pool workers as child processes (`child_process.fork`) with an IPC channel. */
import { forkTs } from '@course/course-kit';
import type { FromWorker } from './messages.ts';
import type { Runtime } from './runtime.ts';

const ENTRY = new URL('./process.child.ts', import.meta.url);

export interface ProcessRuntimeOptions {
  /**
   * Receives what the children write to stderr, instead of it going straight to ours. Tests
   * use it to assert on a crash they cause on purpose without printing its stack trace.
   */
  onStderr?: (text: string) => void;
}

export function createProcessRuntime(options: ProcessRuntimeOptions = {}): Runtime {
  const { onStderr } = options;
  return {
    kind: 'process',
    start(events) {
      // 'advanced' serialization is the structured clone threads use, so both runtimes can
      // carry the same values (Map, Set, Date, typed arrays, bigint).
      const child = forkTs(ENTRY, [], {
        serialization: 'advanced',
        ...(onStderr ? { stdio: ['inherit', 'inherit', 'pipe', 'ipc'] } : {}),
      });
      child.stderr?.on('data', (chunk: Buffer) => onStderr?.(chunk.toString()));
      let exited = false;
      child.on('message', (message) => events.message(message as FromWorker));
      // 'error' fires when a spawn or a send fails; 'exit' still follows, and that is what
      // the pool acts on.
      child.on('error', () => {});
      // No error travels with the exit: a child dying of an uncaught exception prints it,
      // stack included, on its stderr (ours, or `onStderr`'s), and its IPC channel closes
      // with it, so there is no reliable way to send it here first.
      child.on('exit', (code, signal) => {
        exited = true;
        events.exit(code, signal);
      });
      return {
        id: child.pid ?? -1,
        send: (message) => {
          // A send racing the child's death is not an error here: 'exit' reports the loss.
          if (!exited && child.connected) child.send(message, (error) => void error);
        },
        kill: () => {
          if (!exited) child.kill('SIGKILL');
        },
      };
    },
  };
}

/** The runtime ProcessPool uses: children share this process's stderr. */
export const processRuntime = createProcessRuntime();
