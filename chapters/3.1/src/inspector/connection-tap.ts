/**
 * Follows one TCP connection, both directions, from the raw bytes: the HTTP request head,
 * the response head, then — after a 101 — every frame each side sends. Sans-I/O: the relay
 * pushes what it copies; the tap calls back with events. It keeps at most one head per side
 * (bounded by maxHeaderBytes) and FrameTap's few bytes per side, never a payload.
 */
import {
  DEFAULT_MAX_HEADER_BYTES,
  type HttpRequestHead,
  HttpRequestParser,
  type HttpResponseHead,
  HttpResponseParser,
} from '@course/ws-core';
import type { FrameCapture } from './describe-frame.ts';
import { FrameTap } from './frame-tap.ts';

export type Side = 'client' | 'server';

export type TapEvent =
  /** `text` is the head exactly as received (latin1), blank line included. */
  | { type: 'request'; head: HttpRequestHead; text: string }
  | { type: 'response'; head: HttpResponseHead; text: string }
  | { type: 'frame'; from: Side; capture: FrameCapture }
  /** The bytes stopped making sense (a malformed head, an impossible length); that side is no longer followed. */
  | { type: 'unreadable'; from: Side; message: string };

interface HeadReader<Head> {
  push(chunk: Uint8Array): { head: Head; rest: Uint8Array } | undefined;
}

/** One direction: an HTTP head, then frames (or nothing, when the head says so). */
class DirectionTap<Head> {
  private reader: HeadReader<Head> | undefined;
  /** The head's bytes so far, to show it exactly as sent (the parser keeps only its own copy). */
  private headChunks: Buffer[] = [];
  private headBytes = 0;
  private frames: FrameTap | undefined;

  constructor(
    private readonly from: Side,
    reader: HeadReader<Head>,
    /** Returns whether frames follow this head. */
    private readonly onHead: (head: Head, text: string) => boolean,
    private readonly emit: (event: TapEvent) => void,
  ) {
    this.reader = reader;
  }

  push(chunk: Uint8Array): void {
    if (this.frames) {
      this.frames.push(chunk);
      return;
    }
    const reader = this.reader;
    if (!reader) return;
    let step: ReturnType<typeof reader.push>;
    try {
      step = reader.push(chunk);
    } catch (error) {
      this.stop();
      this.emit({ type: 'unreadable', from: this.from, message: (error as Error).message });
      return;
    }
    this.headChunks.push(Buffer.from(chunk));
    this.headBytes += chunk.length;
    if (!step) return;
    const all = Buffer.concat(this.headChunks, this.headBytes);
    const text = all.toString('latin1', 0, this.headBytes - step.rest.length);
    this.reader = undefined;
    this.headChunks = [];
    if (!this.onHead(step.head, text)) return;
    this.frames = new FrameTap(
      (capture) => this.emit({ type: 'frame', from: this.from, capture }),
      (error) => this.emit({ type: 'unreadable', from: this.from, message: error.message }),
    );
    this.frames.push(step.rest);
  }

  stop(): void {
    this.reader = undefined;
    this.headChunks = [];
    this.frames?.stop();
  }
}

export class ConnectionTap {
  private readonly client: DirectionTap<HttpRequestHead>;
  private readonly server: DirectionTap<HttpResponseHead>;
  private stopped = false;

  constructor(
    onEvent: (event: TapEvent) => void,
    { maxHeaderBytes = DEFAULT_MAX_HEADER_BYTES }: { maxHeaderBytes?: number } = {},
  ) {
    // Events stop the moment the owner calls stop(), even in the middle of a chunk.
    const emit = (event: TapEvent) => {
      if (!this.stopped) onEvent(event);
    };
    this.client = new DirectionTap(
      'client',
      new HttpRequestParser({ maxHeaderBytes }),
      (head, text) => {
        emit({ type: 'request', head, text });
        return !this.stopped;
      },
      emit,
    );
    this.server = new DirectionTap(
      'server',
      new HttpResponseParser({ maxHeaderBytes }),
      (head, text) => {
        emit({ type: 'response', head, text });
        // §4.1: only after "101 Switching Protocols" does the connection carry frames.
        return !this.stopped && head.status === 101;
      },
      emit,
    );
  }

  push(from: Side, chunk: Uint8Array): void {
    if (this.stopped) return;
    (from === 'client' ? this.client : this.server).push(chunk);
  }

  /** Follows nothing more (e.g. the request was for the page, not for /lab). */
  stop(): void {
    this.stopped = true;
    this.client.stop();
    this.server.stop();
  }
}
