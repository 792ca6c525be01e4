import { createRequire } from 'node:module';
import { describe, expect, test } from 'vitest';
import {
  buildCodecCase,
  type CodecRow,
  runCodecBenchmark,
  verifyDecoder,
  verifyEncoder,
} from './codec.ts';
import {
  type DecoderVariant,
  type Side,
  wsDecoder,
  wsEncoder,
  wsJs,
  wsNative,
  wsNativeDecoder,
  wsNativeEncoder,
} from './codec-variants.ts';
import {
  decodeVerdict,
  echoVerdicts,
  nativeDecodeVerdict,
  nativeEchoVerdict,
  WS_NATIVE,
} from './report.ts';
import { loadWs, runsAsLabelled } from './ws-internals.ts';

const require = createRequire(import.meta.url);

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
  test('loads ws once on its pure-JS masking loops and once on bufferutil', () => {
    expect(wsJs.paths.pureJsMask).toBe(true);
    expect(wsNative.paths.pureJsMask).toBe(false);
    expect(wsNative.paths.nativeAddons.bufferutil).toBe(true);
    expect([wsJs, wsNative].every(runsAsLabelled)).toBe(true);
  });

  test('puts the module cache and WS_NO_BUFFER_UTIL back as it found them', () => {
    const before = Object.keys(require.cache).filter((path) => path.includes('/ws/lib/'));
    const envBefore = process.env.WS_NO_BUFFER_UTIL;
    loadWs('js');
    loadWs('bufferutil');
    expect(Object.keys(require.cache).filter((path) => path.includes('/ws/lib/'))).toEqual(before);
    expect(process.env.WS_NO_BUFFER_UTIL).toBe(envBefore);
  });

  const flavours = [
    ['ws', wsDecoder, wsEncoder],
    ['ws+bufferutil', wsNativeDecoder, wsNativeEncoder],
  ] as const;
  const sizes = [16, 1024, 70_000];

  test.each(
    flavours.flatMap(([name, decoder]) => sizes.map((size) => [name, size, decoder] as const)),
  )('%s decodes the %i-byte reference stream exactly', (_name, size, decoder) => {
    const codecCase = buildCodecCase(size, 200 * 1024);
    expect(codecCase.chunks.length).toBeGreaterThan(1);
    expect(verifyDecoder(decoder, codecCase)).toBeUndefined();
  });

  test.each(
    flavours.flatMap(([name, , encoder]) => sizes.map((size) => [name, size, encoder] as const)),
  )('%s encodes %i-byte frames identical to the reference', (_name, size, encoder) => {
    expect(verifyEncoder(encoder, buildCodecCase(size, 100 * 1024))).toBeUndefined();
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
  const row = (side: Side, size: number, mbPerSec: number, ok = true): CodecRow => ({
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

  test('decode against ws+bufferutil is judged at 64 KiB and 1 MiB only, at 1.5x', () => {
    const rows = [row('ours', 1024, 1), row(WS_NATIVE, 1024, 10)];
    rows.push(row('ours', 65536, 16), row(WS_NATIVE, 65536, 10));
    rows.push(row('ours', 1 << 20, 15), row(WS_NATIVE, 1 << 20, 10));
    expect(nativeDecodeVerdict(rows).met).toBe(true);
    expect(nativeDecodeVerdict(rows).detail).toBe(
      '64 KiB 1.60x (rounds -), 1 MiB 1.50x (rounds -)',
    );
    rows.splice(4, 2, row('ours', 1 << 20, 14), row(WS_NATIVE, 1 << 20, 10));
    expect(nativeDecodeVerdict(rows).met).toBe(false);
  });

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

  test('echo needs 1x on every cell and 3x with sixteen 16-byte messages in flight', () => {
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

  test('echo against ws+bufferutil needs 1x on every 64 KiB cell and ignores the others', () => {
    const cell = (payloadSize: number, ours: number, native: number) => ({
      connections: 50,
      payloadSize,
      inFlight: 1,
      results: { ours: result(ours), [WS_NATIVE]: result(native) },
      rounds: { ours: [ours], [WS_NATIVE]: [native] },
    });
    expect(nativeEchoVerdict([cell(16, 50, 100), cell(65536, 101, 100)]).met).toBe(true);
    const missed = nativeEchoVerdict([cell(65536, 101, 100), cell(65536, 95, 100)]);
    expect(missed.met).toBe(false);
    expect(missed.detail).toBe('1 of 2 cells below: 50c x 64 KiB x 1 0.95x (rounds -)');
    expect(nativeEchoVerdict([cell(16, 100, 90)]).met).toBe(false);
  });
});
