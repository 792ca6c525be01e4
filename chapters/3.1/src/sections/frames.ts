/**
 * 3.1.5 Frame anatomy — the header bit by bit, the three length forms, and masking.
 * Shows:  5 B, 200 B and 70 KB messages encoded masked and unmasked; a stream cut into
 *         1024-byte reads still yields whole messages; the original send_data's broken header.
 * Run:    npm run chapter:3.1 -- 3.1.5
 * Expect: "7-bit length", "16-bit length", "64-bit length" (8 bytes, not 4), "Hello" unmasked.
 */
import type { Section, SectionContext } from '@course/course-kit';
import { encodeFrame, Opcode, Protocol } from '@course/ws-core';
import { dumpFrame, hex } from '../frame-dump.ts';
import { originalSendDataHeader } from '../original-code.ts';

/** The masking key of RFC 6455 §5.7's examples, so every run prints the same bytes. */
const RFC_MASK = Uint8Array.from([0x37, 0xfa, 0x21, 0x3d]);

const MESSAGES = [
  { label: '5 B text "Hello"', opcode: Opcode.TEXT, payload: Buffer.from('Hello') },
  { label: '200 B text', opcode: Opcode.TEXT, payload: Buffer.from('0123456789'.repeat(20)) },
  { label: '70 KB binary', opcode: Opcode.BINARY, payload: Buffer.alloc(70_000, 0xab) },
] as const;

function frameOf(message: (typeof MESSAGES)[number], mask?: Uint8Array): Buffer {
  const frame = { fin: true, rsv1: false, rsv2: false, rsv3: false, ...message };
  return mask ? encodeFrame(frame, mask) : encodeFrame(frame);
}

function showStreamReads(ctx: SectionContext) {
  const big = frameOf(MESSAGES[2], RFC_MASK);
  const server = new Protocol({ role: 'server' });
  let reads = 0;
  for (let at = 0; at < big.length; at += 1024) {
    server.receiveData(big.subarray(at, at + 1024));
    reads++;
  }
  const events = server.eventsReceived();
  ctx.say(`  one 70 KB frame fed as ${reads} reads of ≤1024 bytes → ${events.length} message`);
  const two = Buffer.concat([frameOf(MESSAGES[0], RFC_MASK), frameOf(MESSAGES[0], RFC_MASK)]);
  server.receiveData(two);
  ctx.say(
    `  two frames arriving in one read (${two.length} bytes) → ${server.eventsReceived().length} messages`,
  );
}

function showOriginalSendData(ctx: SectionContext) {
  const payload = Buffer.from(MESSAGES[1].payload);
  const originalHeader = originalSendDataHeader(payload.length);
  ctx.say(
    `  right header for 200 B     ${hex(frameOf(MESSAGES[1]).subarray(0, 4))}   (126, then 16-bit length)`,
  );
  ctx.say(`  original's "!BQ" header    ${hex(originalHeader)}   (126, then a 64-bit length)`);
  const client = new Protocol({ role: 'client' });
  client.receiveData(Buffer.concat([originalHeader, payload]));
  const seen = client
    .eventsReceived()
    .map((e) => (e.type === 'text' ? `a ${Buffer.byteLength(e.data)}-byte text message` : e.type));
  ctx.say(`  a client reads the length as 0 (the first 2 of 8 bytes), so it sees`);
  ctx.say(
    `  ${seen.join(', ') || 'no message'}, then takes the other 6 zero bytes for a new frame`,
  );
  ctx.say(
    `  and fails the connection: ${client.failure?.closeCode} ${client.failure?.message ?? '(no failure)'}`,
  );
  try {
    originalSendDataHeader(70_000);
  } catch (error) {
    ctx.say(`  for 70 KB the original's "!BH" cannot even pack: ${(error as Error).message}`);
  }
}

export const framesSection: Section = {
  id: '3.1.5',
  title: 'Frame anatomy',
  summary: 'dump 5 B, 200 B and 70 KB frames bit by bit, masked and unmasked',
  run(ctx) {
    for (const message of MESSAGES) {
      for (const mask of [undefined, RFC_MASK]) {
        ctx.step(
          `${message.label}, ${mask ? 'masked (client → server)' : 'unmasked (server → client)'}`,
        );
        for (const line of dumpFrame(frameOf(message, mask))) ctx.say(line);
      }
    }
    ctx.step('frames are a stream: reads do not line up with frames');
    showStreamReads(ctx);
    ctx.step('the original send_data, header for a 200 B message');
    showOriginalSendData(ctx);
    return undefined;
  },
};
