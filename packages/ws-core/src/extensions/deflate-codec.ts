/**
 * permessage-deflate's codec (RFC 7692 §7.2): one message in, one message out, synchronously,
 * with nothing queued and no zlib stream kept between messages.
 *
 * Why synchronous one-shot calls, and not a zlib stream per connection (what `ws` does):
 *   - Bounded cost. An async zlib call goes to libuv's thread pool; `ws` queues such jobs
 *     without bound (ten at a time run, the rest wait with their buffers), and the pool's
 *     allocations fragment the heap (ws#1202, ws#1369, node#8871). Here a message is inflated
 *     while it is handled, so nothing waits: the socket is not read meanwhile, which is the
 *     backpressure, and there is no concurrency to cap.
 *   - Bounded memory. A DeflateRaw and an InflateRaw stream with 15-bit windows hold about
 *     220 KiB of RSS per connection (bench/deflate-cost.ts), for the life of the connection,
 *     idle or not. A one-shot call allocates zlib's state for the length of the call; between
 *     messages a connection keeps only its sliding windows (below): ours, 8 KiB by default, and
 *     the peer's, 8 KiB when it lets us choose (client_max_window_bits offered without a
 *     value) and otherwise what it says, up to 32 KiB.
 *   - Cheaper for small messages: for 1 KiB of JSON, deflate + inflate this way costs about half
 *     the CPU it costs through the thread pool (the hand-offs cost more than the compression);
 *     at 64 KiB the compression dominates and both ways cost the same.
 *   The price: the work runs on the event loop, so one process compresses on one core, and a
 *   message of maxPayload blocks the loop while it inflates.
 *
 * Context takeover without a stream: a raw DEFLATE decoder needs nothing from earlier data but
 * the sliding window — the last 2^windowBits bytes it produced — because every message ends on
 * a block boundary (§7.2.1 ends each with an empty stored block; §7.2.2 appends 00 00 ff ff
 * again before inflating). So the window is kept as plain bytes and handed to zlib as the raw
 * dictionary of the next call: inflateSetDictionary / deflateSetDictionary prime exactly that
 * window. The sender's window holds what it compressed; the receiver's what it inflated.
 *
 * Where a message ends (§7.2.1, §7.2.2). The sender ends each message on a block boundary and
 * removes the 00 00 ff ff that ends it; the receiver appends those bytes again. We also append a
 * final empty block, so that zlib is asked to finish: a message that ends where it should is
 * then a DEFLATE stream that ends exactly at the end of the input, and one cut inside a block
 * is not — zlib reads the appended bytes as more of that block and finds them invalid or too
 * few (1007), rather than handing out what came before the cut. A block with BFINAL set ends a
 * stream, but §7.2.1 lets a message go on after it: the rest is inflated as a new stream primed
 * with everything inflated before it, and anything that does not inflate there is 1007 too.
 *
 * Limits: `maxPayload` counts inflated bytes. zlib's `maxOutputLength` makes the inflate stop
 * at the chunk that passes it, so a 64 MiB bomb in a 64 KiB frame costs maxPayload plus one
 * chunk, then 1009; a message may hold at most MAX_DEFLATE_STREAMS streams. Text is checked for
 * UTF-8 by the Protocol, after this.
 *
 * Window bits 8: zlib refuses to compress raw DEFLATE with a 256-byte window, and Node quietly
 * asks it for 9 instead. That still keeps an 8-bit agreement: zlib's compressor never refers
 * further back than its window less 262 bytes (MAX_DIST in deflate.c: room for the longest
 * match and its lookahead), 250 bytes for a 512-byte window. So we ask for 9 ourselves and say
 * why; the window we keep, and the one we inflate with, are the agreed size.
 */
import { kMaxLength } from 'node:buffer';
import { constants, deflateRawSync, inflateRawSync } from 'node:zlib';
import { CloseCode } from '../constants.ts';
import { MessageTooBigError, ProtocolError } from '../errors.ts';
import type { Extension } from './extension.ts';

/** §7.2.2: "Append 4 octets of 0x00 0x00 0xff 0xff to the tail end of the payload". */
const TRAILER = Buffer.from([0x00, 0x00, 0xff, 0xff]);
/**
 * What `decode` appends to a payload: the trailer, then an empty stored block with BFINAL set
 * (01, then LEN 00 00 and NLEN ff ff), which ends the stream where a well-ended message ends.
 */
export const DECODE_TAIL = Buffer.from([...TRAILER, 0x01, 0x00, 0x00, 0xff, 0xff]);
/** Output is produced in chunks of this size; an over-long message is stopped within one. */
const INFLATE_CHUNK = 16 * 1024;
/**
 * Most DEFLATE streams one message may hold (1009 past it). A block with BFINAL set ends a
 * stream and §7.2.1 lets more blocks follow, so each stream is inflated by a zlib call of its
 * own, which sets up zlib's state and primes the window afresh. Senders that set BFINAL do it
 * once, at the end of a message; without a cap, a message of empty final blocks (2 bytes
 * each) would cost a zlib call per 2 bytes of maxPayload, all in one turn of the event loop.
 */
export const MAX_DEFLATE_STREAMS = 64;
/** §7.2.3.4: after a block with BFINAL set, the empty stored block a sender adds (00 00 00 ff ff). */
const EMPTY_BLOCK_AFTER_FINAL = Buffer.from([0x00, ...DECODE_TAIL]);
const EMPTY = Buffer.alloc(0);

/** What the agreement means for one direction: how that side compresses. */
export interface DeflateDirection {
  /** LZ77 window of the compressor, 8–15 bits. */
  windowBits: number;
  /** False when that side starts every message with an empty window (`*_no_context_takeover`). */
  contextTakeover: boolean;
}

export interface DeflateCodecSettings {
  /** The element answered in the handshake, e.g. `permessage-deflate; client_max_window_bits=15`. */
  header: string;
  /** How we compress what we send. */
  send: DeflateDirection;
  /** How the peer compresses what we receive. */
  receive: DeflateDirection;
  /** Messages smaller than this many bytes are sent uncompressed. */
  threshold: number;
  /** zlib compression level, 0–9 (or -1, zlib's default, 6). */
  level: number;
  /** zlib memLevel, 1–9: memory for the compressor's hash table during a call. */
  memLevel: number;
}

/**
 * The last `capacity` bytes of a byte stream: what a DEFLATE decoder's sliding window holds.
 * The buffer is made at the first append, so a connection that never compresses holds nothing.
 */
export class SlidingWindow {
  private bytes: Buffer | undefined;
  private filled = 0;

  constructor(readonly capacity: number) {}

  /** The window's bytes, oldest first (a view: zlib copies what it is given). */
  get contents(): Buffer | undefined {
    return this.filled === 0 ? undefined : this.bytes?.subarray(0, this.filled);
  }

  /** Bytes of memory held. */
  get heldBytes(): number {
    return this.bytes?.length ?? 0;
  }

  append(data: Uint8Array): void {
    if (data.length === 0) return;
    // Not from Node's shared pool: a window lives as long as its connection.
    this.bytes ??= Buffer.allocUnsafeSlow(this.capacity);
    const bytes = this.bytes;
    if (data.length >= this.capacity) {
      bytes.set(data.subarray(data.length - this.capacity));
      this.filled = this.capacity;
      return;
    }
    const keep = Math.min(this.filled, this.capacity - data.length);
    bytes.copyWithin(0, this.filled - keep, this.filled);
    bytes.set(data, keep);
    this.filled = keep + data.length;
  }
}

/** One connection's permessage-deflate: `decode` what arrives with RSV1, `encode` what we send. */
export class DeflateCodec implements Extension {
  readonly name = 'permessage-deflate';
  readonly header: string;
  /** What was agreed, resolved for this side: how we compress, how the peer does. */
  readonly settings: DeflateCodecSettings;
  readonly threshold: number;
  readonly decodeRoom = DECODE_TAIL.length;
  /** Windows for context takeover; undefined where that side starts every message afresh. */
  private readonly sent: SlidingWindow | undefined;
  private readonly received: SlidingWindow | undefined;

  constructor(settings: DeflateCodecSettings) {
    this.settings = settings;
    this.header = settings.header;
    this.threshold = settings.threshold;
    const { send, receive } = settings;
    this.sent = send.contextTakeover ? new SlidingWindow(1 << send.windowBits) : undefined;
    this.received = receive.contextTakeover
      ? new SlidingWindow(1 << receive.windowBits)
      : undefined;
  }

  get heldBytes(): number {
    return (this.sent?.heldBytes ?? 0) + (this.received?.heldBytes ?? 0);
  }

  /** `input`: the payload, then DECODE_TAIL.length spare bytes (see withDecodeRoom). */
  decode(input: Buffer, maxPayload: number): Buffer {
    const length = input.length - DECODE_TAIL.length;
    // §7.2.3.6: an empty message compresses to the one byte 00 (an empty stored block less
    // the trailer), and a sender may leave out even that. Neither holds anything to inflate,
    // and a zlib call would cost more than receiving the whole frame did.
    if (length === 0 || (length === 1 && input[0] === 0x00)) return Buffer.alloc(0);
    // In the room after the payload: a copy of a payload of maxPayload would cost as much again.
    DECODE_TAIL.copy(input, length);
    const message = this.inflate(input, maxPayload);
    this.received?.append(message);
    // zlib hands back a view of its 16 KiB output chunk: a small message kept by the
    // application would keep the whole chunk alive, so it gets a buffer of its own.
    if (message.length <= INFLATE_CHUNK / 2 && message.buffer.byteLength > 2 * message.length) {
      const own = Buffer.allocUnsafeSlow(message.length);
      own.set(message);
      return own;
    }
    return message;
  }

  /** Inflates `input` (a payload and DECODE_TAIL) stream by stream, within `maxPayload`. */
  private inflate(input: Buffer, maxPayload: number): Buffer {
    const { windowBits } = this.settings.receive;
    const end = input.length - DECODE_TAIL.length; // where the peer's bytes end
    const parts: Buffer[] = [];
    let dictionary = this.received?.contents;
    let budget = maxPayload;
    let at = 0;
    for (;;) {
      const { buffer, engine } = inflateStream(input.subarray(at), dictionary, {
        windowBits,
        budget,
        maxPayload,
      });
      parts.push(buffer);
      budget -= buffer.length;
      at += engine.bytesWritten;
      // Ended by our final block, or by the peer's own exactly where its bytes end (a sender
      // that finishes the stream and leaves out the empty block §7.2.1 asks for), or by the
      // peer's own followed by that empty block, which holds nothing to inflate.
      if (at === input.length || at === end) break;
      if (input.subarray(at).equals(EMPTY_BLOCK_AFTER_FINAL)) break;
      // §7.2.1: a block with BFINAL set, then more blocks: a new stream, same message, primed
      // with what the message inflated so far.
      if (parts.length === MAX_DEFLATE_STREAMS) {
        throw new MessageTooBigError(
          'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH',
          `compressed message holds more than ${MAX_DEFLATE_STREAMS} DEFLATE streams (blocks after a final block)`,
        );
      }
      dictionary = lastBytes([dictionary ?? EMPTY, ...parts], 1 << windowBits);
    }
    return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
  }

  encode(message: Uint8Array): Buffer | undefined {
    const { send, threshold, level, memLevel } = this.settings;
    if (message.length < threshold) return undefined;
    const compressed = deflatePayload(message, this.sent?.contents, {
      windowBits: send.windowBits,
      level,
      memLevel,
    });
    // Incompressible data goes as it is. The peer's window only takes in what it inflates,
    // so ours must not take this message in either.
    if (compressed.length >= message.length) return undefined;
    this.sent?.append(message);
    return compressed;
  }
}

/** What inflateRawSync returns with `info`: the output and the zlib object that made it. */
interface Inflated {
  buffer: Buffer;
  /** How many bytes of the input zlib took. */
  engine: { bytesWritten: number };
}

/**
 * `payload` copied into a buffer with the room DeflateCodec.decode needs after it, for a caller
 * that holds a payload on its own (tests, benchmarks). The Protocol gathers payloads with it.
 */
export function withDecodeRoom(payload: Uint8Array): Buffer {
  const input = Buffer.alloc(payload.length + DECODE_TAIL.length);
  input.set(payload);
  return input;
}

/**
 * Inflates one DEFLATE stream from the start of `input`, primed with `dictionary`, stopping
 * once its output passes `budget` bytes, what is left of `maxPayload` (1009).
 * `engine.bytesWritten` is how much of `input` the stream took: less than all of it when a
 * block with BFINAL set ended the stream early.
 */
function inflateStream(
  input: Buffer,
  dictionary: Buffer | undefined,
  { windowBits, budget, maxPayload }: { windowBits: number; budget: number; maxPayload: number },
): Inflated {
  let result: Inflated | undefined; // stays undefined when zlib stops at maxOutputLength
  try {
    result = inflateRawSync(input, {
      windowBits,
      // Finish: the stream must end (at the final block appended, or the peer's own) within
      // the input, and zlib says "unexpected end of file" if it does not.
      finishFlush: constants.Z_FINISH,
      // maxOutputLength stops zlib once its output passes it; it must be at least 1.
      maxOutputLength: Math.max(1, Math.min(budget, kMaxLength)),
      chunkSize: INFLATE_CHUNK,
      info: true,
      ...(dictionary && dictionary.length > 0 ? { dictionary } : {}),
    }) as unknown as Inflated;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_BUFFER_TOO_LARGE') {
      throw new ProtocolError(
        CloseCode.INVALID_PAYLOAD,
        'WS_ERR_INVALID_DEFLATE_DATA',
        `compressed message does not inflate: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }
  if (result === undefined || result.buffer.length > budget) {
    throw new MessageTooBigError(
      'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH',
      `compressed message inflates past maxPayload ${maxPayload}`,
    );
  }
  return result;
}

/** The last `size` bytes of `parts` joined, or fewer if they hold fewer. */
function lastBytes(parts: readonly Buffer[], size: number): Buffer {
  const kept: Buffer[] = [];
  let length = 0;
  for (let i = parts.length - 1; i >= 0 && length < size; i--) {
    const part = parts[i] as Buffer;
    const take = part.subarray(Math.max(0, part.length - (size - length)));
    kept.unshift(take);
    length += take.length;
  }
  return Buffer.concat(kept, length);
}

/**
 * One message compressed as §7.2.1 says, primed with `dictionary` (the sender's window, for
 * context takeover): DEFLATE with a sync flush, then the trailing 00 00 ff ff removed.
 */
export function deflatePayload(
  message: Uint8Array,
  dictionary: Buffer | undefined,
  options: { windowBits: number; level: number; memLevel: number },
): Buffer {
  const output = deflateRawSync(message, {
    // 8 bits is compressed with 9, whose back-references reach 250 bytes (see above).
    windowBits: Math.max(9, options.windowBits),
    level: options.level,
    memLevel: options.memLevel,
    // §7.2.1: compress "using the flush method that ends with an empty DEFLATE block".
    finishFlush: constants.Z_SYNC_FLUSH,
    ...(dictionary ? { dictionary } : {}),
  });
  // §7.2.1: "Remove 4 octets (that are 0x00 0x00 0xff 0xff) from the tail end."
  return output.subarray(0, output.length - TRAILER.length);
}
