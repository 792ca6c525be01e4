/**
 * The chat's whole policy — backpressure (hub.ts) and limits (limits.ts) — from the options a
 * caller passes: defaults filled in, and every number checked once, at construction.
 */
import { type ChatLimits, DEFAULT_CHAT_LIMITS } from './limits.ts';

export interface BackpressurePolicy {
  /** Queued bytes above which a member's broadcasts are dropped instead of queued. */
  highWaterMark: number;
  /** Broadcasts dropped in a row after which the member is closed with 1008. */
  maxDropped: number;
}

/**
 * 128 KiB is ~20 of the longest lines (6 KB) or ~2,000 ordinary ones, on top of what the
 * kernel already buffers for the socket; with maxMembers 2000 the whole chat owes at most
 * ~270 MiB.
 */
export const DEFAULT_BACKPRESSURE: BackpressurePolicy = {
  highWaterMark: 128 * 1024,
  maxDropped: 100,
};

export type ChatPolicy = BackpressurePolicy & ChatLimits;

const DEFAULT_POLICY: ChatPolicy = { ...DEFAULT_BACKPRESSURE, ...DEFAULT_CHAT_LIMITS };

/**
 * `{ ...defaults, ...options }` would let `{ lineBurst: undefined }` replace the default with
 * undefined, and a bucket of NaN tokens never refuses: an option left undefined takes the
 * default instead.
 */
export function resolveChatPolicy(options: Partial<ChatPolicy> = {}): ChatPolicy {
  const policy = { ...DEFAULT_POLICY };
  for (const name of Object.keys(DEFAULT_POLICY) as (keyof ChatPolicy)[]) {
    policy[name] = limitOption(`chat option ${name}`, options[name], DEFAULT_POLICY[name]);
  }
  return policy;
}

/**
 * `value`, or `fallback` when it is undefined. A limit of 0, below 0, NaN or Infinity is a
 * mistake that would refuse everything or nothing: a TypeError naming it, when the server starts.
 */
export function limitOption(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
    throw new TypeError(`${name} must be a positive finite number, not ${value}`);
  return value;
}
