/**
 * A game server in a process of its own, for the tests (started with `--import tsx`):
 * COURSE_SERVER_MODULE names the module (yours, or the grader's reference) whose
 * startGameServer() runs here. The bots then measure
 * this process's ticks from outside, and nothing the server does can block the test's thread.
 *
 * To the parent, over IPC: { kind: 'listening', port } or { kind: 'failed', error }.
 * From the parent: { kind: 'stop' } — close the server, then exit. A parent that goes away
 * (the IPC channel closes) stops it too.
 */
interface GameServer {
  port: number;
  close(): Promise<void>;
}
type ServerModule = {
  startGameServer?: (options: { host: string; port: number }) => Promise<GameServer>;
};

/** The variable naming the module to run (a file: URL), set by bots.ts. */
const MODULE_ENV = 'COURSE_SERVER_MODULE';
/** How long close() may take before the process ends without it. */
const CLOSE_LIMIT_MS = 3_000;

function report(message: unknown): void {
  process.send?.(message);
}

function describe(error: unknown): string {
  if (error instanceof Error)
    return `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}`;
  return String(error);
}

async function main(): Promise<void> {
  const target = process.env[MODULE_ENV];
  if (!target) throw new Error(`server.child.ts needs ${MODULE_ENV}`);
  let server: GameServer;
  try {
    const module = (await import(target)) as ServerModule;
    if (typeof module.startGameServer !== 'function')
      throw new Error('the module exports no startGameServer function');
    server = await module.startGameServer({ host: '127.0.0.1', port: 0 });
    if (!Number.isInteger(server?.port) || server.port <= 0)
      throw new Error(
        `startGameServer resolved with port ${String(server?.port)}, not a port number`,
      );
  } catch (error) {
    report({ kind: 'failed', error: describe(error) });
    process.exit(1);
  }
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    const limit = setTimeout(() => process.exit(0), CLOSE_LIMIT_MS);
    try {
      await server.close();
    } finally {
      clearTimeout(limit);
      process.exit(0);
    }
  };
  process.on('message', (message: { kind?: string }) => {
    if (message?.kind === 'stop') void stop();
  });
  process.on('disconnect', () => void stop());
  report({ kind: 'listening', port: server.port });
}

await main();
