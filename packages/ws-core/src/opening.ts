/**
 * The server's side of the opening, sans-I/O: request bytes and the time go in, a decision comes
 * out. It owns what makes an opening slow or big — one deadline for the whole opening and the
 * request-head limit — so both are tested with a clock the test moves, not a socket or a timer
 * (as python-websockets' ServerProtocol keeps its rules apart from its event loop).
 *
 *   receive(bytes, now) ─▶ { kind: 'waiting' }                  more bytes needed
 *                       ─▶ { kind: 'request', head, rest }      the head, and the bytes after it
 *                       ─▶ { kind: 'refused', error }            431 / 400 / 408
 *   expire(now)         ─▶ the refusal once the deadline has passed (408, or 503 while an
 *                          admit hook decides), else undefined
 *   timeLeft(now)       ─▶ ms until the deadline: when the I/O layer should call expire()
 *   startAdmission()    ─▶ the head is in, an async admit hook is deciding: the deadline runs on
 *   finishAdmission(now)─▶ the hook answered: the 503 if it answered too late, else undefined
 *
 * Which status says "too late" depends on who was slow. A client that has not sent its whole
 * request head gets 408 — RFC 9110 §15.5.9: "the server did not receive a complete request
 * message within the time that it was prepared to wait". Once the head is in, the slow one is
 * the server's own hook, so the client gets 503 with Retry-After — §15.6.4: "the server is
 * currently unable to handle the request due to a temporary overload or scheduled maintenance,
 * which will likely be alleviated after some delay".
 *
 * The I/O layer (server.ts) keeps one timer armed for timeLeft() and re-arms it if the timer
 * fires early by the clock; with wss: the TLS handshake spends from the same deadline.
 */
import {
  DEFAULT_HANDSHAKE_TIMEOUT,
  DEFAULT_MAX_HEADER_BYTES,
  RETRY_AFTER_SECONDS,
} from './constants.ts';
import { HandshakeError } from './errors.ts';
import { type HttpRequestHead, HttpRequestParser } from './http-head.ts';

export interface OpeningOptions {
  /** When the connection was accepted, on the same clock later calls use (ms). */
  startedAt: number;
  /** ms for the whole opening (TLS, then the HTTP request head); default 10 s. */
  handshakeTimeout?: number;
  /** Request head limit in bytes (default 8 KiB); a longer head is refused with 431. */
  maxHeaderBytes?: number;
}

export type OpeningStep =
  | { readonly kind: 'waiting' }
  | { readonly kind: 'request'; readonly head: HttpRequestHead; readonly rest: Uint8Array }
  | { readonly kind: 'refused'; readonly error: HandshakeError };

const WAITING: OpeningStep = { kind: 'waiting' };

export class ServerOpening {
  /** The time (same clock as startedAt) by which the request head must have arrived. */
  readonly deadline: number;
  private readonly parser: HttpRequestParser;
  private outcome: OpeningStep = WAITING;
  /** An async admit hook is deciding on the request: the opening is not over yet. */
  private admitting = false;

  constructor(options: OpeningOptions) {
    this.deadline = options.startedAt + (options.handshakeTimeout ?? DEFAULT_HANDSHAKE_TIMEOUT);
    this.parser = new HttpRequestParser({
      maxHeaderBytes: options.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES,
    });
  }

  /** Feeds request bytes that arrived at `now`. Once decided, the decision never changes. */
  receive(chunk: Uint8Array, now: number): OpeningStep {
    if (this.outcome !== WAITING) return this.outcome;
    // Bytes that arrive late do not rescue a late opening: the rule is about the clock, not
    // about whether a timer happened to run first.
    const late = this.expire(now);
    if (late) return this.outcome;
    try {
      const parsed = this.parser.push(chunk);
      if (parsed !== undefined) this.outcome = { kind: 'request', ...parsed };
    } catch (error) {
      if (!(error instanceof HandshakeError)) throw error;
      this.outcome = { kind: 'refused', error };
    }
    return this.outcome;
  }

  /**
   * The refusal if the opening is still waiting at or after its deadline: 408 while the
   * request head is incomplete, 503 (with Retry-After) while an admit hook is deciding.
   */
  expire(now: number): HandshakeError | undefined {
    if (!this.waiting || now < this.deadline) return undefined;
    const error = this.admitting
      ? new HandshakeError(
          503,
          'WS_ERR_ADMISSION_TIMEOUT',
          'admission not decided in time: try again later',
          { 'Retry-After': String(RETRY_AFTER_SECONDS) },
        )
      : new HandshakeError(408, 'WS_ERR_HANDSHAKE_TIMEOUT', 'handshake not completed in time');
    this.outcome = { kind: 'refused', error };
    this.admitting = false;
    return error;
  }

  /**
   * The request head is in and an async admit hook is deciding. The deadline still holds: a
   * hook slower than the rest of it must not keep the peer (and a socket) waiting for ever.
   */
  startAdmission(): void {
    if (this.outcome.kind !== 'request') {
      throw new Error('an admission starts once the request head is in');
    }
    this.admitting = true;
  }

  /**
   * The hook answered at `now`. Returns the 503 if that was at or after the deadline (or the
   * opening was refused for it already), else undefined: the answer stands.
   */
  finishAdmission(now: number): HandshakeError | undefined {
    if (this.admitting) {
      const late = this.expire(now);
      this.admitting = false;
      return late;
    }
    return this.outcome.kind === 'refused' ? this.outcome.error : undefined;
  }

  /** True until the opening has a request head (and, if asked, an admission) or a refusal. */
  get waiting(): boolean {
    return this.outcome === WAITING || this.admitting;
  }

  /** ms until the deadline (0 once it has passed). */
  timeLeft(now: number): number {
    return Math.max(0, this.deadline - now);
  }
}
