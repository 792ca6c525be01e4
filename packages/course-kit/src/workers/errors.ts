/**
 * The worker stack's one error: a worker died before it answered. 3.2's Peer rejects every
 * pending call with it; 3.3's pool, the task the worker died of (see its blame.ts).
 */
import { summarizeThrown } from './describe-thrown.ts';

export interface WorkerExitedOptions {
  /** What a thread threw when an uncaught exception ended it; named in the message. */
  cause?: unknown;
  /** What happened next, for the end of the message: "the pool replaced the worker". */
  after?: string;
}

/**
 * `exitCode` and `signal` are what the worker's 'exit' event said. The message starts with
 * `who` — "echo process", "task 3 (square): its worker" — and reads, for example,
 * "echo process exited with signal SIGKILL before answering", or with a cause,
 * "task 3 (square): its worker exited with code 1: TypeError: boom (before answering; the
 * pool replaced the worker)".
 */
export class WorkerExitedError extends Error {
  override name = 'WorkerExitedError';
  readonly exitCode: number | null;
  readonly signal: string | null;

  constructor(
    who: string,
    exitCode: number | null,
    signal: string | null,
    { cause, after }: WorkerExitedOptions = {},
  ) {
    const how = signal ? `exited with signal ${signal}` : `exited with code ${exitCode}`;
    super(
      cause === undefined
        ? `${who} ${how} before answering${after ? ` (${after})` : ''}`
        : `${who} ${how}: ${summarizeThrown(cause)} (before answering${after ? `; ${after}` : ''})`,
      // No `cause` property at all when there is none: `'cause' in error` says whether one came.
      cause === undefined ? undefined : { cause },
    );
    this.exitCode = exitCode;
    this.signal = signal;
  }
}
