/**
 * Test-only: stopping a process a test started, and everything it started in turn (cluster
 * workers, redis-server), even when the test failed halfway. Its descendants are noted while it
 * runs, because once it has exited they are no longer its children (Linux hands orphans to
 * init), and a pid is killed only while it is still the process that was noted (same start
 * time), never one that reused the number.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { descendantsOf, isRunning } from '@course/course-kit/testing/processes';
import { until, within } from '@course/course-kit/testing/waits';

/** A process still running after the one that started it had exited. */
export interface LeftRunning {
  readonly pid: number;
  /** Its command name, e.g. "redis-server" or "node". */
  readonly name: string;
}

export interface ProcessTree {
  /**
   * Sends `signal` (as a student's Ctrl-C or `kill` would), waits up to `graceMs` for the
   * process to exit, then SIGKILLs it. Every descendant still running after that is SIGKILLed
   * too, and returned: a process that stops properly leaves none.
   */
  stop(signal: NodeJS.Signals, graceMs: number): Promise<LeftRunning[]>;
}

/** /proc/PID/stat's start time (clock ticks since boot): tells a process from a reused pid. */
function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function nameOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '?';
  }
}

/** Starts noting `child`'s descendants (every `everyMs`) until `stop`. */
export function watchProcessTree(child: ChildProcess, everyMs = 200): ProcessTree {
  const noted = new Map<number, string>();
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  const note = () => {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    for (const pid of descendantsOf(child.pid)) {
      const started = startTime(pid);
      if (started !== undefined && !noted.has(pid)) noted.set(pid, started);
    }
  };
  const timer = setInterval(note, everyMs);
  timer.unref();
  note();
  const stillOurs = (pid: number) => isRunning(pid) && startTime(pid) === noted.get(pid);

  return {
    async stop(signal, graceMs) {
      note();
      clearInterval(timer);
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const inTime = await within(exited, graceMs, `pid ${child.pid} to exit`).then(
        () => true,
        () => false,
      );
      if (!inTime) {
        child.kill('SIGKILL');
        await within(exited, 10_000, `pid ${child.pid} to exit after SIGKILL`);
      }
      const left = [...noted.keys()].filter(stillOurs).map((pid) => ({ pid, name: nameOf(pid) }));
      for (const { pid } of left) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone between the look and the kill
        }
      }
      const names = left.map(({ pid, name }) => `${name} ${pid}`).join(', ');
      await until(() => left.every(({ pid }) => !stillOurs(pid)), 10_000, `${names} to be gone`);
      return left;
    },
  };
}
