/**
 * Words for whatever a worker threw: an Error, a string, `Object.create(null)`. These run in a
 * worker's last line of defence, where a throw would kill the worker, so they never throw
 * themselves: even reading an Error's fields can throw (a `message` getter that throws).
 */

/** What a worker reports when its handler throws: plain data, so it survives structured clone. */
export interface RemoteError {
  name: string;
  message: string;
  stack?: string | undefined;
}

/** String(value), or its `[object Type]` tag for a value with no usable toString. */
export function describeThrown(value: unknown): string {
  try {
    return value instanceof Error ? String(value.message) : String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/**
 * The thrown value as plain strings for the trip back to the parent. A value that is not an
 * Error, or an Error whose fields cannot be read, is reported as a NonError.
 */
export function toRemoteError(thrown: unknown): RemoteError {
  try {
    if (thrown instanceof Error) {
      const { name, message, stack } = thrown;
      return {
        name: describeThrown(name),
        message: describeThrown(message),
        stack: typeof stack === 'string' ? stack : undefined,
      };
    }
  } catch {
    return { name: 'NonError', message: 'an Error whose fields cannot be read' };
  }
  return { name: 'NonError', message: describeThrown(thrown) };
}

/** "TypeError: boom": name and message, as a stack trace's first line shows them. */
export function summarizeThrown(thrown: unknown): string {
  const { name, message } = toRemoteError(thrown);
  return `${name}: ${message}`;
}
