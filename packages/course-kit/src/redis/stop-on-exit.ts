/**
 * The Redis servers we started must not outlive us. Two hooks, installed while any is running:
 *  - 'exit': the last moment, where nothing can wait: SIGKILL each and remove its folder.
 *  - SIGINT and SIGTERM (Ctrl-C, `kill`): listening to a signal turns off Node's default, which
 *    is to exit. When we are the only listener, we stop each server properly and then raise the
 *    signal again, so the program ends as it would have. When the program listens too (the
 *    chapter runner does), it decides how to stop, and stops our servers in its own order.
 */

interface Stoppable {
  stop(): Promise<void>;
  killNow(): void;
}

const running = new Set<Stoppable>();
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

function killAllNow(): void {
  for (const server of running) {
    try {
      server.killNow();
    } catch {
      // already gone: nothing left to do at exit
    }
  }
}

function onSignal(signal: NodeJS.Signals): void {
  if (process.listenerCount(signal) > 1) return; // someone else handles it
  void Promise.allSettled([...running].map((server) => server.stop())).then(() => {
    uninstall();
    process.kill(process.pid, signal);
  });
}

function install(): void {
  process.on('exit', killAllNow);
  for (const signal of SIGNALS) process.on(signal, onSignal);
}

function uninstall(): void {
  process.off('exit', killAllNow);
  for (const signal of SIGNALS) process.off(signal, onSignal);
}

/** Keeps `server` stopped on exit and on Ctrl-C; returns the function that forgets it. */
export function stopOnExit(server: Stoppable): () => void {
  if (running.size === 0) install();
  running.add(server);
  return () => {
    if (running.delete(server) && running.size === 0) uninstall();
  };
}
