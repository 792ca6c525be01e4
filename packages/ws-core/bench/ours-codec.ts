/** Our codec behind the benchmark's variant interface (ws's side is in codec-variants.ts). */
import { encodeFrame, type Frame, Protocol } from '../src/index.ts';
import {
  BENCH_MAX_PAYLOAD,
  type DecoderVariant,
  type DecodeTally,
  digestPayload,
  type EncoderVariant,
  type EncodeTally,
  OPCODE_BINARY,
} from './codec-variants.ts';

/** Our sans-I/O Protocol as the server drives it: receiveData per read, then drain events. */
export const oursDecoder: DecoderVariant = {
  name: 'ws-core Protocol',
  side: 'ours',
  decode(chunks, onMessage) {
    const protocol = new Protocol({ role: 'server', maxPayload: BENCH_MAX_PAYLOAD });
    const tally: DecodeTally = { messages: 0, bytes: 0, digest: 0 };
    for (const chunk of chunks) {
      protocol.receiveData(chunk);
      for (const event of protocol.eventsReceived()) {
        if (event.type !== 'binary') throw new Error(`unexpected ${event.type} event`);
        tally.messages++;
        tally.bytes += event.data.length;
        tally.digest = digestPayload(tally.digest, event.data);
        onMessage?.(event.data);
      }
    }
    if (protocol.failure) throw protocol.failure;
    return tally;
  },
};

/** Our encodeFrame, masked as a client sends (one output buffer per frame). */
export const oursEncoder: EncoderVariant = {
  name: 'ws-core encodeFrame',
  side: 'ours',
  encode(payloads, masks, onFrame) {
    const tally: EncodeTally = { frames: 0, bytes: 0 };
    for (let i = 0; i < payloads.length; i++) {
      const frame: Frame = {
        fin: true,
        rsv1: false,
        rsv2: false,
        rsv3: false,
        opcode: OPCODE_BINARY,
        payload: payloads[i] as Buffer,
      };
      const bytes = encodeFrame(frame, masks[i]);
      tally.frames++;
      tally.bytes += bytes.length;
      onFrame?.(bytes);
    }
    return tally;
  },
};
