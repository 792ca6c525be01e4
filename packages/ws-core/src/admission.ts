/**
 * The application's say before the 101, sans-I/O: the server's `admit` hook sees the request
 * head and who is asking (the TCP peer's address and port, as `ws`'s `verifyClient` sees
 * `req.socket`) and answers `true` or a refusal — an HTTP status with a one-line reason, sent
 * before switching protocols, while a status can still say why (RFC 6455 §4.2.2: "the server
 * MUST send an appropriate HTTP error code ... and abort the WebSocket handshake").
 *
 *   admit({ head, remoteAddress, remotePort }) ─▶ true                        ─▶ 101
 *                                              └▶ { status, reason, headers } ─▶ refusal
 *
 * The hook may be async. The server bounds it by the opening's deadline (503 once it has
 * passed, see opening.ts) and turns a throw, a rejection or an answer that is neither into a
 * 500; this file only checks the answer.
 */
import { HandshakeError } from './errors.ts';
import { formatErrorResponse } from './handshake.ts';
import type { HttpRequestHead } from './http-head.ts';

export interface AdmissionRequest {
  readonly head: HttpRequestHead;
  /** The TCP peer's address ('127.0.0.1', '::1', ...): a proxy's, if one is in front. */
  readonly remoteAddress: string;
  readonly remotePort: number;
}

/** Refuses the upgrade: `status` 400–599, `reason` one line (it becomes the response body). */
export interface Refusal {
  readonly status: number;
  readonly reason: string;
  /** Extra response headers, e.g. `{ 'Retry-After': '5' }` with a 429 or 503. */
  readonly headers?: Record<string, string>;
}

export type Admission = true | Refusal;

export type AdmitHook = (request: AdmissionRequest) => Admission | Promise<Admission>;

/** Any character class Cc: CR, LF, tab, escapes. */
const CONTROL = /\p{Cc}/u;

/**
 * The refusal to send for the hook's answer, or undefined for `true`. Throws TypeError, saying
 * what is wrong, for an answer that is neither (the server answers that with 500).
 */
export function refusalFor(answer: unknown): HandshakeError | undefined {
  if (answer === true) return undefined;
  if (typeof answer !== 'object' || answer === null) {
    throw new TypeError(`admit must return true or { status, reason }, got ${String(answer)}`);
  }
  const { status, reason, headers } = answer as Partial<Refusal>;
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 400 || status > 599) {
    throw new TypeError(
      `admit's refusal status must be a whole number from 400 to 599, got ${status}`,
    );
  }
  if (typeof reason !== 'string' || reason === '' || CONTROL.test(reason)) {
    throw new TypeError(
      `admit's refusal reason must be one line of text, got ${JSON.stringify(reason)}`,
    );
  }
  const refusal = new HandshakeError(status, 'WS_ERR_ADMISSION_REFUSED', reason, headers);
  formatErrorResponse(refusal); // throws TypeError for a bad header name or value, or a framing header
  return refusal;
}
