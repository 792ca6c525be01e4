/**
 * Codec benchmark: decode and encode throughput of masked client frames (16 B … 1 MiB).
 *
 * Every decoder is fed the same pre-built byte stream, cut into 64 KiB pieces like socket reads;
 * every encoder gets the same payloads and masks. One untimed pass per variant checks the full
 * output (each message's bytes, or each frame's bytes against a reference encoder); each timed
 * repetition checks counts, byte totals and a digest, so a broken variant cannot "win".
 */
import { performance } from 'node:perf_hooks';
import {
  type DecoderVariant,
  type DecodeTally,
  type EncoderVariant,
  type EncodeTally,
  expectedTally,
  type Side,
} from './codec-variants.ts';
import { buildBinaryFrame, maskKey, pseudoRandomBytes, splitIntoChunks } from './frames-ref.ts';
import { median } from './stats.ts';

export const CODEC_SIZES = [16, 1024, 64 * 1024, 1024 * 1024] as const;
export const SOCKET_READ_SIZE = 64 * 1024;

export interface CodecOptions {
  sizes: readonly number[];
  /** Approximate stream length per size; at least MIN_FRAMES frames are always used. */
  streamBytes: number;
  warmup: number;
  repeats: number;
}

export interface CodecCase {
  size: number;
  payloads: Buffer[];
  masks: Buffer[];
  /** The masked frames back to back, as a client would send them. */
  stream: Buffer;
  chunks: Buffer[];
}

export interface CodecRow {
  op: 'decode' | 'encode';
  size: number;
  variant: string;
  side: Side;
  frames: number;
  payloadBytes: number;
  medianMs: number;
  /** Every timed repetition in round order; round i of each variant ran back to back. */
  samplesMs: number[];
  mbPerSec: number;
  framesPerSec: number;
  ok: boolean;
  error?: string;
}

const MIN_FRAMES = 8;

export function buildCodecCase(size: number, streamBytes: number): CodecCase {
  const count = Math.max(MIN_FRAMES, Math.floor(streamBytes / (size + 14)));
  const payloads: Buffer[] = [];
  const masks: Buffer[] = [];
  const frames: Buffer[] = [];
  // One random block sliced per message keeps building cheap for 100k+ tiny frames.
  const block = pseudoRandomBytes(Math.max(size * 2, 4096), size + 1);
  for (let i = 0; i < count; i++) {
    const start = (i * 7919) % (block.length - size + 1);
    const payload = Buffer.from(block.subarray(start, start + size));
    const mask = maskKey(i + 1);
    payloads.push(payload);
    masks.push(mask);
    frames.push(buildBinaryFrame(payload, mask));
  }
  const stream = Buffer.concat(frames);
  return { size, payloads, masks, stream, chunks: splitIntoChunks(stream, SOCKET_READ_SIZE) };
}

/** Fresh copies of the chunks: decoders unmask in place, so each run needs pristine input. */
function freshChunks(codecCase: CodecCase): Buffer[] {
  return codecCase.chunks.map((chunk) => Buffer.from(chunk));
}

function sameTally(a: DecodeTally, b: DecodeTally): boolean {
  return a.messages === b.messages && a.bytes === b.bytes && a.digest === b.digest;
}

/** Untimed: every decoded message must equal its payload, in order. Returns an error or undefined. */
export function verifyDecoder(variant: DecoderVariant, codecCase: CodecCase): string | undefined {
  let index = 0;
  let mismatch: string | undefined;
  try {
    variant.decode(freshChunks(codecCase), (payload) => {
      const expected = codecCase.payloads[index];
      if (mismatch === undefined && (expected === undefined || !expected.equals(payload))) {
        mismatch = `message ${index} of ${codecCase.payloads.length} differs from what was sent`;
      }
      index++;
    });
  } catch (error) {
    return `decoder threw: ${(error as Error).message}`;
  }
  if (mismatch) return mismatch;
  if (index !== codecCase.payloads.length) {
    return `decoded ${index} messages, expected ${codecCase.payloads.length}`;
  }
  return undefined;
}

/** Untimed: every encoded frame must equal the reference encoder's bytes. */
export function verifyEncoder(variant: EncoderVariant, codecCase: CodecCase): string | undefined {
  const out: Buffer[] = [];
  try {
    variant.encode(codecCase.payloads, codecCase.masks, (frame) => out.push(Buffer.from(frame)));
  } catch (error) {
    return `encoder threw: ${(error as Error).message}`;
  }
  if (out.length !== codecCase.payloads.length) {
    return `encoded ${out.length} frames, expected ${codecCase.payloads.length}`;
  }
  if (!Buffer.concat(out).equals(codecCase.stream)) return 'encoded bytes differ from RFC framing';
  return undefined;
}

function timeDecode(variant: DecoderVariant, codecCase: CodecCase, expected: DecodeTally) {
  const chunks = freshChunks(codecCase);
  const start = performance.now();
  const tally = variant.decode(chunks);
  const ms = performance.now() - start;
  if (!sameTally(tally, expected)) {
    throw new Error(
      `${variant.name} decoded ${tally.messages} messages / ${tally.bytes} bytes (digest ${tally.digest}), expected ${expected.messages} / ${expected.bytes} (digest ${expected.digest})`,
    );
  }
  return ms;
}

function timeEncode(variant: EncoderVariant, codecCase: CodecCase) {
  const start = performance.now();
  const tally: EncodeTally = variant.encode(codecCase.payloads, codecCase.masks);
  const ms = performance.now() - start;
  if (tally.frames !== codecCase.payloads.length || tally.bytes !== codecCase.stream.length) {
    throw new Error(
      `${variant.name} encoded ${tally.frames} frames / ${tally.bytes} bytes, expected ${codecCase.payloads.length} / ${codecCase.stream.length}`,
    );
  }
  return ms;
}

interface Contestant {
  op: 'decode' | 'encode';
  name: string;
  side: Side;
  verify(codecCase: CodecCase): string | undefined;
  time(codecCase: CodecCase, expected: DecodeTally): number;
}

function contestants(decoders: readonly DecoderVariant[], encoders: readonly EncoderVariant[]) {
  const list: Contestant[] = [];
  for (const d of decoders) {
    list.push({
      op: 'decode',
      name: d.name,
      side: d.side,
      verify: (c) => verifyDecoder(d, c),
      time: (c, e) => timeDecode(d, c, e),
    });
  }
  for (const e of encoders) {
    list.push({
      op: 'encode',
      name: e.name,
      side: e.side,
      verify: (c) => verifyEncoder(e, c),
      time: (c) => timeEncode(e, c),
    });
  }
  return list;
}

/**
 * Runs every variant on every size. Repetitions are interleaved (A B A B …, order flipped each
 * round) so a burst of load from elsewhere on the machine hits all variants alike.
 */
export function runCodecBenchmark(
  options: CodecOptions,
  decoders: readonly DecoderVariant[],
  encoders: readonly EncoderVariant[],
): CodecRow[] {
  const rows: CodecRow[] = [];
  for (const size of options.sizes) {
    const codecCase = buildCodecCase(size, options.streamBytes);
    const expected = expectedTally(codecCase.payloads);
    const list = contestants(decoders, encoders);
    const times = new Map<Contestant, number[]>(list.map((c) => [c, []]));
    const errors = new Map<Contestant, string>();
    for (const c of list) {
      const error = c.verify(codecCase);
      if (error) errors.set(c, error);
    }
    const live = list.filter((c) => !errors.has(c));
    for (let round = 0; round < options.warmup + options.repeats; round++) {
      const order = round % 2 === 0 ? live : [...live].reverse();
      for (const c of order) {
        if (errors.has(c)) continue;
        try {
          const ms = c.time(codecCase, expected);
          if (round >= options.warmup) times.get(c)?.push(ms);
        } catch (error) {
          errors.set(c, (error as Error).message);
        }
      }
    }
    for (const c of list) {
      const ms = median(times.get(c) ?? []);
      const error = errors.get(c);
      const seconds = ms / 1000;
      rows.push({
        op: c.op,
        size,
        variant: c.name,
        side: c.side,
        frames: codecCase.payloads.length,
        payloadBytes: expected.bytes,
        medianMs: ms,
        samplesMs: times.get(c) ?? [],
        mbPerSec: error ? Number.NaN : expected.bytes / 1e6 / seconds,
        framesPerSec: error ? Number.NaN : codecCase.payloads.length / seconds,
        ok: error === undefined,
        ...(error === undefined ? {} : { error }),
      });
    }
  }
  return rows;
}
