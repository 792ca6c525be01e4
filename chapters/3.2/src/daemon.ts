/**
 * Runs daemon.child.ts in one mode and reports how long the process lived and what it printed:
 * the measurable difference between "join" (wait for the thread) and a daemon thread.
 */
import { forkTs, onceWithin } from '@course/course-kit';

export interface DaemonRun {
  mode: 'join' | 'unref';
  lifetimeMs: number;
  ticks: number;
  exitCode: number | null;
}

export async function runDaemonChild(
  mode: 'join' | 'unref',
  signal?: AbortSignal,
): Promise<DaemonRun> {
  const start = performance.now();
  const child = forkTs(new URL('./daemon.child.ts', import.meta.url), [mode], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    ...(signal ? { signal } : {}),
  });
  child.on('error', () => {}); // an abort kills the child; the exit below still settles
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  let exitCode: number | null;
  try {
    [exitCode] = await onceWithin<[number | null]>(
      child,
      'exit',
      15_000,
      `the ${mode} child to exit`,
    );
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  return {
    mode,
    lifetimeMs: performance.now() - start,
    ticks: output.split('\n').filter((line) => line.startsWith('tick')).length,
    exitCode,
  };
}
