/**
 * A streaming frame tap: feed it the bytes of one direction of a connection, in chunks of any
 * size, and it hands out one FrameCapture per frame, as the bytes arrived. Sans-I/O, like
 * ws-core's FrameParser, with the same two states:
 *
 *   HEADER  — collect 2, then all 2–14 header bytes; decode with ws-core's decodeFrameHeader
 *   PAYLOAD — keep the payload's first KEPT_HEAD and last PREVIEW_TAIL bytes, count the rest
 *
 * Unlike the parser it never buffers a payload: what it holds is bounded (14 + 125 + 4 bytes)
 * whatever a peer sends, so a student may send 70 KB a hundred times.
 */
import { decodeFrameHeader, MAX_HEADER_LENGTH, Opcode } from '@course/ws-core';
import { type FrameCapture, KEPT_HEAD, PREVIEW_TAIL } from './describe-frame.ts';

/** Header length once its first two bytes are known: 2, plus 0/2/8 length bytes, plus 0/4 key bytes. */
function headerLengthFrom(b1: number): number {
  const length7 = b1 & 0x7f;
  const lengthBytes = length7 === 126 ? 2 : length7 === 127 ? 8 : 0;
  return 2 + lengthBytes + (b1 & 0x80 ? 4 : 0);
}

interface PayloadInProgress {
  header: Uint8Array;
  head: Uint8Array;
  headHave: number;
  tail: Uint8Array;
  payloadLength: number;
  /** Payload bytes still to come. */
  left: number;
}

export class FrameTap {
  private readonly headerBytes = new Uint8Array(MAX_HEADER_LENGTH);
  private headerHave = 0;
  /** Set while reading a payload. */
  private current: PayloadInProgress | undefined;
  /** Text or binary: the message that continuation frames continue. */
  private messageOpcode: number | undefined;
  private stopped = false;

  constructor(
    private readonly onFrame: (capture: FrameCapture) => void,
    /** Called once when the bytes are not a frame stream; the tap then stops. */
    private readonly onError: (error: Error) => void = () => {},
  ) {}

  push(chunk: Uint8Array): void {
    let at = 0;
    while (at < chunk.length && !this.stopped) {
      at += this.current ? this.readPayload(chunk, at) : this.readHeader(chunk, at);
    }
  }

  /** Ignores every later byte. */
  stop(): void {
    this.stopped = true;
  }

  private readHeader(chunk: Uint8Array, at: number): number {
    // First the two bytes that say how long the header is, then the rest of it.
    const needed = this.headerHave < 2 ? 2 : headerLengthFrom(this.headerBytes[1] ?? 0);
    const take = Math.min(needed - this.headerHave, chunk.length - at);
    this.headerBytes.set(chunk.subarray(at, at + take), this.headerHave);
    this.headerHave += take;
    if (this.headerHave < 2 || this.headerHave < headerLengthFrom(this.headerBytes[1] ?? 0)) {
      return take;
    }
    let header: ReturnType<typeof decodeFrameHeader>;
    try {
      header = decodeFrameHeader(this.headerBytes.subarray(0, this.headerHave));
    } catch (error) {
      // e.g. a 64-bit length with its top bit set (§5.2): not a stream we can follow.
      this.stopped = true;
      this.onError(error as Error);
      return take;
    }
    if (!header) return take; // not reached: we hold exactly headerLength bytes
    this.current = {
      header: this.headerBytes.slice(0, this.headerHave),
      head: new Uint8Array(Math.min(header.payloadLength, KEPT_HEAD)),
      headHave: 0,
      tail: new Uint8Array(0),
      payloadLength: header.payloadLength,
      left: header.payloadLength,
    };
    this.headerHave = 0;
    if (header.payloadLength === 0) this.finish();
    return take;
  }

  private readPayload(chunk: Uint8Array, at: number): number {
    const frame = this.current;
    if (!frame) return 0;
    const take = Math.min(frame.left, chunk.length - at);
    const piece = chunk.subarray(at, at + take);
    const intoHead = Math.min(frame.head.length - frame.headHave, piece.length);
    frame.head.set(piece.subarray(0, intoHead), frame.headHave);
    frame.headHave += intoHead;
    const rest = piece.subarray(intoHead);
    if (rest.length > 0) {
      // Keep a sliding window of the last PREVIEW_TAIL bytes after the head.
      const window = new Uint8Array(frame.tail.length + Math.min(rest.length, PREVIEW_TAIL));
      window.set(frame.tail);
      window.set(
        rest.subarray(rest.length - (window.length - frame.tail.length)),
        frame.tail.length,
      );
      frame.tail = window.slice(Math.max(0, window.length - PREVIEW_TAIL));
    }
    frame.left -= take;
    if (frame.left === 0) this.finish();
    return take;
  }

  private finish(): void {
    const frame = this.current;
    if (!frame) return;
    this.current = undefined;
    const opcode = (frame.header[0] ?? 0) & 0x0f;
    const fin = ((frame.header[0] ?? 0) & 0x80) !== 0;
    if (opcode === Opcode.TEXT || opcode === Opcode.BINARY) this.messageOpcode = opcode;
    const messageOpcode = opcode === Opcode.CONTINUATION ? this.messageOpcode : undefined;
    // Control frames may come between fragments (§5.4) and do not end the message.
    if (fin && (opcode & 0x8) === 0) this.messageOpcode = undefined;
    this.onFrame({
      header: frame.header,
      head: frame.head,
      tail: frame.tail,
      payloadLength: frame.payloadLength,
      ...(messageOpcode === undefined ? {} : { messageOpcode }),
    });
  }
}
