/**
 * A streaming frame parser: feed it bytes in chunks of any size and it calls back once per
 * complete frame. It has two explicit states and returns early whenever bytes are short:
 *
 *   HEADER  — collect 2..14 header bytes; decode; ask the sink to vet the header
 *             (this is where maxPayload is checked, before any payload is buffered)
 *   PAYLOAD — collect payloadLength bytes; unmask; hand the frame to the sink; back to HEADER
 *
 * Payloads never alias the caller's chunks, so callers may reuse their buffers. A frame inside
 * one chunk is copied and unmasked in one pass; a frame spanning chunks is copied piece by
 * piece into one buffer (or, above PREALLOCATE_LIMIT, a list concatenated once at the end),
 * so big frames in small chunks stay linear.
 */
import { MAX_HEADER_LENGTH } from './constants.ts';
import { decodeFrameHeader, type FrameHeader } from './frames.ts';
import { applyMask, copyMasked } from './mask.ts';
import { bufferCollector, type PieceCollector } from './pieces.ts';

export interface FrameSink {
  /** Called as soon as a header is complete, before its payload is read. Throw to reject it. */
  onHeader(header: FrameHeader): void;
  /** Optional, asked after onHeader: true skips the payload unread (no buffer, no onFrame). */
  skipsPayload?(header: FrameHeader): boolean;
  /**
   * Optional, asked after onHeader: spare bytes to leave after the payload. onFrame then gets a
   * buffer that many bytes longer than the payload, its last bytes unset, so that the sink can
   * append to the payload without copying it (permessage-deflate appends bytes to inflate it).
   */
  payloadRoom?(header: FrameHeader): number;
  /**
   * Optional: called with each unmasked piece of a payload that spans reads, as it arrives
   * (not for payloads that arrive whole). Lets the Protocol validate UTF-8 before the frame
   * ends. Throw to reject the frame.
   */
  onPayloadPiece?(header: FrameHeader, piece: Buffer): void;
  /** Called with the whole, unmasked payload. */
  onFrame(header: FrameHeader, payload: Buffer): void;
}

const State = { HEADER: 0, PAYLOAD: 1 } as const;
type StateValue = (typeof State)[keyof typeof State];

const EMPTY = Buffer.alloc(0);

/**
 * A frame spanning several reads whose payload is at most this size gets its whole buffer
 * allocated when the first piece arrives (one copy per byte). Larger frames collect their
 * pieces (in blocks: a peer trickling one byte per read must not cost an object per byte) and
 * join them once at the end, so memory is only committed as bytes actually arrive. The limit
 * is small on purpose: a header alone can announce it, so it is what a peer that announces a
 * frame and then sends nothing costs us per connection (at 1 MiB, 200 such peers would hold
 * 200 MB of ours for 3 KB of input).
 */
const PREALLOCATE_LIMIT = 64 * 1024;

export class FrameParser {
  private state: StateValue = State.HEADER;
  /** Header bytes carried over from a previous chunk (a header split across reads). */
  private partialHeader: Buffer | undefined;
  private partialHeaderLength = 0;
  private header: FrameHeader | undefined;
  /**
   * The current frame's mask, copied out of the chunk (which the caller may reuse). Made at the
   * first frame: a connection that never sends one holds no buffer.
   */
  private maskKey: Uint8Array | undefined;
  /** A frame's payload buffer, allocated up front when the frame is small enough. */
  private target: Buffer | undefined;
  /** Otherwise its pieces, joined once at the end (made for such a frame, dropped after it). */
  private pieces: PieceCollector<Buffer> | undefined;
  private received = 0;
  /** The current frame's payload is skipped: counted, never copied. */
  private discarding = false;
  /** Spare bytes the sink asked for after the current frame's payload. */
  private room = 0;
  private stopped = false;

  constructor(private readonly sink: FrameSink) {}

  /** Parses as much of `chunk` as it can. Errors thrown by the sink propagate to the caller. */
  push(chunk: Uint8Array): void {
    let at = 0;
    while (at < chunk.length && !this.stopped) {
      if (this.state === State.HEADER) {
        const used = this.readHeader(chunk, at);
        if (used === 0) return; // not enough bytes yet; the rest is kept in partialHeader
        at += used;
      } else {
        at += this.readPayload(chunk, at);
      }
    }
  }

  /** Ignores every later byte, including the rest of the current chunk (after close or failure). */
  stop(): void {
    this.stopped = true;
    this.pieces = undefined;
    this.target = undefined;
  }

  /** True between frames: no partial header or payload is held. */
  get idle(): boolean {
    return this.state === State.HEADER && this.partialHeaderLength === 0;
  }

  /** Returns how many bytes of `chunk` (from `at`) the header used, or 0 if it is incomplete. */
  private readHeader(chunk: Uint8Array, at: number): number {
    this.maskKey ??= new Uint8Array(4);
    const maskKey = this.maskKey;
    let header: FrameHeader | undefined;
    let used: number;
    if (this.partialHeaderLength === 0) {
      header = decodeFrameHeader(chunk, at, maskKey);
      if (header === undefined) {
        this.keepPartialHeader(chunk.subarray(at));
        return 0;
      }
      used = header.headerLength;
    } else {
      // Rare path: top up the carried-over bytes, one chunk's worth at most 14 bytes.
      const before = this.partialHeaderLength;
      const take = Math.min(MAX_HEADER_LENGTH - before, chunk.length - at);
      this.keepPartialHeader(chunk.subarray(at, at + take));
      header = decodeFrameHeader(this.partialHeaderBytes(), 0, maskKey);
      if (header === undefined) return 0;
      used = header.headerLength - before;
      this.partialHeaderLength = 0;
    }
    this.sink.onHeader(header);
    this.discarding = this.sink.skipsPayload?.(header) === true;
    this.room = this.discarding ? 0 : (this.sink.payloadRoom?.(header) ?? 0);
    this.header = header;
    this.received = 0;
    if (header.payloadLength === 0) {
      this.finishFrame(this.room === 0 ? EMPTY : Buffer.allocUnsafe(this.room));
    } else {
      this.state = State.PAYLOAD;
    }
    return used;
  }

  private keepPartialHeader(bytes: Uint8Array): void {
    if (this.partialHeader === undefined)
      this.partialHeader = Buffer.allocUnsafe(MAX_HEADER_LENGTH);
    this.partialHeader.set(bytes, this.partialHeaderLength);
    this.partialHeaderLength += bytes.length;
  }

  private partialHeaderBytes(): Buffer {
    return (this.partialHeader ?? EMPTY).subarray(0, this.partialHeaderLength);
  }

  private readPayload(chunk: Uint8Array, at: number): number {
    const header = this.header as FrameHeader;
    const length = header.payloadLength;
    const take = Math.min(length - this.received, chunk.length - at);
    if (this.discarding) {
      this.received += take;
      if (this.received === length) this.finishFrame(EMPTY);
      return take;
    }
    const mask = header.masked ? this.maskKey : undefined;
    if (take === length) {
      // The whole payload is in this chunk (the common case): copy and unmask in one pass.
      const payload = Buffer.allocUnsafe(length + this.room);
      copyMasked(chunk, at, payload, 0, length, mask);
      this.finishFrame(payload);
      return take;
    }
    if (this.received === 0 && length <= PREALLOCATE_LIMIT) {
      this.target = Buffer.allocUnsafe(length + this.room);
    }
    let piece: Buffer;
    if (this.target !== undefined) {
      // Copy each piece straight to its place and unmask it while it is still in cache.
      piece = this.target.subarray(this.received, this.received + take);
      piece.set(chunk.subarray(at, at + take));
    } else {
      piece = Buffer.allocUnsafe(take);
      piece.set(chunk.subarray(at, at + take));
    }
    if (mask) applyMask(piece, mask, this.received);
    // Collected only once unmasked: the collector may copy a small piece straight away.
    if (this.target === undefined) {
      this.pieces ??= bufferCollector();
      this.pieces.push(piece);
    }
    this.sink.onPayloadPiece?.(header, piece);
    this.received += take;
    if (this.received === length) {
      const payload = this.target ?? (this.pieces as PieceCollector<Buffer>).take(this.room);
      this.target = undefined;
      this.pieces = undefined;
      this.finishFrame(payload);
    }
    return take;
  }

  private finishFrame(payload: Buffer): void {
    const header = this.header as FrameHeader;
    this.state = State.HEADER;
    this.header = undefined;
    if (this.discarding) {
      this.discarding = false;
      return;
    }
    this.sink.onFrame(header, payload);
  }
}
