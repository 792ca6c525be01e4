/**
 * What the chat server says to its clients: one JSON object per text frame.
 * Clients say only one thing — a text frame is a line of chat — so there is no client schema,
 * only the cleaning of that line (normalizeChatLine).
 */
import { isChatNickname } from './names.ts';

/** Longest chat line, in UTF-16 code units (what the page's maxlength counts). */
export const MAX_CHAT_TEXT = 2000;

/**
 * Largest event, as JSON, that one server hands another through a broker (chapter 3.4). A chat
 * line of MAX_CHAT_TEXT units encodes to at most 12 KB (a lone surrogate is six bytes as
 * `\udxxx`), so anything bigger was not published by a chat server.
 */
export const MAX_RELAYED_EVENT_BYTES = 16 * 1024;

export type ChatEvent =
  /**
   * Sent once to a newcomer: the name it got (maybe de-duplicated) and who is already here;
   * `server` names the process it reached, when several serve the chat (chapter 3.4).
   */
  | { type: 'welcome'; nick: string; room: string; members: string[]; server?: string }
  | { type: 'join'; nick: string; online: number }
  | { type: 'leave'; nick: string; online: number; reason: string }
  | { type: 'message'; nick: string; text: string }
  /** Sent to a slow client when it catches up: how many broadcasts it missed. */
  | { type: 'dropped'; count: number }
  /** Something about the chat itself, e.g. that its relay between processes is down (3.4). */
  | { type: 'notice'; text: string };

export function encodeChatEvent(event: ChatEvent): string {
  return JSON.stringify(event);
}

/** For tests and tools: parses a frame the server sent, or throws on anything else. */
export function decodeChatEvent(text: string): ChatEvent {
  const value: unknown = JSON.parse(text);
  if (
    typeof value !== 'object' ||
    value === null ||
    typeof (value as { type?: unknown }).type !== 'string'
  )
    throw new Error(`not a chat event: ${text.slice(0, 80)}`);
  return value as ChatEvent;
}

/** A headcount: a whole number, not negative. */
const isCount = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
/** A name a chat server could have given (names.ts). */
const isNick = (value: unknown): value is string =>
  typeof value === 'string' && isChatNickname(value);

/** A line as a chat server sends it: cleaned, not empty, not longer than a client may send. */
function chatLine(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const line = normalizeChatLine(value);
  return line === '' || line.length > MAX_CHAT_TEXT ? undefined : line;
}

/**
 * The event in `text`, rebuilt from its known fields only; undefined for anything else. For
 * events from outside this process (a broker between servers, chapter 3.4), which anyone who
 * can publish to the broker may have written: a payload over MAX_RELAYED_EVENT_BYTES, a name
 * no server would give, a negative headcount or a line longer than a client may send is
 * dropped; text is cleaned as a client's line is (normalizeChatLine); nothing unknown rides
 * along to the clients.
 */
export function parseRelayedEvent(text: string): ChatEvent | undefined {
  // A UTF-16 unit is at least one byte of UTF-8: the cheap test first.
  if (text.length > MAX_RELAYED_EVENT_BYTES) return undefined;
  if (Buffer.byteLength(text) > MAX_RELAYED_EVENT_BYTES) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const fields = value as Record<string, unknown>;
  const { type, nick, online } = fields;
  const line = chatLine(fields.text);
  const reason = chatLine(fields.reason);
  // No 'welcome' or 'dropped': a server sends those to one client of its own, never via a broker.
  if (type === 'join' && isNick(nick) && isCount(online)) return { type, nick, online };
  if (type === 'leave' && isNick(nick) && isCount(online) && reason !== undefined)
    return { type, nick, online, reason };
  if (type === 'message' && isNick(nick) && line !== undefined) return { type, nick, text: line };
  if (type === 'notice' && line !== undefined) return { type, text: line };
  return undefined;
}

/** C0 and C1 controls (tab, newline, ESC…) and the Unicode line and paragraph separators. */
const CONTROLS = /[\p{Cc}\u2028\u2029]+/gu;

/**
 * A chat line as it is broadcast. Each run of control characters becomes one space: a line is
 * shown on one row, an escape sequence (ESC [2J clears a screen) must not reach a terminal
 * client as a command, and JSON would send each control as six bytes (`\u0000`).
 */
export function normalizeChatLine(raw: string): string {
  return raw.replace(CONTROLS, ' ').trim();
}
