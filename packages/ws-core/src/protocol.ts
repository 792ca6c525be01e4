/**
 * The sans-I/O WebSocket connection (RFC 6455 §5–7): bytes in, events and bytes out.
 * It never touches a socket, a timer or a promise, so it reads top to bottom and tests
 * with plain byte arrays. The node:net layer (connection.ts) drives it.
 *
 *   receiveData(bytes) ──▶ FrameParser ──▶ onHeader (rules, limits) ──▶ onFrame ──▶ events
 *   sendText / sendBinary / sendPing / sendClose ──▶ frames queued ──▶ dataToSend()
 *
 * An extension negotiated in the handshake (permessage-deflate) is applied here, once per
 * message: a message whose first frame has RSV1 is gathered whole, then `extension.decode`d;
 * `send*` asks `extension.encode`. The frame codec and the parser never hear of it
 * (extensions/extension.ts).
 *
 * Every rule violation throws a ProtocolError carrying its close code; `fail` is the one
 * place that turns such an error into a close frame.
 *
 * Messages that arrived before a protocol error are delivered first: when the error is found
 * behind events not yet handed out (a valid message and a bad frame in one read), its close
 * frame waits for the next dataToSend(), so the replies the application sends while handling
 * those events leave before it. (Autobahn cases 3.2, 4.1.3–4.2.4 and 5.15 expect the echo.)
 */
import { randomFillSync } from 'node:crypto';
import { decodeClosePayload, encodeClosePayload, truncateReason } from './close.ts';
import {
  CloseCode,
  DEFAULT_MAX_INFLATED_PAYLOAD,
  DEFAULT_MAX_PAYLOAD,
  MAX_CONTROL_PAYLOAD,
  Opcode,
  ZERO_COPY_THRESHOLD,
} from './constants.ts';
import {
  ConnectionClosedError,
  type ErrorCode,
  MessageTooBigError,
  ProtocolError,
} from './errors.ts';
import type { Extension } from './extensions/extension.ts';
import { FrameParser, type FrameSink } from './frame-parser.ts';
import {
  type Frame,
  type FrameHeader,
  firstHeaderByte,
  frameHeaderLength,
  writeFrameHeader,
} from './frames.ts';
import { applyMask, copyMasked } from './mask.ts';
import { bufferCollector, type PieceCollector } from './pieces.ts';
import { decodeUtf8, StreamingUtf8Decoder } from './utf8.ts';

export type ProtocolEvent =
  | { type: 'text'; data: string }
  | { type: 'binary'; data: Buffer }
  | { type: 'ping'; data: Buffer }
  | { type: 'pong'; data: Buffer }
  /** The peer's close frame (code 1005 when it sent none). */
  | { type: 'close'; code: number; reason: string };

export type Role = 'server' | 'client';
export type ProtocolState = 'open' | 'closing' | 'closed';

export interface ProtocolOptions {
  role: Role;
  /**
   * Largest message (all fragments together) accepted; bigger fails with 1009. A compressed
   * message is held to it as it inflates, or to DEFAULT_MAX_INFLATED_PAYLOAD when it is not set.
   */
  maxPayload?: number;
  /** Client only: where masks come from. Defaults to crypto-random; inject one in tests. */
  generateMask?: () => Uint8Array;
  /**
   * The extension the handshake negotiated (permessage-deflate), if any: RSV1 is allowed on
   * the first frame of a message, and such messages go through it. `maxInflatedPayload` then
   * counts the message as the extension outputs it.
   */
  extension?: Extension | undefined;
}

/**
 * The compressed bytes one message of `frames` frames may take, for `maxPayload` inflated bytes.
 * A sender that compresses badly still stays inside it:
 *   - Incompressible data costs zlib 5 bytes of stored-block header per block, and a block holds
 *     what fits its symbol buffer, 2^(memLevel + 6) - 1 symbols: 127 bytes at memLevel 1, so up
 *     to 4 % more. maxPayload / 16 is room for that (and for fixed-Huffman blocks of random bytes).
 *   - A sender that flushes every fragment (ws, python-websockets) ends each with an empty
 *     stored block and cuts a block short there: up to 16 bytes per frame, one-byte fragments
 *     included. That room stops growing at maxPayload, so that frames the limit never counts
 *     (empty ones) cannot raise it without end.
 * So a message holds at most about 2 × maxPayload compressed bytes, and only when it comes in
 * thousands of frames.
 */
function compressedLimit(maxPayload: number, frames: number): number {
  return maxPayload + Math.ceil(maxPayload / 16) + Math.min(16 * frames, maxPayload);
}

/** §5.3: masks "MUST be derived from a strong source of entropy". Drawn from a refilled pool. */
const maskPool = Buffer.allocUnsafe(4096);
let maskPoolAt = maskPool.length;
export function randomMask(): Uint8Array {
  if (maskPoolAt === maskPool.length) {
    randomFillSync(maskPool);
    maskPoolAt = 0;
  }
  maskPoolAt += 4;
  return maskPool.subarray(maskPoolAt - 4, maskPoolAt);
}

function protocolError(code: ErrorCode, message: string): ProtocolError {
  return new ProtocolError(CloseCode.PROTOCOL_ERROR, code, message);
}

function hex(opcode: number): string {
  return `0x${opcode.toString(16)}`;
}

export class Protocol {
  readonly role: Role;
  readonly maxPayload: number;
  /** Largest message a compressed one may inflate to: maxPayload, if it was given. */
  readonly maxInflatedPayload: number;
  /** The negotiated extension (permessage-deflate), or undefined. */
  readonly extension: Extension | undefined;
  private readonly generateMask: (() => Uint8Array) | undefined;
  /**
   * The frame parser calls this Protocol's onHeader, skipsPayload, onPayloadPiece and onFrame:
   * private methods, reached through a sink that only the parser holds, so that they are not
   * part of the Protocol's API. The sink is one object of one field per Protocol, its methods
   * shared by all, and each call through it is a monomorphic call the JIT inlines. (Arrow
   * functions or bound methods would each be a function object per connection; under tsx,
   * which keeps function names, arrows also get a property store each.)
   */
  private static readonly ParserSink = class implements FrameSink {
    constructor(private readonly protocol: Protocol) {}
    onHeader(header: FrameHeader): void {
      this.protocol.onHeader(header);
    }
    skipsPayload(header: FrameHeader): boolean {
      return this.protocol.skipsPayload(header);
    }
    payloadRoom(header: FrameHeader): number {
      return this.protocol.payloadRoom(header);
    }
    onPayloadPiece(header: FrameHeader, piece: Buffer): void {
      this.protocol.onPayloadPiece(header, piece);
    }
    onFrame(header: FrameHeader, payload: Buffer): void {
      this.protocol.onFrame(header, payload);
    }
  };
  /** Made at the first byte read: an idle connection holds no parser. */
  private parser: FrameParser | undefined;

  private events: ProtocolEvent[] = [];
  private outgoing: Uint8Array[] = [];
  private outgoingBytes = 0;

  private currentState: ProtocolState = 'open';
  private sentClose: { code: number; reason: string } | undefined;
  private receivedClose: { code: number; reason: string } | undefined;
  private failedWith: ProtocolError | undefined;
  /** Found behind undelivered events: its close frame is queued by the next dataToSend(). */
  private failurePending = false;

  // The data message being received (§5.4 fragmentation), set from each data frame's header;
  // opcode 0 means "none". messageBytes counts the payload announced so far. A message whose
  // first frame has RSV1 is compressed: gathered whole in `fragments`, then decoded.
  private messageOpcode = 0;
  private messageBytes = 0;
  private messageFrames = 0;
  private messageCompressed = false;
  /** Binary fragments of the message being received: made at its first fragment, dropped after. */
  private fragments: PieceCollector<Buffer> | undefined;
  private textDecoder: StreamingUtf8Decoder | undefined;
  /** True when the current frame's payload went through onPayloadPiece already. */
  private payloadStreamed = false;

  constructor(options: ProtocolOptions) {
    this.role = options.role;
    this.maxPayload = options.maxPayload ?? DEFAULT_MAX_PAYLOAD;
    this.maxInflatedPayload = options.maxPayload ?? DEFAULT_MAX_INFLATED_PAYLOAD;
    this.extension = options.extension;
    this.generateMask =
      options.role === 'client' ? (options.generateMask ?? randomMask) : undefined;
  }

  get state(): ProtocolState {
    return this.currentState;
  }
  /** Why we failed the connection, if we did: set as soon as the error is found. */
  get failure(): ProtocolError | undefined {
    return this.failedWith;
  }
  get closeSent(): boolean {
    return this.sentClose !== undefined;
  }
  get closeReceived(): boolean {
    return this.receivedClose !== undefined;
  }
  /** The peer's close code and reason, once its close frame arrived. */
  get peerClose(): { code: number; reason: string } | undefined {
    return this.receivedClose;
  }
  /** True once the TCP connection should be ended: close handshake done, or failed. */
  get shouldCloseTransport(): boolean {
    return this.currentState === 'closed';
  }
  /** Bytes queued by send* and not yet taken by dataToSend(). */
  get bytesToSend(): number {
    return this.outgoingBytes;
  }
  /**
   * True while a fragmented message (or a frame) is half received and state is held for it.
   * An idle connection holds none: its collectors and decoder are made when needed.
   */
  get holdsPartialMessage(): boolean {
    return (
      this.fragments !== undefined || this.textDecoder !== undefined || this.parser?.idle === false
    );
  }

  // ---- input ----

  /**
   * Never throws: a protocol error sets `failure` and queues a close frame — at once, or, if
   * events before it are still waiting to be handed out, at the next dataToSend().
   */
  receiveData(chunk: Uint8Array): void {
    if (this.currentState === 'closed' || this.failurePending) return;
    try {
      this.parser ??= new FrameParser(new Protocol.ParserSink(this));
      this.parser.push(chunk);
    } catch (error) {
      this.fail(error);
    }
  }

  /** Drains the events produced so far. */
  eventsReceived(): ProtocolEvent[] {
    const events = this.events;
    if (events.length > 0) this.events = [];
    return events;
  }

  /** Judges a header before its payload is read (the parser's onHeader). */
  private onHeader(header: FrameHeader): void {
    // §5.2: "MUST be 0 unless an extension is negotiated that defines meanings for non-zero
    // values". permessage-deflate gives RSV1 one; nothing we negotiate uses RSV2 or RSV3.
    if (header.rsv1) {
      if (this.extension === undefined) {
        throw protocolError(
          'WS_ERR_UNEXPECTED_RSV_1',
          'reserved bits set but no extension was negotiated',
        );
      }
      // RFC 7692 §6.1: "An endpoint MUST NOT set the "Per-Message Compressed" bit of control
      // frames and non-first fragments of a data message."
      if (header.opcode >= Opcode.CLOSE) {
        throw protocolError('WS_ERR_UNEXPECTED_RSV_1', 'rsv1 set on a control frame');
      }
      if (header.opcode === Opcode.CONTINUATION) {
        throw protocolError('WS_ERR_UNEXPECTED_RSV_1', 'rsv1 set on a continuation frame');
      }
    }
    if (header.rsv2 || header.rsv3) {
      throw protocolError(
        'WS_ERR_UNEXPECTED_RSV_2_3',
        'reserved bits set but no extension was negotiated',
      );
    }
    if (this.role === 'server' && !header.masked) {
      // §5.1: "a server MUST close the connection upon receiving a frame that is not masked".
      throw protocolError('WS_ERR_EXPECTED_MASK', 'client frames must be masked');
    }
    if (this.role === 'client' && header.masked) {
      // §5.1: "A client MUST close a connection if it detects a masked frame."
      throw protocolError('WS_ERR_UNEXPECTED_MASK', 'server frames must not be masked');
    }
    const { opcode } = header;
    // §5.2: "If an unknown opcode is received, the receiving endpoint MUST _Fail the
    // WebSocket Connection_." (0x3–0x7 and 0xB–0xF are reserved.)
    if (opcode >= Opcode.CLOSE) {
      if (opcode > Opcode.PONG) {
        throw protocolError('WS_ERR_INVALID_OPCODE', `reserved control opcode ${hex(opcode)}`);
      }
      // §5.5: "All control frames MUST have a payload length of 125 bytes or less and MUST
      // NOT be fragmented."
      if (!header.fin) {
        throw protocolError('WS_ERR_EXPECTED_FIN', 'control frames must not be fragmented');
      }
      if (header.payloadLength > MAX_CONTROL_PAYLOAD) {
        throw protocolError(
          'WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH',
          `control frame payload of ${header.payloadLength} bytes exceeds ${MAX_CONTROL_PAYLOAD}`,
        );
      }
      return;
    }
    if (opcode > Opcode.BINARY) {
      throw protocolError('WS_ERR_INVALID_OPCODE', `reserved data opcode ${hex(opcode)}`);
    }
    // After our Close, data frames are skipped unread (skipsPayload): no rules left to apply.
    if (this.sentClose !== undefined) return;
    // §5.4: a fragmented message is one data frame with FIN clear, then continuation frames,
    // the last with FIN set; only control frames may be interleaved.
    if (opcode === Opcode.CONTINUATION && this.messageOpcode === 0) {
      throw protocolError(
        'WS_ERR_INVALID_OPCODE',
        'continuation frame with no message to continue',
      );
    }
    if (opcode !== Opcode.CONTINUATION && this.messageOpcode !== 0) {
      throw protocolError(
        'WS_ERR_INVALID_OPCODE',
        'new data frame before the previous message was finished',
      );
    }
    // §10.4: "Such an implementation SHOULD impose a limit on frame sizes and the total message
    // size after reassembly from multiple frames." Ours applies to the whole message, checked
    // before any payload is buffered. A compressed message is held to what maxPayload bytes
    // can compress to here (compressedLimit), and to maxPayload itself as it inflates
    // (Extension.decode).
    const first = opcode !== Opcode.CONTINUATION;
    const compressed = first ? header.rsv1 : this.messageCompressed;
    const soFar = first ? 0 : this.messageBytes;
    const frames = first ? 1 : this.messageFrames + 1;
    const bytes = soFar + header.payloadLength;
    if (compressed) {
      const limit = compressedLimit(this.maxInflatedPayload, frames);
      if (bytes > limit) {
        throw new MessageTooBigError(
          'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH',
          `compressed message of ${bytes} bytes exceeds maxPayload ${this.maxInflatedPayload} ` +
            `(at most ${limit} compressed bytes in ${frames} frame${frames === 1 ? '' : 's'})`,
        );
      }
    } else if (bytes > this.maxPayload) {
      throw new MessageTooBigError(
        'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH',
        `message of ${bytes} bytes exceeds maxPayload ${this.maxPayload}`,
      );
    }
    if (first) {
      this.messageOpcode = opcode;
      this.messageCompressed = compressed;
    }
    this.messageBytes = bytes;
    this.messageFrames = frames;
  }

  /**
   * §5.5.1: once our Close is sent we only wait for the peer's. Data it sends meanwhile is for
   * no one: skipped unread, so a peer we are closing (say, one refused for a limit) cannot
   * make us buffer up to maxPayload while the closing handshake runs. (The parser's
   * skipsPayload.)
   */
  private skipsPayload(header: FrameHeader): boolean {
    return header.opcode < Opcode.CLOSE && this.sentClose !== undefined;
  }

  /**
   * A compressed message in one frame is decoded from the parser's own buffer, so that buffer
   * gets the room the extension needs; fragments get theirs when they are joined. (The parser's
   * payloadRoom.)
   */
  private payloadRoom(header: FrameHeader): number {
    const whole = header.rsv1 && header.fin && header.opcode !== Opcode.CONTINUATION;
    return whole && this.extension !== undefined ? this.extension.decodeRoom : 0;
  }

  /**
   * A piece of a payload that spans reads. Text is decoded as it arrives, so a bad byte fails
   * the connection (1007) at once, not after the rest of a large frame. (The parser's
   * onPayloadPiece.)
   */
  private onPayloadPiece(header: FrameHeader, piece: Buffer): void {
    if (header.opcode >= Opcode.CLOSE || this.messageOpcode !== Opcode.TEXT) return;
    if (this.messageCompressed) return; // compressed bytes: the text is checked once inflated
    if (this.sentClose !== undefined) return; // a frame that began before our Close: dropped
    this.textDecoder ??= new StreamingUtf8Decoder();
    this.textDecoder.push(piece);
    this.payloadStreamed = true;
  }

  /** Handles a complete frame (the parser's onFrame). */
  private onFrame(header: FrameHeader, payload: Buffer): void {
    switch (header.opcode) {
      case Opcode.PING:
        this.events.push({ type: 'ping', data: payload });
        // §5.5.2: "Upon receipt of a Ping frame, an endpoint MUST send a Pong frame in
        // response", and §5.5.3: with "identical 'Application data'". We skip it once we have
        // sent our Close: the closing handshake is under way.
        if (this.sentClose === undefined) this.queueFrame(0x80 | Opcode.PONG, payload);
        return;
      case Opcode.PONG:
        this.events.push({ type: 'pong', data: payload });
        return;
      case Opcode.CLOSE:
        this.receiveClose(payload);
        return;
      default:
        // A data frame that began before we sent our Close ends after it: for no one.
        if (this.sentClose === undefined) this.receiveDataFrame(header, payload);
    }
  }

  private receiveDataFrame(header: FrameHeader, payload: Buffer): void {
    if (this.messageCompressed) {
      this.receiveCompressedFrame(header, payload);
      return;
    }
    const streamed = this.payloadStreamed; // already fed to textDecoder piece by piece
    this.payloadStreamed = false;
    const whole = header.fin && header.opcode !== Opcode.CONTINUATION;
    if (this.messageOpcode === Opcode.TEXT) {
      if (whole && !streamed) {
        // The common case, a text message in one frame that arrived in one read.
        this.events.push({ type: 'text', data: decodeUtf8(payload) });
      } else {
        // Fragments (and frames spanning reads) are decoded as they come, failing fast (1007).
        this.textDecoder ??= new StreamingUtf8Decoder();
        if (!streamed) this.textDecoder.push(payload);
        if (!header.fin) return;
        this.events.push({ type: 'text', data: this.textDecoder.end() });
        this.textDecoder = undefined;
      }
    } else if (whole) {
      this.events.push({ type: 'binary', data: payload });
    } else {
      // Binary fragments are gathered in blocks and joined once, at the end (see pieces.ts).
      this.fragments ??= bufferCollector();
      const fragments = this.fragments;
      fragments.push(payload);
      if (!header.fin) return;
      this.events.push({ type: 'binary', data: fragments.take() });
      this.fragments = undefined;
    }
    this.messageOpcode = 0;
  }

  /**
   * A frame of a compressed message (RFC 7692 §6.2): its payload is gathered until the last
   * frame, then the message is decoded whole, from one buffer with the extension's room after
   * it (a message in one frame has it from the parser). Text is checked for UTF-8 after
   * inflation, on the bytes the application gets.
   */
  private receiveCompressedFrame(header: FrameHeader, payload: Buffer): void {
    // Only set with an extension: onHeader refuses RSV1 without one.
    const extension = this.extension as Extension;
    let input = payload;
    if (!header.fin || header.opcode === Opcode.CONTINUATION) {
      this.fragments ??= bufferCollector();
      this.fragments.push(payload);
      if (!header.fin) return;
      input = this.fragments.take(extension.decodeRoom);
      this.fragments = undefined;
    }
    const opcode = this.messageOpcode;
    this.messageOpcode = 0;
    this.messageCompressed = false;
    const message = extension.decode(input, this.maxInflatedPayload);
    this.events.push(
      opcode === Opcode.TEXT
        ? { type: 'text', data: decodeUtf8(message) }
        : { type: 'binary', data: message },
    );
  }

  /** A message cut short by a close or a failure will never finish: let its bytes go. */
  private dropPartialMessage(): void {
    this.fragments = undefined;
    this.textDecoder = undefined;
    this.messageOpcode = 0;
    this.messageCompressed = false;
  }

  private receiveClose(payload: Buffer): void {
    const { code, reason } = decodeClosePayload(payload);
    this.receivedClose = { code, reason };
    // §5.5.1: "After sending a Close frame, the endpoint MUST NOT send any further data
    // frames", so whatever follows the peer's Close is ignored.
    this.parser?.stop();
    this.dropPartialMessage();
    if (this.sentClose === undefined) {
      // §5.5.1: answer with a Close; "the endpoint typically echos the status code it received".
      this.queueClose(code === CloseCode.NO_STATUS ? undefined : code, '');
    }
    this.currentState = 'closed';
    this.events.push({ type: 'close', code, reason });
  }

  /**
   * §7.1.7 _Fail the WebSocket Connection_: the one place an error becomes a close code.
   * Anything that is not a ProtocolError is a bug on our side and becomes 1011.
   */
  private fail(error: unknown): void {
    const failure =
      error instanceof ProtocolError
        ? error
        : new ProtocolError(CloseCode.INTERNAL_ERROR, 'WS_ERR_INTERNAL', 'internal error', {
            cause: error,
          });
    this.failedWith = failure;
    this.parser?.stop();
    this.dropPartialMessage();
    if (this.events.length > 0 && this.sentClose === undefined) {
      // The frames before the bad one were valid: their events go out first, and whatever the
      // application sends while handling them goes before our close frame (as a peer that
      // reads frame by frame, like `ws`, would answer them). Nothing more is read meanwhile.
      this.failurePending = true;
      return;
    }
    this.closeForFailure();
  }

  /** Queues the close frame for `failedWith` and ends the connection. */
  private closeForFailure(): void {
    this.failurePending = false;
    const failure = this.failedWith as ProtocolError;
    if (this.sentClose === undefined) {
      this.queueClose(failure.closeCode, truncateReason(failure.message));
    }
    this.currentState = 'closed';
  }

  // ---- output ----

  /** Drains the bytes to write; hand them to one write (or a corked batch) to save syscalls. */
  dataToSend(): Uint8Array[] {
    // The events before a pending failure have been handed out and answered by now.
    if (this.failurePending) this.closeForFailure();
    const outgoing = this.outgoing;
    if (outgoing.length > 0) {
      this.outgoing = [];
      this.outgoingBytes = 0;
    }
    return outgoing;
  }

  sendText(text: string): void {
    this.assertCanSend();
    const length = Buffer.byteLength(text);
    if (this.extension !== undefined && length >= this.extension.threshold) {
      this.sendMessage(Opcode.TEXT, Buffer.from(text));
      return;
    }
    // Encode the text straight into the frame buffer: no intermediate payload Buffer.
    const mask = this.generateMask?.();
    const headerLength = frameHeaderLength(length, mask !== undefined);
    const bytes = Buffer.allocUnsafe(headerLength + length);
    writeFrameHeader(bytes, 0x80 | Opcode.TEXT, length, mask);
    bytes.write(text, headerLength, 'utf8');
    if (mask !== undefined) applyMask(bytes.subarray(headerLength), mask);
    this.push(bytes);
  }

  sendBinary(data: Uint8Array): void {
    this.assertCanSend();
    this.sendMessage(Opcode.BINARY, data);
  }

  /**
   * One data message in one frame, through the extension when there is one: RSV1 marks a
   * payload it encoded (RFC 7692 §6: "the first frame of the message"; we send one frame).
   */
  private sendMessage(opcode: number, data: Uint8Array): void {
    const extension = this.extension;
    const encoded =
      extension !== undefined && data.length >= extension.threshold
        ? extension.encode(data)
        : undefined;
    if (encoded === undefined) this.queueFrame(0x80 | opcode, data);
    else this.queueFrame(0x80 | 0x40 | opcode, encoded);
  }

  sendPing(data: Uint8Array = Buffer.alloc(0)): void {
    this.assertCanSend();
    this.assertControlPayload(data);
    this.queueFrame(0x80 | Opcode.PING, data);
  }

  sendPong(data: Uint8Array = Buffer.alloc(0)): void {
    this.assertCanSend();
    this.assertControlPayload(data);
    this.queueFrame(0x80 | Opcode.PONG, data);
  }

  /**
   * Starts (or, after the peer's close, completes) the closing handshake. Idempotent.
   * Throws RangeError for a code that may not be sent or a reason over 123 bytes.
   */
  sendClose(code: number = CloseCode.NORMAL, reason = ''): void {
    if (this.failurePending) {
      // The connection is failing already: the close frame says why (e.g. 1002), not 1000.
      this.closeForFailure();
      return;
    }
    if (this.sentClose !== undefined || this.currentState === 'closed') return;
    this.queueClose(code, reason);
    this.dropPartialMessage(); // no later data frame will be read to finish it
    this.currentState = this.receivedClose === undefined ? 'closing' : 'closed';
  }

  /**
   * Sends any frame as given (masked if we are a client): for fragmented messages and tests.
   * The caller is responsible for the frame making sense.
   */
  sendFrame(frame: Frame): void {
    this.assertCanSend();
    this.queueFrame(firstHeaderByte(frame), frame.payload);
  }

  private assertCanSend(): void {
    if (this.sentClose !== undefined) {
      throw new ConnectionClosedError(this.sentClose.code, this.sentClose.reason);
    }
  }

  private assertControlPayload(data: Uint8Array): void {
    if (data.length > MAX_CONTROL_PAYLOAD) {
      throw new RangeError(
        `control frame payload of ${data.length} bytes exceeds ${MAX_CONTROL_PAYLOAD}`,
      );
    }
  }

  private queueClose(code: number | undefined, reason: string): void {
    const payload = encodeClosePayload(code, reason);
    this.queueFrame(0x80 | Opcode.CLOSE, payload);
    this.sentClose = { code: code ?? CloseCode.NO_STATUS, reason };
  }

  private queueFrame(firstByte: number, payload: Uint8Array): void {
    const mask = this.generateMask?.();
    const length = payload.length;
    if (mask === undefined && length >= ZERO_COPY_THRESHOLD) {
      // A large server frame goes out as two pieces; the payload is not copied, so callers
      // must not modify a buffer after sending it.
      const header = Buffer.allocUnsafe(10);
      this.push(header.subarray(0, writeFrameHeader(header, firstByte, length)));
      this.push(payload);
      return;
    }
    const headerLength = frameHeaderLength(length, mask !== undefined);
    const bytes = Buffer.allocUnsafe(headerLength + length);
    writeFrameHeader(bytes, firstByte, length, mask);
    copyMasked(payload, 0, bytes, headerLength, length, mask);
    this.push(bytes);
  }

  private push(bytes: Uint8Array): void {
    this.outgoing.push(bytes);
    this.outgoingBytes += bytes.length;
  }
}
