/**
 * The sizes of a piece of text: what `.length` counts, what a reader counts, and what goes on
 * the wire. A WebSocket frame's "Payload length" (RFC 6455 §5.2) counts bytes, and a text
 * frame's payload is UTF-8 (§5.6), so a server that limits or frames text must count bytes.
 */

export interface TextSize {
  /** `text.length`: UTF-16 code units — two for a character outside the Basic Multilingual Plane. */
  readonly units: number;
  /** Unicode code points: what Python's `len(text)` counts. */
  readonly codePoints: number;
  /** UTF-8 bytes: what a text frame carries. */
  readonly bytes: number;
}

export function measureText(text: string): TextSize {
  return {
    units: text.length,
    // A string's iterator walks code points, so a surrogate pair counts once.
    codePoints: [...text].length,
    bytes: Buffer.byteLength(text, 'utf8'),
  };
}
