/** Shared test helpers: an in-memory chapter IO and a raw-socket WebSocket client. Bounded
 * waits (`within`, `until`) come from course-kit/testing. */
import { type Socket, connect as tcpConnect } from 'node:net';
import type { ChapterIo } from '@course/course-kit';
import { until } from '@course/course-kit/testing/waits';
import {
  formatUpgradeRequest,
  generateKey,
  HttpResponseParser,
  Protocol,
  type ProtocolEvent,
  validateUpgradeResponse,
} from '@course/ws-core';

export function memoryIo() {
  let out = '';
  let err = '';
  const controller = new AbortController();
  const io: ChapterIo = {
    stdout: (text) => {
      out += text;
    },
    stderr: (text) => {
      err += text;
    },
    color: false,
    signal: controller.signal,
  };
  return { io, controller, out: () => out, err: () => err };
}

/** A clock the test moves by hand (`time.now += 500`), in milliseconds. */
export function manualClock() {
  const time = { now: 0 };
  return { time, now: () => time.now };
}

/**
 * A WebSocket client on a bare socket: completes a real handshake, then lets a test write
 * any bytes it likes (unmasked frames, bad UTF-8…) and see what the server sends, decoded
 * by ws-core's client-side Protocol.
 */
export class RawClient {
  readonly events: ProtocolEvent[] = [];
  readonly closed: Promise<void>;
  private readonly protocol = new Protocol({ role: 'client' });

  private constructor(readonly socket: Socket) {
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => {});
  }

  static async open(port: number, path: string): Promise<RawClient> {
    const socket = tcpConnect(port, '127.0.0.1');
    const client = new RawClient(socket);
    const key = generateKey();
    socket.write(formatUpgradeRequest(new URL(`ws://127.0.0.1:${port}${path}`), key));
    const parser = new HttpResponseParser();
    const rest = await new Promise<Uint8Array>((resolve, reject) => {
      socket.once('close', () => reject(new Error('closed during the handshake')));
      const onData = (chunk: Buffer) => {
        const parsed = parser.push(chunk);
        if (!parsed) return;
        socket.off('data', onData);
        validateUpgradeResponse(parsed.head, key);
        resolve(parsed.rest);
      };
      socket.on('data', onData);
    });
    client.feed(rest);
    socket.on('data', (chunk: Buffer) => client.feed(chunk));
    return client;
  }

  private feed(chunk: Uint8Array) {
    if (chunk.length === 0) return;
    this.protocol.receiveData(chunk);
    this.events.push(...this.protocol.eventsReceived());
  }

  write(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  /** Sends a well-formed masked text frame. */
  sendText(text: string): void {
    this.protocol.sendText(text);
    for (const bytes of this.protocol.dataToSend()) this.socket.write(bytes);
  }

  closeEvent(): Promise<{ code: number; reason: string }> {
    return until(
      () => {
        const close = this.events.find((e) => e.type === 'close');
        return close?.type === 'close' ? close : undefined;
      },
      10_000,
      'a close frame from the server',
    );
  }

  textEvents(): string[] {
    return this.events.flatMap((e) => (e.type === 'text' ? [e.data] : []));
  }

  destroy(): void {
    this.socket.destroy();
  }
}
