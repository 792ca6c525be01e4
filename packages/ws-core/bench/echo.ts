/**
 * Echo benchmark: each server runs in its own child process and gets the same load, one cell
 * at a time (connections × message size × messages in flight). Within a cell the servers take
 * turns, and the turn order alternates from cell to cell so neither always goes first.
 */
import { type LoadOptions, type LoadResult, runLoad } from './load-client.ts';
import { type RunningServer, type ServerTarget, startServer } from './server-child.ts';
import { median } from './stats.ts';

export const ECHO_CONNECTIONS = [1, 50, 500] as const;
export const ECHO_SIZES = [16, 1024, 64 * 1024] as const;
export const ECHO_IN_FLIGHT = [1, 16] as const;

export interface EchoOptions {
  connections: readonly number[];
  sizes: readonly number[];
  inFlight: readonly number[];
  warmupMs: number;
  durationMs: number;
  /** How many measured turns each server gets per cell; results are pooled. */
  rounds: number;
  /**
   * Unmeasured load on each fresh server before the first cell, so the JIT has compiled the
   * hot paths (otherwise whichever cell comes first measures a cold server).
   */
  serverWarmupMs: number;
}

const HEAVY_CELL_BYTES = 64 * 1024 * 1024;

/** The warm-up mix: small and large messages, pipelined, so every hot path gets compiled. */
const WARMUP_LOADS = [
  { connections: 20, payloadSize: 16, inFlight: 16 },
  { connections: 20, payloadSize: 1024, inFlight: 1 },
  { connections: 4, payloadSize: 64 * 1024, inFlight: 4 },
];

export interface EchoCell {
  connections: number;
  payloadSize: number;
  inFlight: number;
  /** One pooled result per target name. */
  results: Record<string, LoadResult>;
  /**
   * msgs/s of each server, round by round. Rounds alternate servers back to back, so the
   * ratio within one round compares runs made under nearly the same machine load.
   */
  rounds: Record<string, number[]>;
}

/**
 * Pools several rounds of one server in one cell. Rates and percentiles are the median over
 * rounds (robust to one round hit by a burst of load elsewhere); counts add up.
 */
function pool(results: LoadResult[]): LoadResult {
  const first = results[0];
  if (!first) throw new Error('no results to pool');
  if (results.length === 1) return first;
  const sum = (pick: (r: LoadResult) => number) => results.reduce((acc, r) => acc + pick(r), 0);
  return {
    ...first,
    measuredMessages: sum((r) => r.measuredMessages),
    measuredSeconds: sum((r) => r.measuredSeconds),
    msgsPerSec: median(results.map((r) => r.msgsPerSec)),
    serverCpuUsPerMsg: median(results.map((r) => r.serverCpuUsPerMsg)),
    clientCpuPercent: median(results.map((r) => r.clientCpuPercent)),
    p50Ms: median(results.map((r) => r.p50Ms)),
    p99Ms: median(results.map((r) => r.p99Ms)),
    sent: sum((r) => r.sent),
    echoed: sum((r) => r.echoed),
    ok: results.every((r) => r.ok),
    errorCount: sum((r) => r.errorCount),
    errors: results.flatMap((r) => r.errors).slice(0, 5),
    notes: results.flatMap((r) => r.notes).slice(0, 5),
  };
}

/** A cell that could not run (e.g. the handshake was refused) counts as a failed cell. */
async function runLoadSafely(options: LoadOptions): Promise<LoadResult> {
  try {
    return await runLoad(options);
  } catch (error) {
    return {
      connections: options.connections,
      payloadSize: options.payloadSize,
      inFlight: options.inFlight,
      measuredMessages: 0,
      measuredSeconds: 0,
      msgsPerSec: Number.NaN,
      serverCpuUsPerMsg: Number.NaN,
      clientCpuPercent: Number.NaN,
      p50Ms: Number.NaN,
      p99Ms: Number.NaN,
      sent: 0,
      echoed: 0,
      ok: false,
      errorCount: 1,
      errors: [`load run failed: ${(error as Error).message}`],
      notes: [],
    };
  }
}

export async function runEchoBenchmark(
  options: EchoOptions,
  targets: readonly ServerTarget[],
  onCell?: (cell: EchoCell) => void,
): Promise<EchoCell[]> {
  const servers: RunningServer[] = [];
  const cells: EchoCell[] = [];
  try {
    for (const target of targets) servers.push(await startServer(target));
    for (const server of servers) {
      for (const load of WARMUP_LOADS) {
        const result = await runLoadSafely({
          ...load,
          host: server.host,
          port: server.port,
          warmupMs: 0,
          durationMs: options.serverWarmupMs / WARMUP_LOADS.length,
        });
        if (!result.ok) throw new Error(`${server.name} failed its warm-up: ${result.errors[0]}`);
      }
    }
    let cellIndex = 0;
    for (const connections of options.connections) {
      for (const payloadSize of options.sizes) {
        for (const inFlight of options.inFlight) {
          const perServer = new Map<string, LoadResult[]>(servers.map((s) => [s.name, []]));
          // A cell with more than HEAVY_CELL_BYTES in flight takes seconds per turn: one round.
          const heavy = connections * inFlight * payloadSize > HEAVY_CELL_BYTES;
          const rounds = heavy ? 1 : options.rounds;
          for (let round = 0; round < rounds; round++) {
            const order = (cellIndex + round) % 2 === 0 ? servers : [...servers].reverse();
            for (const server of order) {
              const result = await runLoadSafely({
                host: server.host,
                port: server.port,
                serverPid: server.pid,
                connections,
                payloadSize,
                inFlight,
                warmupMs: options.warmupMs,
                durationMs: options.durationMs,
              });
              perServer.get(server.name)?.push(result);
            }
          }
          const results: Record<string, LoadResult> = {};
          const perRound: Record<string, number[]> = {};
          for (const [name, list] of perServer) {
            results[name] = pool(list);
            perRound[name] = list.map((r) => (r.ok ? r.msgsPerSec : Number.NaN));
          }
          const cell = { connections, payloadSize, inFlight, results, rounds: perRound };
          cells.push(cell);
          onCell?.(cell);
          cellIndex++;
        }
      }
    }
    return cells;
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}
