/**
 * Starts an echo server in its own child process and stops it again.
 *
 * Why a child each: the load generator and the server must not share an event loop, or the
 * faster side would be slowed by the other's work; both servers are started the same way.
 */
import type { ChildProcess } from 'node:child_process';
import { forkTs } from '@course/course-kit';

export interface ServerTarget {
  name: string;
  /** A `.ts` file that accepts `--host H --port 0` and prints `listening on ws://H:P/`. */
  module: URL;
  /** Further command-line arguments for it. */
  args?: readonly string[];
  /** Node flags for the child (e.g. `--expose-gc` for the idle-memory part). */
  execArgv?: readonly string[];
  /** Further environment variables for the child. */
  env?: Readonly<Record<string, string>>;
}

export interface RunningServer {
  name: string;
  host: string;
  port: number;
  pid: number | undefined;
  /** The child itself, for an IPC conversation (the idle-memory part asks it to measure). */
  child: ChildProcess;
  /** Graceful stop (SIGINT), then SIGKILL if it has not exited within `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

const LISTENING = /listening on ws:\/\/([^/:\s]+):(\d+)\//;
const START_TIMEOUT_MS = 30_000;

const children = new Set<ChildProcess>();
/** Kills every server this process started and has not stopped yet. */
export function killAllServers(): void {
  for (const child of children) child.kill('SIGKILL');
}

// Last line of defence: never leave a server behind, whatever ends the benchmark.
process.once('exit', killAllServers);

export async function startServer(target: ServerTarget): Promise<RunningServer> {
  const child = forkTs(
    target.module,
    ['--host', '127.0.0.1', '--port', '0', ...(target.args ?? [])],
    {
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: { WS_NO_BUFFER_UTIL: '1', WS_NO_UTF_8_VALIDATE: '1', ...target.env },
      ...(target.execArgv ? { execArgv: [...target.execArgv] } : {}),
    },
  );
  children.add(child);
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      children.delete(child);
      resolve();
    });
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2000);
  });

  const stop = async (graceMs = 3000) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };

  try {
    const { host, port } = await new Promise<{ host: string; port: number }>((resolve, reject) => {
      let stdout = '';
      const timer = setTimeout(
        () => reject(new Error(`${target.name} did not print "listening on" within 30 s`)),
        START_TIMEOUT_MS,
      );
      child.stdout?.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const match = LISTENING.exec(stdout);
        if (match) {
          clearTimeout(timer);
          resolve({ host: match[1] as string, port: Number(match[2]) });
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${target.name} exited (${code ?? signal}) before listening: ${stderr}`));
      });
    });
    return { name: target.name, host, port, pid: child.pid, child, stop };
  } catch (error) {
    await stop(500);
    throw error;
  }
}
