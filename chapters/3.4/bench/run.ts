/**
 * Chapter 3.4 benchmark: one chat room under the same load on chapter 3.1's one-process server
 * and on 3.4.3's workers (1 and 2) that relay every line through Redis, measured in the same
 * run and printed as ratios: 2 workers / 1 worker, and each against the one process.
 * Run:    npm run bench -w @course/chapter-3.4              (3 rounds, ~20 s)
 *         npm run bench -w @course/chapter-3.4 -- --quick   (1 round, ~8 s)
 * Flags:  --json (one JSON object on stdout, the rest on stderr), --rounds N, --duration MS,
 *         --members N
 * Expect: a row per server, "2 workers / 1 worker: …x the deliveries/s", a line on what shared
 *         the cores; exit 1 only if a delivery went unaccounted for. Without redis-server on the
 *         PATH it says so in one line and exits 0.
 * It starts and stops its own redis-server (never REDIS_URL: a shared Redis would measure
 * someone else's traffic too).
 */
import { cpus, loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { findOnPath, startRedisServer } from '@course/course-kit/redis';
import { DEFAULT_IN_FLIGHT } from '../src/load/chat-load.ts';
import { limitsForLoad } from '../src/load/limits.ts';
import { processCpuMicros } from '../src/load/process-cpu.ts';
import {
  type ChatTarget,
  measureScale,
  type ScaleRatio,
  type ScaleRow,
} from '../src/load/scale.ts';
import { describeMachine, describeRatio, formatScaleTable } from '../src/load/scale-report.ts';
import { SCALE_PAIRS, startScaleTargets } from '../src/load/targets.ts';

const USAGE =
  'usage: tsx bench/run.ts [--quick] [--json] [--rounds 1-9] [--duration 100-10000] [--members 2-48]';
const SENDERS = 4;

export interface ScaleBenchReport {
  node: string;
  cpu: string;
  cores: number;
  loadAverageAtStart: number[];
  loadAverageAtEnd: number[];
  quick: boolean;
  members: number;
  senders: number;
  inFlight: number;
  windowMs: number;
  rounds: number;
  ratios: ScaleRatio[];
  results: ScaleRow[];
  /** False when any delivery went unaccounted for, came out of order or a member was closed. */
  correct: boolean;
}

export interface BenchIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Where to look for redis-server (default process.env.PATH). */
  path?: string;
}

function flag(raw: string | undefined, name: string, fallback: number, min: number, max: number) {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max)
    throw new Error(`--${name} expects a whole number from ${min} to ${max}, got "${raw}"`);
  return value;
}

/** Runs the benchmark; returns the exit code (1 = something unaccounted for, 2 = bad flags). */
export async function runScaleBench(
  argv: readonly string[],
  io: BenchIo,
): Promise<{ exitCode: number; report?: ScaleBenchReport }> {
  let settings: {
    quick: boolean;
    json: boolean;
    rounds: number;
    windowMs: number;
    members: number;
  };
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        quick: { type: 'boolean' },
        json: { type: 'boolean' },
        rounds: { type: 'string' },
        duration: { type: 'string' },
        members: { type: 'string' },
      },
    });
    const quick = values.quick === true;
    settings = {
      quick,
      json: values.json === true,
      rounds: flag(values.rounds, 'rounds', quick ? 1 : 3, 1, 9),
      windowMs: flag(values.duration, 'duration', quick ? 500 : 1500, 100, 10_000),
      members: flag(values.members, 'members', 40, 2, 48),
    };
  } catch (error) {
    io.stderr(`${(error as Error).message}\n${USAGE}\n`);
    return { exitCode: 2 };
  }
  const { quick, json, rounds, windowMs, members } = settings;
  const say = (text: string) => (json ? io.stderr : io.stdout)(`${text}\n`);
  const binary = findOnPath('redis-server', io.path ?? process.env.PATH);
  if (binary === undefined) {
    say(
      'chapter 3.4 bench skipped: no redis-server on the PATH (sudo apt-get install redis-server)',
    );
    return { exitCode: 0 };
  }

  const cores = cpus().length;
  const loadAverageAtStart = loadavg();
  say(
    `node ${process.version}, ${cores} x ${cpus()[0]?.model ?? 'unknown'}, load ${loadAverageAtStart.map((n) => n.toFixed(2)).join(' ')}`,
  );
  say(
    `one room of ${members} members, ${SENDERS} senders with ${DEFAULT_IN_FLIGHT} lines in flight each; ${rounds} round(s) of ${windowMs} ms per server, in alternating order; ratios are medians of per-round ratios`,
  );
  const redis = await startRedisServer({ binary });
  const targets: ChatTarget[] = [];
  try {
    await startScaleTargets(redis.url, limitsForLoad(members, (rounds + 1) * members), targets);
    const redisPid = redis.pid;
    const run = await measureScale(
      targets,
      {
        members,
        senders: SENDERS,
        windowMs,
        warmupMs: Math.min(300, windowMs),
        inFlight: DEFAULT_IN_FLIGHT,
      },
      {
        rounds,
        pairs: SCALE_PAIRS,
        ...(redisPid === undefined ? {} : { brokerCpuMicros: () => processCpuMicros(redisPid) }),
        onResult: (target, round, result) =>
          say(
            `round ${round + 1}, ${target.name}: ${Math.round(result.deliveriesPerSecond)} deliveries/s`,
          ),
      },
    );
    const correct = run.rows.every(
      (row) => row.unaccounted === 0 && row.outOfOrder === 0 && row.closedEarly === 0,
    );
    say(`\n${formatScaleTable(run.rows)}\n`);
    for (const ratio of run.ratios) say(describeRatio(ratio));
    say(describeMachine(run.rows, cores, loadavg()[0] ?? 0));
    if (!correct) say('INCORRECT: some deliveries were not accounted for (see "checked")');
    const report: ScaleBenchReport = {
      node: process.version,
      cpu: cpus()[0]?.model ?? 'unknown',
      cores,
      loadAverageAtStart,
      loadAverageAtEnd: loadavg(),
      quick,
      members,
      senders: SENDERS,
      inFlight: DEFAULT_IN_FLIGHT,
      windowMs,
      rounds,
      ratios: run.ratios,
      results: run.rows,
      correct,
    };
    if (json) io.stdout(`${JSON.stringify({ section: 'bench:3.4-scale', ...report })}\n`);
    return { exitCode: correct ? 0 : 1, report };
  } finally {
    await Promise.allSettled(targets.map((target) => target.stop()));
    await redis.stop();
  }
}

async function main(): Promise<void> {
  const { exitCode } = await runScaleBench(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  });
  process.exitCode = exitCode;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
