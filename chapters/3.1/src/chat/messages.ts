/**
 * What the chat server says to its clients: one JSON object per text frame.
 * Clients say only one thing — a text frame is a line of chat — so there is no client schema,
 * only the cleaning of that line (normalizeChatLine).
 */

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

const isString = (value: unknown): value is string => typeof value === 'string';
const isCount = (value: unknown): value is number => Number.isSafeInteger(value);

/**
 * The event in `text`, rebuilt from its known fields only; undefined for anything else. For
 * events from outside this process (a broker between servers, chapter 3.4): what fails is
 * dropped, and nothing unknown rides along to the clients.
 */
export function parseRelayedEvent(text: string): ChatEvent | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { type, nick, online, reason, text: line } = value as Record<string, unknown>;
  // No 'welcome' or 'dropped': a server sends those to one client of its own, never via a broker.
  if (type === 'join' && isString(nick) && isCount(online)) return { type, nick, online };
  if (type === 'leave' && isString(nick) && isCount(online) && isString(reason))
    return { type, nick, online, reason };
  if (type === 'message' && isString(nick) && isString(line)) return { type, nick, text: line };
  if (type === 'notice' && isString(line)) return { type, text: line };
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
