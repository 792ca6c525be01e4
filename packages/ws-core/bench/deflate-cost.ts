/**
 * Why our permessage-deflate is synchronous: the cost of one message's compression and
 * decompression, and the memory a connection keeps between messages, two ways.
 *   ours:    one-shot zlib calls (deflateRawSync / inflateRawSync) primed with the sliding
 *            window kept as bytes (src/extensions/deflate-codec.ts);
 *   streams: a zlib DeflateRaw and InflateRaw stream per connection, flushed per message, each
 *            call a job on libuv's thread pool — how `ws` does it.
 * Run:    npx tsx packages/ws-core/bench/deflate-cost.ts   (also part of `--only deflate`)
 * Expect: per message, CPU time (all threads, from process.cpuUsage) and wall time of deflate +
 *         inflate of the same message, for 1 KiB and 64 KiB JSON-like text, with context
 *         takeover (our own window 13 bits, and 15) and without; then the bytes held per
 *         connection after one message each on 1,000 connections; then how long a Protocol
 *         takes to receive one message of DEFAULT_MAX_INFLATED_PAYLOAD (4 MiB) and of
 *         DEFAULT_MAX_PAYLOAD (64 MiB) compressed, against the same message uncompressed.
 */
import { pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { constants, createDeflateRaw, createInflateRaw, deflateRawSync } from 'node:zlib';
import { formatTable } from '@course/course-kit';
import { DeflateCodec, withDecodeRoom } from '../src/extensions/deflate-codec.ts';
import {
  DEFAULT_MAX_INFLATED_PAYLOAD,
  DEFAULT_MAX_PAYLOAD,
  encodeFrame,
  Opcode,
  Protocol,
} from '../src/index.ts';
import { jsonLikeMessage, jsonLikeMessages } from './json-like.ts';
import { formatRatio, formatSize, median, round } from './stats.ts';

const TRAILER = Buffer.from([0x00, 0x00, 0xff, 0xff]);

export interface CostRow {
  size: number;
  way: string;
  /** CPU of every thread of this process per message (deflate + inflate), µs. */
  cpuUs: number;
  /** Wall time per message, µs (one message at a time, or `parallel` at once). */
  wallUs: number;
  /** Compressed bytes / original bytes. */
  ratio: number;
}

export interface HeldRow {
  way: string;
  /** Bytes per connection after one 1 KiB message each way, after a full GC. */
  rssPerConnection: number;
  heapAndBuffersPerConnection: number;
}

function codecPair(windowBits: number, takeover: boolean): DeflateCodec {
  const direction = { windowBits, contextTakeover: takeover };
  return new DeflateCodec({
    header: 'permessage-deflate',
    send: direction,
    receive: direction,
    threshold: 0,
    level: -1,
    memLevel: 8,
  });
}

/** A connection's zlib streams as `ws` keeps them: created at the first message, kept after. */
class StreamPair {
  private readonly deflate = createDeflateRaw({ windowBits: 15 });
  private readonly inflate = createInflateRaw({ windowBits: 15 });
  private deflated: Buffer[] = [];
  private inflated: Buffer[] = [];
  constructor(private readonly takeover: boolean) {
    this.deflate.on('data', (chunk: Buffer) => this.deflated.push(chunk));
    this.inflate.on('data', (chunk: Buffer) => this.inflated.push(chunk));
  }
  async roundTrip(message: Buffer): Promise<{ compressed: number; output: Buffer }> {
    this.deflate.write(message);
    await new Promise<void>((resolve) => this.deflate.flush(constants.Z_SYNC_FLUSH, resolve));
    const payload = Buffer.concat(this.deflated).subarray(0, -4);
    this.deflated = [];
    if (!this.takeover) this.deflate.reset();
    this.inflate.write(payload);
    this.inflate.write(TRAILER);
    await new Promise<void>((resolve) => this.inflate.flush(resolve));
    const output = Buffer.concat(this.inflated);
    this.inflated = [];
    if (!this.takeover) this.inflate.reset();
    return { compressed: payload.length, output };
  }
  close(): void {
    this.deflate.close();
    this.inflate.close();
  }
}

function measure(
  messages: number,
  run: () => number,
): { cpuUs: number; wallUs: number; out: number } {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const out = run();
  const wall = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { cpuUs: (used.user + used.system) / messages, wallUs: (wall * 1000) / messages, out };
}

async function measureAsync(messages: number, run: () => Promise<number>) {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const out = await run();
  const wall = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { cpuUs: (used.user + used.system) / messages, wallUs: (wall * 1000) / messages, out };
}

/** CPU and wall time per message, each way of doing it, for 1 KiB and 64 KiB. */
export async function runCostBenchmark(options: { quick?: boolean } = {}): Promise<CostRow[]> {
  const rows: CostRow[] = [];
  for (const size of [1024, 64 * 1024]) {
    const count = (size === 1024 ? 4000 : 200) / (options.quick ? 4 : 1);
    // Enough different messages that none repeats within a 32 KiB window.
    const messages = jsonLikeMessages(size, size < 32 * 1024 ? 256 : 32).map((text) =>
      Buffer.from(text),
    );
    const total = count * size;
    const sync = (way: string, bits: number, takeover: boolean) => {
      const run = () => {
        const pair = codecPair(bits, takeover);
        let out = 0;
        for (let i = 0; i < count; i++) {
          const message = messages[i % messages.length] as Buffer;
          const compressed = pair.encode(message) as Buffer;
          out += compressed.length;
          if (!pair.decode(withDecodeRoom(compressed), size).equals(message))
            throw new Error(`${way}: wrong bytes`);
        }
        return out;
      };
      run(); // warm-up
      const { cpuUs, wallUs, out } = measure(count, run);
      rows.push({ size, way, cpuUs, wallUs, ratio: out / total });
    };
    sync('ours, takeover, window 13', 13, true);
    sync('ours, takeover, window 15', 15, true);
    sync('ours, no takeover', 15, false);
    const streams = async (way: string, connections: number, takeover: boolean) => {
      const run = async () => {
        const pairs = Array.from({ length: connections }, () => new StreamPair(takeover));
        let out = 0;
        // Each connection has one message in flight, as a server with `connections` clients.
        await Promise.all(
          pairs.map(async (pair, p) => {
            for (let i = p; i < count; i += connections) {
              const message = messages[i % messages.length] as Buffer;
              const { compressed, output } = await pair.roundTrip(message);
              out += compressed;
              if (!output.equals(message)) throw new Error(`${way}: wrong bytes`);
            }
          }),
        );
        for (const pair of pairs) pair.close();
        return out;
      };
      await run();
      const { cpuUs, wallUs, out } = await measureAsync(count, run);
      rows.push({ size, way, cpuUs, wallUs, ratio: out / total });
    };
    await streams('streams, takeover, 1 connection', 1, true);
    await streams('streams, takeover, 100 connections', 100, true);
    await streams('streams, no takeover, 1 connection', 1, false);
  }
  return rows;
}

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;
function memory(): { rss: number; heap: number } {
  collectGarbage();
  collectGarbage();
  const { rss, heapUsed, arrayBuffers } = process.memoryUsage();
  return { rss, heap: heapUsed + arrayBuffers };
}

/** Bytes kept per connection after one 1 KiB message each way, on `connections` connections. */
export async function runHeldBenchmark(connections = 1000): Promise<HeldRow[]> {
  const message = Buffer.from(jsonLikeMessages(1024, 1)[0] as string);
  const rows: HeldRow[] = [];
  const perConnection = (
    before: { rss: number; heap: number },
    after: { rss: number; heap: number },
  ) => ({
    rssPerConnection: (after.rss - before.rss) / connections,
    heapAndBuffersPerConnection: (after.heap - before.heap) / connections,
  });
  for (const [way, bits] of [
    ['ours, takeover, window 13', 13],
    ['ours, takeover, window 15', 15],
  ] as const) {
    const before = memory();
    const held = Array.from({ length: connections }, () => {
      const pair = codecPair(bits, true);
      pair.decode(withDecodeRoom(pair.encode(message) as Buffer), 1 << 20);
      return pair;
    });
    rows.push({ way, ...perConnection(before, memory()) });
    held.length = 0;
  }
  const before = memory();
  const pairs: StreamPair[] = [];
  for (let i = 0; i < connections; i++) {
    const pair = new StreamPair(true);
    await pair.roundTrip(message);
    pairs.push(pair);
  }
  rows.push({ way: 'streams, takeover, window 15', ...perConnection(before, memory()) });
  for (const pair of pairs) pair.close();
  return rows;
}

export interface LimitRow {
  /** The message's size, inflated. */
  size: number;
  content: string;
  compressed: boolean;
  /** Bytes of the frame on the wire. */
  wire: number;
  /** Median ms for a Protocol to turn the frame, read in 64 KiB pieces, into its event. */
  ms: number;
}

const READ_SIZE = 64 * 1024;
const MASK = Buffer.from([0x12, 0x34, 0x56, 0x78]);

/** One message as a client sends it, compressed (RSV1) or not. */
function clientFrame(opcode: number, message: Buffer, compressed: boolean): Buffer {
  const payload = compressed
    ? deflateRawSync(message, { finishFlush: constants.Z_SYNC_FLUSH }).subarray(0, -4)
    : message;
  return encodeFrame(
    { fin: true, rsv1: compressed, rsv2: false, rsv3: false, opcode, payload },
    MASK,
  );
}

/**
 * What one large message costs the receiving event loop: a server Protocol (permessage-deflate
 * negotiated, 15-bit windows, maxPayload the message's size) receives it in 64 KiB reads, as
 * JSON-like text and as zeros (what a decompression bomb is made of), compressed and not.
 */
export function runLimitBenchmark(
  options: { sizes: readonly number[]; quick?: boolean } = {
    sizes: [DEFAULT_MAX_INFLATED_PAYLOAD, DEFAULT_MAX_PAYLOAD],
  },
): LimitRow[] {
  const rows: LimitRow[] = [];
  for (const size of options.sizes) {
    const runs = (size > DEFAULT_MAX_INFLATED_PAYLOAD ? 3 : 9) - (options.quick ? 2 : 0);
    for (const [content, opcode, message] of [
      ['JSON-like text', Opcode.TEXT, Buffer.from(jsonLikeMessage(size, 0))],
      ['zeros', Opcode.BINARY, Buffer.alloc(size)],
    ] as const) {
      for (const compressed of [false, true]) {
        const frame = clientFrame(opcode, message, compressed);
        const times: number[] = [];
        for (let run = 0; run < runs; run++) {
          const protocol = new Protocol({
            role: 'server',
            maxPayload: size,
            extension: codecPair(15, true),
          });
          const start = performance.now();
          for (let at = 0; at < frame.length; at += READ_SIZE) {
            protocol.receiveData(frame.subarray(at, at + READ_SIZE));
          }
          const [event] = protocol.eventsReceived();
          times.push(performance.now() - start);
          if (event?.type !== (opcode === Opcode.TEXT ? 'text' : 'binary')) {
            throw new Error(`${content}: no message (${protocol.failure?.message})`);
          }
        }
        rows.push({ size, content, compressed, wire: frame.length, ms: median(times) });
      }
    }
  }
  return rows;
}

export function formatLimitTable(rows: readonly LimitRow[]): string {
  return formatTable(
    ['message', 'content', 'way', 'on the wire', 'ms to receive', '/ uncompressed'],
    rows.map((row) => {
      const plain = rows.find(
        (r) => r.size === row.size && r.content === row.content && !r.compressed,
      );
      return [
        formatSize(row.size),
        row.content,
        row.compressed ? 'compressed' : 'uncompressed',
        `${round(row.wire / 1024)} KiB`,
        round(row.ms),
        plain ? formatRatio(row.ms / plain.ms) : '-',
      ];
    }),
  );
}

export function formatCostTable(rows: readonly CostRow[]): string {
  return formatTable(
    ['size', 'way', 'cpu us/msg', 'wall us/msg', 'compressed', 'cpu / ours (window 13)'],
    rows.map((row) => {
      const ours = rows.find((r) => r.size === row.size && r.way === 'ours, takeover, window 13');
      return [
        formatSize(row.size),
        row.way,
        round(row.cpuUs),
        round(row.wallUs),
        `${(row.ratio * 100).toFixed(1)} %`,
        ours ? formatRatio(row.cpuUs / ours.cpuUs) : '-',
      ];
    }),
  );
}

export function formatHeldTable(rows: readonly HeldRow[]): string {
  return formatTable(
    ['way', 'RSS KiB/conn', 'heap+buffers KiB/conn'],
    rows.map((row) => [
      row.way,
      round(row.rssPerConnection / 1024),
      round(row.heapAndBuffersPerConnection / 1024),
    ]),
  );
}

async function main(): Promise<void> {
  console.log('deflate + inflate of one message, per message:');
  console.log(formatCostTable(await runCostBenchmark()));
  console.log('\nkept per connection after one 1 KiB message each way (1,000 connections):');
  console.log(formatHeldTable(await runHeldBenchmark()));
  console.log('\none large message received by a Protocol, in 64 KiB reads:');
  console.log(formatLimitTable(runLimitBenchmark()));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
