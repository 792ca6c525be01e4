/**
 * What the chat server says to its clients: one JSON object per text frame.
 * Clients say only one thing — a text frame is a line of chat — so there is no client schema,
 * only the cleaning of that line (normalizeChatLine).
 */

export type ChatEvent =
  /** Sent once to a newcomer: the name it got (maybe de-duplicated) and who is already here. */
  | { type: 'welcome'; nick: string; room: string; members: string[] }
  | { type: 'join'; nick: string; online: number }
  | { type: 'leave'; nick: string; online: number; reason: string }
  | { type: 'message'; nick: string; text: string }
  /** Sent to a slow client when it catches up: how many broadcasts it missed. */
  | { type: 'dropped'; count: number };

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
