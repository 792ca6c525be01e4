/**
 * Splits one message into `count` frames (RFC 6455 §5.4): the first carries the message's
 * opcode with FIN = 0, the middle ones are continuations (opcode 0) with FIN = 0, the last a
 * continuation with FIN = 1. One fragment is the whole message in one frame, FIN = 1.
 * A text message may be cut inside a character: only the whole message must be UTF-8 (§5.6).
 */
import { type Frame, frame, Opcode } from '@course/ws-core';

export function fragmentMessage(opcode: number, payload: Uint8Array, count: number): Frame[] {
  if (!Number.isInteger(count) || count < 1) {
    throw new RangeError(`fragment count must be a whole number from 1, got ${count}`);
  }
  // Never more fragments than bytes, but an empty message is still one frame.
  const parts = Math.max(1, Math.min(count, payload.length));
  const frames: Frame[] = [];
  for (let i = 0; i < parts; i++) {
    const start = Math.floor((payload.length * i) / parts);
    const end = Math.floor((payload.length * (i + 1)) / parts);
    const last = i === parts - 1;
    frames.push(frame(i === 0 ? opcode : Opcode.CONTINUATION, payload.subarray(start, end), last));
  }
  return frames;
}
