/**
 * JSON-like text messages for the compression benchmarks: game-state records with repeating
 * keys and varying numbers, as a chat or game server sends them. Deterministic, so every run
 * and every server gets the same bytes.
 */

/** `size` bytes (ASCII) of comma-separated JSON records, starting at record `seed`. */
export function jsonLikeMessage(size: number, seed: number): string {
  const records: string[] = [];
  let length = 0;
  for (let i = seed; length < size; i++) {
    const record = JSON.stringify({
      id: i,
      type: i % 5 === 0 ? 'chat' : 'move',
      player: `player-${i % 97}`,
      x: (i * 7919) % 1000,
      y: (i * 104_729) % 1000,
      hp: 100 - (i % 100),
      at: 1_700_000_000_000 + i * 16,
    });
    records.push(record);
    length += record.length + 1;
  }
  return records.join(',').slice(0, size);
}

/** `count` different messages of `size` bytes (each its own records), to cycle through. */
export function jsonLikeMessages(size: number, count: number): string[] {
  return Array.from({ length: count }, (_, k) => jsonLikeMessage(size, k * 10_007));
}
