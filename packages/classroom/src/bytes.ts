/** Byte comparisons that explain themselves in hex, with the first differing offset marked. */

export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

/** "81 05 48" or "810548" → bytes; spaces and newlines are ignored. */
export function fromHex(hex: string): Uint8Array {
  const clean = hex.replace(/\s+/g, '');
  if (!/^([0-9a-f]{2})*$/i.test(clean)) throw new Error(`"${hex}" is not a hex byte string`);
  return Uint8Array.from(clean.match(/../g) ?? [], (pair) => Number.parseInt(pair, 16));
}

export function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const shorter = Math.min(a.length, b.length);
  for (let i = 0; i < shorter; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : shorter;
}

const WINDOW = 16;

/** A few bytes either side of `offset`, the differing byte in [brackets]. */
function around(bytes: Uint8Array, offset: number): string {
  const start = Math.max(0, offset - WINDOW / 2);
  const end = Math.min(bytes.length, start + WINDOW);
  const cells = Array.from(bytes.subarray(start, end), (b, i) => {
    const hex = b.toString(16).padStart(2, '0');
    return start + i === offset ? `[${hex}]` : hex;
  });
  if (offset >= bytes.length) cells.push('[end]');
  return `${start > 0 ? '… ' : ''}${cells.join(' ')}${end < bytes.length ? ' …' : ''}`;
}

/** undefined when equal; otherwise a message naming the first differing offset. */
export function describeByteMismatch(
  received: Uint8Array,
  expected: Uint8Array,
  what = 'bytes',
): string | undefined {
  const offset = firstDifference(received, expected);
  if (offset === -1) return undefined;
  const byte = (bytes: Uint8Array) =>
    offset < bytes.length
      ? `0x${(bytes[offset] ?? 0).toString(16).padStart(2, '0')}`
      : 'nothing (too short)';
  return [
    `${what} differ at offset ${offset}: expected ${byte(expected)}, received ${byte(received)}` +
      (received.length === expected.length
        ? ''
        : ` (expected ${expected.length} bytes, received ${received.length})`),
    `  expected: ${around(expected, offset)}`,
    `  received: ${around(received, offset)}`,
  ].join('\n');
}
