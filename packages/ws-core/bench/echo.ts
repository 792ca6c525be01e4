/**
 * Echo benchmark: each server runs in its own child process and gets the same load, one cell
 * at a time (connections × message size × messages in flight). Within a cell the servers take
 * turns, and the turn order alternates from cell to cell so neither always goes first.
 */
import { type LoadOptions, type LoadResult, runLoad } from './load-client.ts';
import { type RunningServer, type ServerTarget, startServer } from './server-child.ts';

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
}

export interface EchoCell {
  connections: number;
  payloadSize: number;
  inFlight: number;
  /** One pooled result per target name. */
  results: Record<string, LoadResult>;
}

/** Pools several rounds of one server in one cell: totals add up, percentiles are averaged. */
function pool(results: LoadResult[]): LoadResult {
  const first = results[0];
  if (!first) throw new Error('no results to pool');
  if (results.length === 1) return first;
  const sum = (pick: (r: LoadResult) => number) => results.reduce((acc, r) => acc + pick(r), 0);
  const measuredMessages = sum((r) => r.measuredMessages);
  const measuredSeconds = sum((r) => r.measuredSeconds);
  return {
    ...first,
    measuredMessages,
    measuredSeconds,
    msgsPerSec: measuredMessages / measuredSeconds,
    p50Ms: sum((r) => r.p50Ms) / results.length,
    p99Ms: sum((r) => r.p99Ms) / results.length,
    sent: sum((r) => r.sent),
    echoed: sum((r) => r.echoed),
    ok: results.every((r) => r.ok),
    errorCount: sum((r) => r.errorCount),
    errors: results.flatMap((r) => r.errors).slice(0, 5),
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
      p50Ms: Number.NaN,
      p99Ms: Number.NaN,
      sent: 0,
      echoed: 0,
      ok: false,
      errorCount: 1,
      errors: [`load run failed: ${(error as Error).message}`],
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
    let cellIndex = 0;
    for (const connections of options.connections) {
      for (const payloadSize of options.sizes) {
        for (const inFlight of options.inFlight) {
          const perServer = new Map<string, LoadResult[]>(servers.map((s) => [s.name, []]));
          for (let round = 0; round < options.rounds; round++) {
            const order = (cellIndex + round) % 2 === 0 ? servers : [...servers].reverse();
            for (const server of order) {
              const result = await runLoadSafely({
                host: server.host,
                port: server.port,
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
          for (const [name, list] of perServer) results[name] = pool(list);
          const cell = { connections, payloadSize, inFlight, results };
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
