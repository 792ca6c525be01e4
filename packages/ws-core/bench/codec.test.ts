import { describe, expect, test } from 'vitest';
import {
  buildCodecCase,
  type CodecRow,
  runCodecBenchmark,
  verifyDecoder,
  verifyEncoder,
} from './codec.ts';
import { type DecoderVariant, wsDecoder, wsEncoder } from './codec-variants.ts';
import { decodeVerdict, echoVerdicts } from './report.ts';
import { inspectWsPaths } from './ws-internals.ts';

const SMALL_RUN = { sizes: [16, 1024], streamBytes: 32 * 1024, warmup: 0, repeats: 1 };

/** ws's receiver, but it loses the last message: the runner must notice. */
const droppingDecoder: DecoderVariant = {
  name: 'drops the last message',
  side: 'ours',
  decode(chunks, onMessage) {
    const tally = wsDecoder.decode(chunks.slice(0, -1), onMessage);
    return tally;
  },
};

/** ws's receiver, but it reports every payload one byte short. */
const truncatingDecoder: DecoderVariant = {
  name: 'truncates payloads',
  side: 'ours',
  decode(chunks, onMessage) {
    return wsDecoder.decode(chunks, (p) => onMessage?.(p.subarray(1)));
  },
};

describe('the codec benchmark', () => {
  test('uses ws on its pure-JS masking paths', () => {
    expect(inspectWsPaths().pureJsMask).toBe(true);
  });

  test.each([16, 1024, 70_000])('ws decodes the %i-byte reference stream exactly', (size) => {
    const codecCase = buildCodecCase(size, 200 * 1024);
    expect(codecCase.chunks.length).toBeGreaterThan(1);
    expect(verifyDecoder(wsDecoder, codecCase)).toBeUndefined();
  });

  test.each([16, 1024, 70_000])('ws encodes %i-byte frames identical to the reference', (size) => {
    expect(verifyEncoder(wsEncoder, buildCodecCase(size, 100 * 1024))).toBeUndefined();
  });

  test('catches a decoder that loses a message', () => {
    const codecCase = buildCodecCase(1024, 200 * 1024);
    expect(verifyDecoder(droppingDecoder, codecCase)).toMatch(/decoded \d+ messages, expected/);
  });

  test('catches a decoder that returns wrong bytes', () => {
    expect(verifyDecoder(truncatingDecoder, buildCodecCase(16, 4096))).toMatch(/message 0 of/);
  });

  test('marks a broken variant as failed instead of timing it', () => {
    const rows = runCodecBenchmark(SMALL_RUN, [droppingDecoder, wsDecoder], [wsEncoder]);
    const broken = rows.filter((r) => r.variant === droppingDecoder.name);
    expect(broken.map((r) => r.ok)).toEqual([false, false]);
    expect(rows.filter((r) => r.side === 'ws').every((r) => r.ok && r.mbPerSec > 0)).toBe(true);
    expect(decodeVerdict(rows).met).toBe(false);
  });
});

describe('the verdicts', () => {
  const row = (side: 'ours' | 'ws', size: number, mbPerSec: number, ok = true): CodecRow => ({
    op: 'decode',
    size,
    variant: side,
    side,
    frames: 1,
    payloadBytes: size,
    medianMs: 1,
    samplesMs: [1000 / mbPerSec],
    mbPerSec,
    framesPerSec: 1,
    ok,
  });

  test('decode is met only when every size from 1 KiB up is at least 3x ws', () => {
    const rows = [
      row('ours', 16, 1),
      row('ws', 16, 10),
      row('ours', 1024, 31),
      row('ws', 1024, 10),
    ];
    expect(decodeVerdict(rows).met).toBe(true);
    rows.push(row('ours', 65536, 29), row('ws', 65536, 10));
    expect(decodeVerdict(rows).met).toBe(false);
    expect(decodeVerdict(rows).detail).toContain('64 KiB 2.90x');
  });

  test('echo needs 1x on every cell and 3x with sixteen 16-byte messages in flight', () => {
    const result = (msgsPerSec: number, ok = true) => ({
      connections: 1,
      payloadSize: 16,
      inFlight: 1,
      measuredMessages: 1,
      measuredSeconds: 1,
      msgsPerSec,
      serverCpuUsPerMsg: 1,
      clientCpuPercent: 1,
      p50Ms: 1,
      p99Ms: 1,
      sent: 1,
      echoed: 1,
      ok,
      errorCount: ok ? 0 : 1,
      errors: [],
      notes: [],
    });
    const cell = (inFlight: number, ours: number, ws: number, ok = true) => ({
      connections: 50,
      payloadSize: 16,
      inFlight,
      results: { ours: result(ours, ok), ws: result(ws) },
      rounds: { ours: [ours], ws: [ws] },
    });
    const [every, pipelined] = echoVerdicts([cell(1, 100, 90), cell(16, 400, 100)]);
    expect(every?.met).toBe(true);
    expect(pipelined?.met).toBe(true);
    const [, slow] = echoVerdicts([cell(1, 100, 90), cell(16, 250, 100)]);
    expect(slow?.met).toBe(false);
    const [wrong] = echoVerdicts([cell(1, 100, 90, false)]);
    expect(wrong?.met).toBe(false);
  });
});
