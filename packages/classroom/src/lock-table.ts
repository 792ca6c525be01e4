/**
 * A row of owner-recording locks in one SharedArrayBuffer, given to students for the
 * lock-ordering exercise. Each lock's word holds its owner's id (0 = free) and each owner
 * records the lock it is waiting for, so a test that times out can say exactly who holds
 * what — the wait-for graph of a deadlock, in words.
 */

export class LockTable {
  readonly cells: Int32Array;

  /** `cells` comes from `LockTable.allocate(locks, owners)`, shared between threads. */
  constructor(
    cells: Int32Array,
    readonly size: number,
  ) {
    this.cells = cells;
  }

  static allocate(locks: number, maxOwner: number): Int32Array {
    return new Int32Array(new SharedArrayBuffer((locks + maxOwner + 1) * 4));
  }

  /** Blocks until lock `index` is free, then takes it for `owner` (1, 2, …). */
  lock(index: number, owner: number): void {
    this.#check(index, owner);
    Atomics.store(this.cells, this.size + owner, index + 1);
    for (;;) {
      const holder = Atomics.compareExchange(this.cells, index, 0, owner);
      if (holder === 0) break;
      if (holder === owner)
        throw new Error(
          `owner ${owner} already holds lock ${index}: locking it again would wait forever`,
        );
      Atomics.wait(this.cells, index, holder);
    }
    Atomics.store(this.cells, this.size + owner, 0);
  }

  unlock(index: number, owner: number): void {
    this.#check(index, owner);
    const holder = Atomics.compareExchange(this.cells, index, owner, 0);
    if (holder !== owner)
      throw new Error(
        `owner ${owner} cannot unlock lock ${index}: ${holder === 0 ? 'it is not locked' : `owner ${holder} holds it`}`,
      );
    Atomics.notify(this.cells, index);
  }

  holder(index: number): number {
    return Atomics.load(this.cells, index);
  }

  /** "owner 1 holds lock 0 and waits for lock 1; owner 2 holds lock 1 and waits for lock 0" */
  describe(name = 'lock'): string {
    const owners = this.cells.length - this.size - 1;
    const parts: string[] = [];
    for (let owner = 1; owner <= owners; owner++) {
      const held = [...Array(this.size).keys()].filter((i) => this.holder(i) === owner);
      const waiting = Atomics.load(this.cells, this.size + owner) - 1;
      if (held.length === 0 && waiting < 0) continue;
      const holds =
        held.length > 0
          ? `holds ${held.map((i) => `${name} ${i}`).join(' and ')}`
          : 'holds nothing';
      parts.push(
        `owner ${owner} ${holds}${waiting >= 0 ? ` and waits for ${name} ${waiting}` : ''}`,
      );
    }
    return parts.length > 0 ? parts.join('; ') : `no ${name} is held`;
  }

  #check(index: number, owner: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.size)
      throw new RangeError(`no lock ${index}`);
    if (!Number.isInteger(owner) || owner < 1 || this.size + owner >= this.cells.length)
      throw new RangeError(`owner must be 1 to ${this.cells.length - this.size - 1}, got ${owner}`);
  }
}
