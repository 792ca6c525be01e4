/**
 * Calling application listeners from inside a socket's event handler. EventEmitter.emit stops
 * at the first listener that throws and lets the exception escape — into the socket's 'data'
 * handler, which crashes the process, and past the listeners registered after it (the server's
 * own bookkeeping among them). Here every listener runs in its own try/catch.
 */

type Listener = (...args: unknown[]) => unknown;

/** Calls each listener with `args`; returns what the ones that threw threw, in order. */
export function callEachListener(
  listeners: readonly unknown[],
  self: unknown,
  args: readonly unknown[],
): unknown[] {
  const thrown: unknown[] = [];
  // rawListeners() is a copy, so a listener that removes itself (once) does not skip the next.
  for (const listener of listeners) {
    try {
      (listener as Listener).apply(self, args as unknown[]);
    } catch (error) {
      thrown.push(error);
    }
  }
  return thrown;
}

export function asError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new Error(String(thrown));
}

/**
 * Hands `error` to the 'error' listeners of `self`. With none, `unheard` (if given) is written
 * to stderr with the error, so an application's bug is not lost; a listener that throws while
 * handling it is written to stderr as well, never rethrown into a socket's event handler.
 */
export function reportError(
  self: { rawListeners(event: 'error'): unknown[] },
  error: Error,
  unheard: string | undefined,
): void {
  const listeners = self.rawListeners('error');
  if (listeners.length === 0 && unheard !== undefined) console.error(unheard, error);
  for (const thrown of callEachListener(listeners, self, [error])) {
    console.error('websocket error listener threw while handling', error, 'with:', thrown);
  }
}
