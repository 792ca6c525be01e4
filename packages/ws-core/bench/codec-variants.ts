/**
 * The contestants of the codec benchmark behind one small interface, so the runner times and
 * checks every variant the same way. ws's side lives here, in both flavours (pure-JS masking,
 * and the native `bufferutil`); ours in ours-codec.ts.
 */
import { loadWs, type WsFlavour, type WsLib } from './ws-internals.ts';

/** What a decoder produced: enough to tell a correct run from a broken one. */
export interface DecodeTally {
  messages: number;
  bytes: number;
  /** Order-sensitive digest of a few bytes of every message (proves the payload was unmasked). */
  digest: number;
}

/** What an encoder produced. */
export interface EncodeTally {
  frames: number;
  bytes: number;
}

/** Who a variant belongs to: us, ws on its JS loops, or ws with its native addon. */
export type Side = 'ours' | 'ws' | 'ws+bufferutil';

const SIDE_OF: Record<WsFlavour, Side> = { js: 'ws', bufferutil: 'ws+bufferutil' };

export interface DecoderVariant {
  name: string;
  side: Side;
  /** Feeds `chunks` (socket-read-sized pieces of a masked client stream) and tallies messages. */
  decode(chunks: readonly Buffer[], onMessage?: (payload: Buffer) => void): DecodeTally;
}

export interface EncoderVariant {
  name: string;
  side: Side;
  /** Encodes every payload as one masked final binary frame with the matching mask. */
  encode(
    payloads: readonly Buffer[],
    masks: readonly Buffer[],
    onFrame?: (bytes: Buffer) => void,
  ): EncodeTally;
}

export const OPCODE_BINARY = 0x2;
/** The streams carry messages up to 1 MiB; both decoders get the same explicit limit. */
export const BENCH_MAX_PAYLOAD = 16 * 1024 * 1024;

/** Mixes three bytes of `payload` into `digest`; cheap enough not to dominate 16 B frames. */
export function digestPayload(digest: number, payload: Uint8Array): number {
  const n = payload.length;
  if (n === 0) return Math.imul(digest, 31) >>> 0;
  const sample = (payload[0] ?? 0) | ((payload[n >> 1] ?? 0) << 8) | ((payload[n - 1] ?? 0) << 16);
  return (Math.imul(digest, 31) + sample + n) >>> 0;
}

/** The tally a correct decoder must produce for `payloads`. */
export function expectedTally(payloads: readonly Buffer[]): DecodeTally {
  let bytes = 0;
  let digest = 0;
  for (const payload of payloads) {
    bytes += payload.length;
    digest = digestPayload(digest, payload);
  }
  return { messages: payloads.length, bytes, digest };
}

/** ws's Receiver as a server uses it: one Writable per connection, `write()` per socket read. */
export function wsDecoderOf({ flavour, Receiver }: WsLib): DecoderVariant {
  return {
    name: flavour === 'js' ? 'ws Receiver' : 'ws Receiver + bufferutil',
    side: SIDE_OF[flavour],
    decode(chunks, onMessage) {
      const receiver = new Receiver({ isServer: true, maxPayload: BENCH_MAX_PAYLOAD });
      const tally: DecodeTally = { messages: 0, bytes: 0, digest: 0 };
      let failure: unknown;
      receiver.on('message', (data: Buffer, isBinary: boolean) => {
        if (!isBinary) failure ??= new Error('ws receiver reported a text message');
        tally.messages++;
        tally.bytes += data.length;
        tally.digest = digestPayload(tally.digest, data);
        onMessage?.(data);
      });
      receiver.on('error', (error: unknown) => {
        failure ??= error;
      });
      // Writable.write runs _write synchronously while nothing is queued, which is the case here
      // because ws's receiver calls back synchronously when it is not waiting on inflation.
      for (const chunk of chunks) receiver.write(chunk);
      if (failure) throw failure;
      return tally;
    },
  };
}

/** ws's Sender.frame, as WebSocket#send uses it for a client (masked, payload copied). */
export function wsEncoderOf({ flavour, Sender }: WsLib): EncoderVariant {
  return {
    name: flavour === 'js' ? 'ws Sender.frame' : 'ws Sender.frame + bufferutil',
    side: SIDE_OF[flavour],
    encode(payloads, masks, onFrame) {
      let index = 0;
      const options = {
        fin: true,
        opcode: OPCODE_BINARY,
        mask: true,
        // readOnly: ws must not XOR the caller's buffer in place, so it copies while masking —
        // the same work our encoder does (one output buffer per frame).
        readOnly: true,
        rsv1: false,
        maskBuffer: Buffer.alloc(4),
        generateMask: (mask: Buffer) => {
          (masks[index] as Buffer).copy(mask);
        },
      };
      const tally: EncodeTally = { frames: 0, bytes: 0 };
      for (index = 0; index < payloads.length; index++) {
        const parts = Sender.frame(payloads[index] as Buffer, options);
        for (const part of parts) tally.bytes += part.length;
        tally.frames++;
        if (onFrame) onFrame(parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts));
      }
      return tally;
    },
  };
}

export const wsJs = loadWs('js');
export const wsNative = loadWs('bufferutil');
export const wsDecoder = wsDecoderOf(wsJs);
export const wsEncoder = wsEncoderOf(wsJs);
export const wsNativeDecoder = wsDecoderOf(wsNative);
export const wsNativeEncoder = wsEncoderOf(wsNative);
