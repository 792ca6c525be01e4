/**
 * Gathers the pieces of one fragmented message with memory proportional to its size, not to
 * its number of fragments.
 *
 * RFC 6455 sets no limit on fragments, and neither do we (only `maxPayload` bounds a message).
 * Kept one by one, though, every piece costs a list entry and an object of about a hundred
 * bytes: a peer sending 64 MiB as one-byte frames would make us hold gigabytes, and empty
 * frames, which `maxPayload` never counts, would grow the list forever. So empty pieces are
 * dropped, and small ones are joined into blocks of at least `BLOCK` units before they are
 * kept. Every unit is copied at most twice (into a block, then into the message), so a
 * message in many small fragments still assembles in linear time.
 */

/**
 * Smallest piece kept as it is; smaller ones wait to be joined into a block of this size.
 * At 1 KiB a held piece's own overhead is under 10% of its bytes, and the fragment and read
 * sizes real peers use (1 KiB and up) are never copied an extra time.
 */
export const BLOCK = 1024;

interface Piece {
  readonly length: number;
}

export class PieceCollector<T extends Piece> {
  private blocks: T[] = [];
  private small: T[] = [];
  private smallLength = 0;
  private totalLength = 0;

  /**
   * `join` makes one piece of many; `length` is their total, for a preallocating join, or more
   * when take() is asked for room after them.
   */
  constructor(private readonly join: (pieces: T[], length: number) => T) {}

  /** Units gathered so far (bytes for buffers, UTF-16 code units for strings). */
  get length(): number {
    return this.totalLength;
  }

  /** Pieces held right now, small ones included: what the memory bound is about. */
  get heldPieces(): number {
    return this.blocks.length + this.small.length;
  }

  push(piece: T): void {
    if (piece.length === 0) return;
    this.totalLength += piece.length;
    if (piece.length >= BLOCK && this.small.length === 0) {
      this.blocks.push(piece);
      return;
    }
    this.small.push(piece);
    this.smallLength += piece.length;
    if (this.smallLength >= BLOCK) this.joinSmall();
  }

  /**
   * The whole message; the collector is empty again afterwards. With `room`, a buffer that many
   * bytes longer, its last bytes unset: room for the taker to append without another copy.
   */
  take(room = 0): T {
    if (this.small.length > 0) this.joinSmall();
    const { blocks } = this;
    const whole =
      blocks.length === 1 && room === 0
        ? (blocks[0] as T)
        : this.join(blocks, this.totalLength + room);
    this.blocks = [];
    this.totalLength = 0;
    return whole;
  }

  /** Drops everything gathered so far (a message that will never be finished). */
  clear(): void {
    this.blocks = [];
    this.small = [];
    this.smallLength = 0;
    this.totalLength = 0;
  }

  private joinSmall(): void {
    const { small } = this;
    this.blocks.push(small.length === 1 ? (small[0] as T) : this.join(small, this.smallLength));
    this.small = [];
    this.smallLength = 0;
  }
}

export function bufferCollector(): PieceCollector<Buffer> {
  return new PieceCollector<Buffer>(joinBuffers);
}

/**
 * Like Buffer.concat, but never from Node's shared 8 KiB pool: a small block cut from the pool
 * would keep the whole slab alive, and the slab is full of the tiny pieces just joined.
 */
function joinBuffers(pieces: Buffer[], length: number): Buffer {
  const joined = Buffer.allocUnsafeSlow(length);
  let at = 0;
  for (const piece of pieces) {
    joined.set(piece, at);
    at += piece.length;
  }
  return joined;
}

export function stringCollector(): PieceCollector<string> {
  return new PieceCollector<string>((pieces) => pieces.join(''));
}
