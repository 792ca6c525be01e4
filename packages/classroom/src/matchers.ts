/**
 * Matchers that speak the protocol, for the exercises' tests:
 *
 *   expect(frame).toEqualBytes('81 05 48 65 6c 6c 6f')
 *   expect(response).toBeHandshake(426, { 'sec-websocket-version': '13' })
 *   expect(() => applyMask(payload, shortMask)).toThrowInstanceOf(RangeError)
 *
 * Import this module once in a test file for its side effect (it calls expect.extend).
 */
import { expect } from 'vitest';
import { describeByteMismatch, fromHex, toHex } from './bytes.ts';

export interface HandshakeLike {
  status: number;
  headers?: Record<string, string>;
  /** Why a request was refused, if the code under test says so. */
  reason?: string;
}

const STATUS_TEXT: Record<number, string> = {
  101: 'Switching Protocols',
  400: 'Bad Request',
  403: 'Forbidden',
  405: 'Method Not Allowed',
  426: 'Upgrade Required',
  431: 'Request Header Fields Too Large',
};

const statusLine = (status: unknown) =>
  `${String(status)} ${STATUS_TEXT[Number(status)] ?? ''}`.trim();

function asBytes(value: unknown): Uint8Array | undefined {
  if (value instanceof Uint8Array) return value;
  if (typeof value === 'string') return fromHex(value);
  return undefined;
}

function headerOf(headers: Record<string, string> | undefined, name: string): string | undefined {
  const key = Object.keys(headers ?? {}).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : headers?.[key];
}

expect.extend({
  toEqualBytes(received: unknown, expected: Uint8Array | string, what = 'bytes') {
    const want = asBytes(expected);
    if (!want) throw new TypeError('toEqualBytes expects a Uint8Array or a hex string');
    if (!(received instanceof Uint8Array)) {
      return {
        pass: false,
        message: () =>
          `expected ${what} as a Uint8Array (${toHex(want)}), received ${this.utils.printReceived(received)}`,
      };
    }
    const mismatch = describeByteMismatch(received, want, what);
    return {
      pass: mismatch === undefined,
      message: () => mismatch ?? `expected ${what} to differ from ${toHex(want)}`,
    };
  },

  toThrowInstanceOf(received: unknown, kind: new (...args: never[]) => Error) {
    if (typeof received !== 'function') throw new TypeError('toThrowInstanceOf expects a function');
    let thrown: unknown;
    let threw = false;
    let returned: unknown;
    try {
      returned = received();
    } catch (error) {
      threw = true;
      thrown = error;
    }
    const pass = threw && thrown instanceof kind;
    const what = thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : String(thrown);
    // vitest's toThrow(Class) does not say what was thrown instead — the one thing a student needs.
    return {
      pass,
      message: () =>
        pass
          ? `expected something other than a ${kind.name}, but it threw ${what}`
          : threw
            ? `expected a ${kind.name}, but it threw ${what}`
            : `expected a ${kind.name}, but the call returned ${this.utils.printReceived(returned)}`,
    };
  },

  toBeHandshake(received: unknown, status: number, headers: Record<string, string> = {}) {
    const response = received as HandshakeLike | undefined;
    if (typeof response?.status !== 'number') {
      return {
        pass: false,
        message: () =>
          `expected a handshake response { status, headers }, received ${this.utils.printReceived(received)}`,
      };
    }
    if (response.status !== status) {
      return {
        pass: false,
        message: () =>
          `expected status ${statusLine(status)}, received ${statusLine(response.status)}`,
      };
    }
    for (const [name, value] of Object.entries(headers)) {
      const actual = headerOf(response.headers, name);
      if (actual !== value) {
        return {
          pass: false,
          message: () =>
            `status ${statusLine(status)} is right, but header ${name} is wrong: expected "${value}", received ${actual === undefined ? '(missing)' : `"${actual}"`}`,
        };
      }
    }
    return { pass: true, message: () => `expected a response other than ${statusLine(status)}` };
  },
});

interface ProtocolMatchers<R = unknown> {
  /** Compares bytes (or a hex string) and reports the first differing offset in hex. */
  toEqualBytes(expected: Uint8Array | string, what?: string): R;
  /** Calls the function; passes when it throws an instance of `kind`, and says what it did if not. */
  toThrowInstanceOf(kind: new (...args: never[]) => Error): R;
  /** Checks a handshake answer's status, then each named header (names case-insensitive). */
  toBeHandshake(status: number, headers?: Record<string, string>): R;
}

declare module 'vitest' {
  // biome-ignore lint/suspicious/noExplicitAny: must match vitest's own declaration
  interface Matchers<T = any> extends ProtocolMatchers<T> {}
}
