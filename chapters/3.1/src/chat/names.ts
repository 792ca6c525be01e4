/**
 * Nicknames and room names as typed by people: in NFC, trimmed, control characters removed,
 * length capped, and made unique inside a room.
 */

export const MAX_NICK_LENGTH = 24;
export const MAX_ROOM_LENGTH = 32;
export const DEFAULT_ROOM = 'lobby';

/**
 * Letters with their combining marks (नमस्ते needs its virama and vowel signs, a decomposed José
 * its accent), digits and a little punctuation; everything else (controls, quotes, angle
 * brackets) goes.
 */
const UNWANTED = /[^\p{L}\p{M}\p{N} _.-]/gu;
/** A mark with no letter before it has nothing to sit on. */
const STRAY_MARKS = /(^|[^\p{L}\p{N}\p{M}])\p{M}+/gu;
/** More marks on one letter than any language writes just pile ink above and below the line. */
const MARK_PILES = /(\p{M}{4})\p{M}+/gu;

function clean(raw: string | null | undefined, maxLength: number): string {
  const text = (raw ?? '')
    .normalize('NFC') // one spelling per name: "e" + U+0301 and "é" are the same José
    .replace(UNWANTED, '')
    .replace(STRAY_MARKS, '$1')
    .replace(MARK_PILES, '$1')
    .replace(/\s+/g, ' ')
    .trim();
  // Cap by code points, not UTF-16 units, so a letter outside the BMP is never cut in half.
  return [...text].slice(0, maxLength).join('').trim();
}

/** A display name from user input; "guest" when nothing usable is left. */
export function normalizeNickname(raw: string | null | undefined): string {
  return clean(raw, MAX_NICK_LENGTH) || 'guest';
}

/** What uniqueNickname appends to a taken name: `#2`, `#3`… */
const SUFFIX = /#[1-9][0-9]{0,8}$/;

/**
 * True when `nick` is a name this chat could have given: what normalizeNickname leaves as it
 * is, with or without uniqueNickname's `#2` suffix. For names that come from outside this
 * process (chapter 3.4's broker), where anyone who can publish could send any string.
 */
export function isChatNickname(nick: string): boolean {
  const base = nick.replace(SUFFIX, '');
  return base !== '' && normalizeNickname(base) === base;
}

/** A room name from user input; the lobby when nothing usable is left. Case-insensitive. */
export function normalizeRoomName(raw: string | null | undefined): string {
  return clean(raw, MAX_ROOM_LENGTH).toLowerCase() || DEFAULT_ROOM;
}

/**
 * `wanted`, or `wanted#2`, `wanted#3`… — the first one nobody in `taken` uses, ignoring case,
 * so "Bob" is not shown as a second person beside "bob". This is not an impersonation guard:
 * names that only look alike in other scripts (Cyrillic "о" in "bоb") are different names.
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
