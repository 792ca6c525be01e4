/**
 * How many live things (connections, chat members) each network address holds. An address is
 * forgotten when its count drops to zero, so the map never outgrows what is live.
 */
export class AddressCounter {
  private readonly counts = new Map<string, number>();

  /** 0 for an unknown address: ws-core gives none for a socket that is already gone. */
  count(address: string | undefined): number {
    return address === undefined ? 0 : (this.counts.get(address) ?? 0);
  }

  add(address: string | undefined): void {
    if (address !== undefined) this.counts.set(address, this.count(address) + 1);
  }

  remove(address: string | undefined): void {
    if (address === undefined) return;
    const left = this.count(address) - 1;
    if (left <= 0) this.counts.delete(address);
    else this.counts.set(address, left);
  }

  /** Addresses with at least one live thing. */
  get addresses(): number {
    return this.counts.size;
  }
}
