/**
 * ws-core benchmarks: our codec and echo server against the `ws` package — on its pure-JS
 * masking loops, and with its native `bufferutil` addon — measured in the same run and printed
 * as ratios, each set against a fixed reference line (bench/README.md lists them).
 * Run:    npm run bench -w @course/ws-core            (full matrix, a few minutes)
 *         npm run bench -w @course/ws-core -- --quick (smaller matrix, ~15 s)
 * Flags:  --json (one JSON object on stdout), --only codec|echo|idle|deflate, --duration MS, --rounds N,
 *         --heap-snapshot DIR (idle: heap snapshots of each server at the largest N)
 * Expect: codec and echo tables against each flavour of ws, memory per idle connection and
 *         upgrades/s against ws, permessage-deflate against ws's (codec cost, echo, memory per
 *         compressed connection), and MET/MISSED lines; exit 1 only if a variant was incorrect.
 */
import { cpus, loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_MAX_INFLATED_PAYLOAD, DEFAULT_MAX_PAYLOAD } from '../src/constants.ts';
import { MASK_KERNEL, SIMD_THRESHOLD } from '../src/mask.ts';
import { CODEC_SIZES, type CodecOptions, type CodecRow, runCodecBenchmark } from './codec.ts';
import {
  wsDecoder,
  wsEncoder,
  wsJs,
  wsNative,
  wsNativeDecoder,
  wsNativeEncoder,
} from './codec-variants.ts';
import {
  DEFLATE_SIZES,
  type DeflateEchoOptions,
  type DeflateEchoRow,
  type DeflateMemoryOptions,
  type DeflateMemoryRow,
  type DeflateMemorySummary,
  formatDeflateEchoTable,
  formatDeflateMemoryTable,
  runDeflateEcho,
  runDeflateMemory,
  summariseDeflateMemory,
} from './deflate.ts';
import {
  type CostRow,
  formatCostTable,
  formatHeldTable,
  formatLimitTable,
  type HeldRow,
  type LimitRow,
  runCostBenchmark,
  runHeldBenchmark,
  runLimitBenchmark,
} from './deflate-cost.ts';
import {
  ECHO_CONNECTIONS,
  ECHO_IN_FLIGHT,
  ECHO_SIZES,
  type EchoCell,
  type EchoOptions,
  runEchoBenchmark,
} from './echo.ts';
import {
  formatIdleTable,
  IDLE_CONNECTIONS,
  type IdleOptions,
  type IdleRow,
  type IdleSummary,
  idleVerdicts,
  openFilesLimit,
  runIdleBenchmark,
  summariseIdle,
} from './idle.ts';
import { oursDecoder, oursEncoder } from './ours-codec.ts';
import {
  cpuSummary,
  decodeVerdict,
  echoRatio,
  echoVerdicts,
  formatCodecTable,
  formatEchoTable,
  formatVerdict,
  nativeDecodeVerdict,
  nativeEchoVerdict,
  OURS,
  type Verdict,
  WS,
  WS_NATIVE,
} from './report.ts';
import { killAllServers } from './server-child.ts';
import { formatRatio, formatSize } from './stats.ts';
import { runsAsLabelled } from './ws-internals.ts';

const WS_ECHO_SERVER = new URL('./ws-echo-server.ts', import.meta.url);
export const ECHO_TARGETS = [
  { name: OURS, module: new URL('../examples/echo-server.ts', import.meta.url) },
  { name: WS, module: WS_ECHO_SERVER },
  { name: WS_NATIVE, module: WS_ECHO_SERVER, args: ['--bufferutil'] },
];

/** The compression part: our echo example and ws's, each with permessage-deflate at its defaults. */
export const DEFLATE_TARGETS = [
  {
    name: OURS,
    module: new URL('../examples/echo-server.ts', import.meta.url),
    args: ['--deflate'],
  },
  { name: WS, module: WS_ECHO_SERVER, args: ['--deflate'] },
];

/** The idle part compares our echo example with plain ws (idle sockets mask nothing). */
export const IDLE_TARGETS = [
  { name: OURS, module: new URL('../examples/echo-server.ts', import.meta.url) },
  { name: WS, module: WS_ECHO_SERVER },
];

const FULL = {
  codec: { sizes: CODEC_SIZES, streamBytes: 4 << 20, warmup: 2, repeats: 9 },
  echo: {
    connections: ECHO_CONNECTIONS,
    sizes: ECHO_SIZES,
    inFlight: ECHO_IN_FLIGHT,
    warmupMs: 150,
    durationMs: 300,
    rounds: 5,
    serverWarmupMs: 1500,
  },
  idle: { connections: IDLE_CONNECTIONS, rounds: 3 },
  deflate: {
    cost: { quick: false },
    held: 1000,
    limit: { sizes: [DEFAULT_MAX_INFLATED_PAYLOAD, DEFAULT_MAX_PAYLOAD] },
    echo: { connections: 50, sizes: DEFLATE_SIZES, warmupMs: 500, durationMs: 1000, rounds: 5 },
    memory: { connections: 1000, messagesEach: 10, size: 1024, rounds: 3 },
  },
} satisfies {
  codec: CodecOptions;
  echo: EchoOptions;
  idle: IdleOptions;
  deflate: DeflatePlan;
};

const QUICK = {
  codec: { sizes: CODEC_SIZES, streamBytes: 1 << 20, warmup: 1, repeats: 3 },
  echo: {
    connections: [1, 50],
    sizes: [16, 1024],
    inFlight: ECHO_IN_FLIGHT,
    warmupMs: 100,
    durationMs: 300,
    rounds: 1,
    serverWarmupMs: 600,
  },
  idle: { connections: IDLE_CONNECTIONS, rounds: 1 },
  deflate: {
    cost: { quick: true },
    held: 200,
    limit: { sizes: [DEFAULT_MAX_INFLATED_PAYLOAD], quick: true },
    echo: { connections: 10, sizes: DEFLATE_SIZES, warmupMs: 200, durationMs: 300, rounds: 1 },
    memory: { connections: 100, messagesEach: 10, size: 1024, rounds: 1 },
  },
} satisfies {
  codec: CodecOptions;
  echo: EchoOptions;
  idle: IdleOptions;
  deflate: DeflatePlan;
};

interface DeflatePlan {
  cost: { quick: boolean };
  /** Connections for the in-process held-memory comparison (deflate-cost.ts). */
  held: number;
  /** Message sizes for the one-large-message comparison (deflate-cost.ts). */
  limit: { sizes: readonly number[]; quick?: boolean };
  echo: DeflateEchoOptions;
  memory: DeflateMemoryOptions;
}

export interface BenchReport {
  node: string;
  cpu: string;
  cores: number;
  loadAverageAtStart: number[];
  /** Other work on the machine skews every number: the load average when we finished. */
  loadAverageAtEnd: number[];
  quick: boolean;
  /** How our masking runs: 'wasm-simd' from `maskSimdFrom` bytes on, or 'js' throughout. */
  maskKernel: string;
  maskSimdFrom: number;
  wsPaths: string;
  wsNativePaths: string;
  codec: CodecRow[];
  echo: EchoCell[];
  /** Memory per idle connection and upgrades/s: every measurement, then medians and ratios. */
  idle: IdleRow[];
  idleSummary: IdleSummary[];
  /** permessage-deflate: codec cost, echo against ws's, memory per compressed connection. */
  deflate: {
    cost: CostRow[];
    held: HeldRow[];
    /** One message of DEFAULT_MAX_INFLATED_PAYLOAD (and, in full, DEFAULT_MAX_PAYLOAD) received. */
    limit: LimitRow[];
    echo: DeflateEchoRow[];
    memory: DeflateMemoryRow[];
    memorySummary: DeflateMemorySummary | undefined;
  };
  /** The soft open-files limit; N is capped below it (see idle.ts). */
  openFilesLimit: number;
  verdicts: Verdict[];
  /** False when any variant decoded, encoded or echoed something wrong. */
  correct: boolean;
}

export interface BenchIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const USAGE =
  'usage: tsx bench/run.ts [--quick] [--json] [--only codec|echo|idle|deflate] [--duration MS] [--rounds N] [--heap-snapshot DIR]';
const PARTS = ['codec', 'echo', 'idle', 'deflate'];

/** Runs the benchmarks; returns the exit code (1 = a variant was incorrect, 2 = bad flags). */
export async function runBench(
  argv: readonly string[],
  io: BenchIo,
): Promise<{ exitCode: number; report?: BenchReport }> {
  let values: ReturnType<typeof parseFlags>;
  let echoOptions: EchoOptions;
  try {
    values = parseFlags(argv);
    const base = values.quick ? QUICK.echo : FULL.echo;
    echoOptions = {
      ...base,
      durationMs: positive('duration', values.duration, base.durationMs),
      rounds: positive('rounds', values.rounds, base.rounds),
    };
  } catch (error) {
    io.stderr(`${(error as Error).message}\n${USAGE}\n`);
    return { exitCode: 2 };
  }
  if (values.help) {
    io.stdout(`${USAGE}\n`);
    return { exitCode: 0 };
  }
  const only = values.only;
  if (only !== undefined && !PARTS.includes(only)) {
    io.stderr(`--only expects codec, echo, idle or deflate, got "${only}"\n${USAGE}\n`);
    return { exitCode: 2 };
  }
  const plan = values.quick ? QUICK : FULL;
  // With --json, stdout carries only the JSON; people still see progress on stderr.
  const say = (text: string) => (values.json ? io.stderr : io.stdout)(`${text}\n`);

  const report: BenchReport = {
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    loadAverageAtStart: currentLoad(),
    loadAverageAtEnd: [],
    quick: Boolean(values.quick),
    maskKernel: MASK_KERNEL,
    maskSimdFrom: SIMD_THRESHOLD,
    wsPaths: wsJs.paths.description,
    wsNativePaths: wsNative.paths.description,
    codec: [],
    echo: [],
    idle: [],
    idleSummary: [],
    deflate: { cost: [], held: [], limit: [], echo: [], memory: [], memorySummary: undefined },
    openFilesLimit: openFilesLimit(),
    verdicts: [],
    correct: true,
  };
  say(
    `node ${report.node}, ${report.cores} x ${report.cpu}, load ${report.loadAverageAtStart.join(' ')}`,
  );
  const ourMasking =
    MASK_KERNEL === 'wasm-simd' ? `WebAssembly SIMD from ${SIMD_THRESHOLD} B` : 'JS loops only';
  say(`${OURS}: masking ${ourMasking}${values.quick ? '; QUICK matrix' : ''}`);
  say(`${WS}: ${report.wsPaths}`);
  say(`${WS_NATIVE}: ${report.wsNativePaths}`);
  for (const lib of [wsJs, wsNative]) {
    if (runsAsLabelled(lib)) continue;
    const fix = lib.flavour === 'bufferutil' ? ' (is bufferutil installed? run npm install)' : '';
    io.stderr(`ws is not on its ${lib.flavour} masking paths${fix}; refusing to compare\n`);
    return { exitCode: 1 };
  }

  if (only === undefined || only === 'codec') {
    say(
      `\ncodec: masked binary client frames in 64 KiB reads; MB = 1e6 payload bytes; median of ${plan.codec.repeats} ` +
        'alternating repetitions; each ours/them = median of per-repetition ratios',
    );
    report.codec = runCodecBenchmark(
      plan.codec,
      [oursDecoder, wsDecoder, wsNativeDecoder],
      [oursEncoder, wsEncoder, wsNativeEncoder],
    );
    say(`against ${WS}, on its pure-JS masking loops:`);
    say(formatCodecTable(report.codec, WS));
    say(`\nagainst ${WS_NATIVE} (ws+bu), ws with its native masking addon:`);
    say(formatCodecTable(report.codec, WS_NATIVE));
    for (const row of report.codec.filter((r) => !r.ok)) {
      say(`  ${row.variant} ${row.op} ${formatSize(row.size)} FAILED: ${row.error}`);
    }
    report.verdicts.push(decodeVerdict(report.codec), nativeDecodeVerdict(report.codec));
  }

  if (only === undefined || only === 'echo') {
    say(
      `\necho: binary messages, each server in its own process; per cell ${echoOptions.rounds} rounds per server, alternating, ` +
        `${echoOptions.durationMs} ms measured after >= ${echoOptions.warmupMs} ms warm-up; each ours/them = median of per-round ratios`,
    );
    report.echo = await runEchoBenchmark(echoOptions, ECHO_TARGETS, (cell) => {
      io.stderr(
        `  ${cell.connections}c x ${formatSize(cell.payloadSize)} x ${cell.inFlight}: ` +
          `ours/${WS} ${formatRatio(echoRatio(cell, WS))}, ours/${WS_NATIVE} ${formatRatio(echoRatio(cell, WS_NATIVE))}\n`,
      );
    });
    say(`against ${WS}, on its pure-JS masking loops:`);
    say(formatEchoTable(report.echo, WS));
    say(`\nagainst ${WS_NATIVE} (ws+bu), ws with its native masking addon:`);
    say(formatEchoTable(report.echo, WS_NATIVE));
    for (const cell of report.echo) {
      for (const [name, result] of Object.entries(cell.results)) {
        const where = `${cell.connections}c x ${formatSize(cell.payloadSize)} x ${cell.inFlight}`;
        for (const error of result.errors) say(`  ${name} ${where}: ${error}`);
        for (const note of result.notes) say(`  note: ${name} ${where}: ${note}`);
      }
    }
    report.verdicts.push(...echoVerdicts(report.echo), nativeEchoVerdict(report.echo));
  }

  if (only === undefined || only === 'idle') {
    const idle: IdleOptions = {
      ...plan.idle,
      ...(values['heap-snapshot'] ? { heapSnapshotDir: values['heap-snapshot'] } : {}),
    };
    say(
      `\nidle: N connections upgraded (${idle.connections.join(', ')}; open-files limit ${report.openFilesLimit}), then silent; ` +
        `per connection = (RSS or heap after - before, each after a full GC) / N; ${idle.rounds} round(s), medians; ` +
        'keepalive at its default (first ping after 20 s of silence: not reached)',
    );
    report.idle = await runIdleBenchmark(idle, IDLE_TARGETS, (row) => {
      io.stderr(
        `  ${row.server} ${row.upgraded}/${row.connections}: ${(row.perConnection.rss / 1024).toFixed(1)} KiB RSS, ` +
          `${(row.perConnection.heapUsed / 1024).toFixed(1)} KiB heap per connection, ${Math.round(row.upgradesPerSec)} upgrades/s\n`,
      );
      for (const error of row.errors) say(`  ${row.server} ${row.connections}: ${error}`);
      if (row.snapshots) say(`  heap snapshots: ${row.snapshots.before} ${row.snapshots.after}`);
    });
    report.idleSummary = summariseIdle(report.idle, OURS, WS);
    say(formatIdleTable(report.idleSummary, OURS, WS));
    report.verdicts.push(...idleVerdicts(report.idleSummary));
  }

  if (only === undefined || only === 'deflate') {
    await runDeflateParts(
      plan.deflate,
      echoOptions,
      values.duration,
      values.rounds,
      report,
      say,
      io,
    );
  }

  report.correct =
    report.codec.every((r) => r.ok) &&
    report.echo.every((cell) => Object.values(cell.results).every((r) => r.ok)) &&
    report.idle.every((row) => row.errors.length === 0) &&
    report.deflate.echo.every((row) => row.errors.length === 0) &&
    report.deflate.memory.every((row) => row.errors.length === 0);
  report.loadAverageAtEnd = currentLoad();
  say(`\nload average at the end: ${report.loadAverageAtEnd.join(' ')}`);
  if (values.quick)
    say('(quick matrix: smaller streams, fewer cells, short windows; indicative only)');
  for (const verdict of report.verdicts) say(formatVerdict(verdict));
  if (report.echo.length > 0) {
    say(cpuSummary(report.echo, WS));
    say(cpuSummary(report.echo, WS_NATIVE));
  }
  if (!report.correct) say('INCORRECT: at least one variant produced wrong results (see above)');
  if (values.json) io.stdout(`${JSON.stringify(report)}\n`);
  return { exitCode: report.correct ? 0 : 1, report };
}

/** The compression part: the codec's cost alone, then echo and memory against ws's. */
async function runDeflateParts(
  plan: DeflatePlan,
  echo: EchoOptions,
  durationFlag: string | undefined,
  roundsFlag: string | undefined,
  report: BenchReport,
  say: (text: string) => void,
  io: BenchIo,
): Promise<void> {
  say(
    '\ndeflate codec, alone: one message deflated and inflated, per message; CPU of every thread ' +
      '(ours: one-shot zlib calls primed with the kept window; streams: a zlib stream pair per connection, as ws)',
  );
  report.deflate.cost = await runCostBenchmark(plan.cost);
  say(formatCostTable(report.deflate.cost));
  report.deflate.held = await runHeldBenchmark(plan.held);
  say(
    `\nkept per connection after one 1 KiB message each way (${plan.held} connections, one process):`,
  );
  say(formatHeldTable(report.deflate.held));
  report.deflate.limit = runLimitBenchmark(plan.limit);
  say(
    '\none large message received by a Protocol in 64 KiB reads (maxPayload its size), ' +
      'compressed against uncompressed:',
  );
  say(formatLimitTable(report.deflate.limit));
  const echoPlan: DeflateEchoOptions = {
    ...plan.echo,
    ...(durationFlag ? { durationMs: echo.durationMs } : {}),
    ...(roundsFlag ? { rounds: echo.rounds } : {}),
  };
  say(
    `\ndeflate echo: JSON-like text, ${echoPlan.connections} connections, one message in flight each, ` +
      `our client (perMessageDeflate: true) for both servers at their defaults; ${echoPlan.rounds} round(s) ` +
      `of ${echoPlan.durationMs} ms per server, alternating; ours/ws msg/s = median of per-round ratios`,
  );
  report.deflate.echo = await runDeflateEcho(echoPlan, DEFLATE_TARGETS, (row) => {
    io.stderr(`  ${formatSize(row.size)}: ours/${WS} ${formatRatio(row.speedRatio)}\n`);
    for (const error of row.errors) say(`  ${formatSize(row.size)}: ${error}`);
  });
  say(formatDeflateEchoTable(report.deflate.echo, OURS, WS));
  for (const row of report.deflate.echo) {
    say(
      `  negotiated at ${formatSize(row.size)}: ${Object.entries(row.servers)
        .map(([name, s]) => `${name} "${s.extensions}"`)
        .join(', ')}`,
    );
  }
  const memory = plan.memory;
  say(
    `\ndeflate memory: ${memory.connections} connections each send ${memory.messagesEach} compressed ` +
      `${formatSize(memory.size)} messages (echoed, checked), then stay idle; per connection = ` +
      `(after - before, each after a full GC) / N; ${memory.rounds} round(s), medians`,
  );
  report.deflate.memory = await runDeflateMemory(memory, DEFLATE_TARGETS, (row) => {
    io.stderr(
      `  ${row.server}: ${(row.perConnection.rss / 1024).toFixed(1)} KiB RSS, ` +
        `${(row.perConnection.heapUsed / 1024).toFixed(1)} KiB heap per connection\n`,
    );
    for (const error of row.errors) say(`  ${row.server}: ${error}`);
  });
  report.deflate.memorySummary = summariseDeflateMemory(report.deflate.memory, OURS, WS);
  say(formatDeflateMemoryTable(report.deflate.memorySummary, OURS, WS));
}

function currentLoad(): number[] {
  return loadavg().map((l) => Math.round(l * 100) / 100);
}

function parseFlags(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean' },
      json: { type: 'boolean' },
      only: { type: 'string' },
      duration: { type: 'string' },
      rounds: { type: 'string' },
      'heap-snapshot': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  }).values;
}

function positive(flag: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    throw new Error(`--${flag} expects a positive number, got "${raw}"`);
  }
  return value;
}

async function main(): Promise<void> {
  // A signal skips 'exit' handlers: stop the server children ourselves, then leave.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      killAllServers();
      process.exit(130);
    });
  }
  const { exitCode } = await runBench(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  });
  process.exitCode = exitCode;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
