/**
 * How many live things each key holds: connections per address, chat members per address,
 * route plans per client. A key is forgotten when its count is back to zero, so the map never
 * outgrows what is live.
 */
export class KeyCounter<K = string> {
  private readonly counts = new Map<K, number>();

  /** 0 for an undefined key: ws-core gives no address for a socket that is already gone. */
  count(key: K | undefined): number {
    return key === undefined ? 0 : (this.counts.get(key) ?? 0);
  }

  /** One more for `key`; an undefined key is neither counted nor limited. */
  add(key: K | undefined): void {
    if (key !== undefined) this.counts.set(key, this.count(key) + 1);
  }

  /** One fewer for `key`, never below zero. */
  remove(key: K | undefined): void {
    if (key === undefined) return;
    const left = this.count(key) - 1;
    if (left <= 0) this.counts.delete(key);
    else this.counts.set(key, left);
  }

  /** Keys with at least one live thing. */
  get size(): number {
    return this.counts.size;
  }
}
