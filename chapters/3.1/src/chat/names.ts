/**
 * Nicknames and room names as typed by people: trimmed, control characters removed,
 * length capped, and made unique inside a room. Chat lines: control characters become spaces.
 */

export const MAX_NICK_LENGTH = 24;
export const MAX_ROOM_LENGTH = 32;
export const DEFAULT_ROOM = 'lobby';

/** Letters, digits and a little punctuation; everything else (controls, quotes, angle brackets) goes. */
const UNWANTED = /[^\p{L}\p{N} _.-]/gu;

function clean(raw: string | null | undefined, maxLength: number): string {
  const text = (raw ?? '').replace(UNWANTED, '').replace(/\s+/g, ' ').trim();
  // Cap by code points, not UTF-16 units, so an emoji-free name is never cut mid-letter.
  return [...text].slice(0, maxLength).join('').trim();
}

/** A display name from user input; "guest" when nothing usable is left. */
export function normalizeNickname(raw: string | null | undefined): string {
  return clean(raw, MAX_NICK_LENGTH) || 'guest';
}

/** A room name from user input; the lobby when nothing usable is left. Case-insensitive. */
export function normalizeRoomName(raw: string | null | undefined): string {
  return clean(raw, MAX_ROOM_LENGTH).toLowerCase() || DEFAULT_ROOM;
}

/**
 * `wanted`, or `wanted#2`, `wanted#3`… — the first one nobody in `taken` uses, ignoring case
 * so that "Bob" cannot pass for "bob" in a member list.
 */
export function uniqueNickname(wanted: string, taken: ReadonlySet<string>): string {
  const lowerTaken = new Set([...taken].map((nick) => nick.toLowerCase()));
  const free = (nick: string) => !lowerTaken.has(nick.toLowerCase());
  if (free(wanted)) return wanted;
  for (let n = 2; ; n++) {
    const candidate = `${wanted}#${n}`;
    if (free(candidate)) return candidate;
  }
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
