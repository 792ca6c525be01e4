/**
 * Memory per idle connection and upgrades per second: each echo server in its own child
 * (started with --expose-gc, see idle-server.child.ts), a load process of its own
 * (idle-load.child.ts) that opens N connections with 100 handshakes in flight, then stays silent.
 *
 * Per server and N: a warm-up of WARMUP_CONNECTIONS opened and dropped (so both servers have
 * compiled their upgrade path before the baseline), RSS and heap after a full GC, N upgrades,
 * a short settle, RSS and heap after a full GC again; per connection = (after − before) / N.
 * Everything runs on loopback, every step has a timeout, and both children are stopped at the
 * end of each measurement. Keepalive: ours runs with its default (ping after 20 s of silence,
 * a sweep every 5 s that allocates nothing per connection); each measurement is over well
 * within 20 s of its upgrades, so no ping has been sent. `ws` has no keepalive of its own.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { forkTs } from '@course/course-kit';
import type { IdleLoadReply, IdleLoadRequest } from './idle-load.child.ts';
import type { IdleServerReply, IdleServerRequest } from './idle-server.child.ts';
import { type RunningServer, startServer } from './server-child.ts';

export const IDLE_CONNECTIONS = [1_000, 10_000];
export const HANDSHAKES_IN_FLIGHT = 100;
const WARMUP_CONNECTIONS = 200;
/** After the last 101, before measuring: lets the server finish whatever follows an upgrade. */
const SETTLE_MS = 300;
const OPEN_TIMEOUT_MS = 120_000;
const MEASURE_TIMEOUT_MS = 60_000;
/** File descriptors kept free in each process for everything that is not a connection. */
const SPARE_FDS = 200;

const SERVER_CHILD = new URL('./idle-server.child.ts', import.meta.url);
const LOAD_CHILD = new URL('./idle-load.child.ts', import.meta.url);

export interface IdleTarget {
  name: string;
  /** The echo server module, started unchanged inside idle-server.child.ts. */
  module: URL;
}

export interface IdleOptions {
  connections: readonly number[];
  rounds: number;
  /** Write heap snapshots (before and after) into this directory (made if missing), at the largest N. */
  heapSnapshotDir?: string;
}

export interface Memory {
  rss: number;
  heapUsed: number;
  external: number;
}

export interface IdleRow {
  server: string;
  /** N asked for. */
  connections: number;
  /** N actually upgraded (N, unless a handshake failed). */
  upgraded: number;
  round: number;
  upgradesPerSec: number;
  before: Memory;
  after: Memory;
  /** Bytes per upgraded connection: (after − before) / upgraded. */
  perConnection: Memory;
  snapshots?: { before: string; after: string };
  errors: string[];
}

/** The soft open-files limit of this process (its children inherit it), or Infinity. */
export function openFilesLimit(): number {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft = line?.split(/\s{2,}/)[1];
    return soft === undefined || soft === 'unlimited' ? Number.POSITIVE_INFINITY : Number(soft);
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

/** N as asked, or as many as the fd limit allows (each side holds one fd per connection). */
export function cappedConnections(asked: number, limit = openFilesLimit()): number {
  return Math.max(1, Math.min(asked, limit - SPARE_FDS));
}

/** Sends `request` to `child` and waits for its next message (or fails after `ms`). */
export function ask<Reply>(
  child: ChildProcess,
  request: unknown,
  ms: number,
  what: string,
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`${what}: no answer within ${ms} ms`));
    }, ms);
    const onMessage = (reply: Reply) => {
      cleanup();
      resolve(reply);
    };
    const onExit = (code: number | null, signal: string | null) => {
      cleanup();
      reject(new Error(`${what}: the child exited (${code ?? signal})`));
    };
    const cleanup = () => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
    child.send(request as never);
  });
}

export async function measure(server: RunningServer): Promise<Memory> {
  const reply = await ask<IdleServerReply>(
    server.child,
    { type: 'measure' } satisfies IdleServerRequest,
    MEASURE_TIMEOUT_MS,
    `${server.name} memory`,
  );
  if (reply.type !== 'memory') throw new Error(`${server.name}: unexpected reply ${reply.type}`);
  return { rss: reply.rss, heapUsed: reply.heapUsed, external: reply.external };
}

async function snapshot(server: RunningServer, path: string): Promise<string> {
  const reply = await ask<IdleServerReply>(
    server.child,
    { type: 'snapshot', path } satisfies IdleServerRequest,
    MEASURE_TIMEOUT_MS * 3,
    `${server.name} heap snapshot`,
  );
  if (reply.type !== 'snapshot-written') throw new Error(`${server.name}: no snapshot`);
  return reply.path;
}

async function openConnections(load: ChildProcess, server: RunningServer, count: number) {
  const reply = await ask<IdleLoadReply>(
    load,
    {
      type: 'open',
      host: server.host,
      port: server.port,
      count,
      inFlight: HANDSHAKES_IN_FLIGHT,
    } satisfies IdleLoadRequest,
    OPEN_TIMEOUT_MS,
    `opening ${count} connections to ${server.name}`,
  );
  if (reply.type !== 'opened') throw new Error(`load: unexpected reply ${reply.type}`);
  return reply;
}

async function dropConnections(load: ChildProcess): Promise<void> {
  await ask<IdleLoadReply>(
    load,
    { type: 'drop' } satisfies IdleLoadRequest,
    MEASURE_TIMEOUT_MS,
    'drop',
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One server, one N: a fresh server process and a fresh load process, both stopped after. */
async function measureOne(
  target: IdleTarget,
  connections: number,
  round: number,
  snapshotDir: string | undefined,
): Promise<IdleRow> {
  const server = await startServer({
    name: target.name,
    module: SERVER_CHILD,
    execArgv: ['--expose-gc'],
    env: { IDLE_SERVER_MODULE: target.module.href },
  });
  const load = forkTs(LOAD_CHILD, [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const errors: string[] = [];
  try {
    const warm = await openConnections(load, server, WARMUP_CONNECTIONS);
    if (warm.failed > 0) errors.push(`warm-up: ${warm.failed} failed (${warm.firstError})`);
    await dropConnections(load);
    await sleep(SETTLE_MS);
    const stamp = `${target.name}-${connections}-${round}`;
    const before = await measure(server);
    const beforeSnapshot =
      snapshotDir && (await snapshot(server, `${snapshotDir}/${stamp}-before.heapsnapshot`));
    const opened = await openConnections(load, server, connections);
    if (opened.failed > 0) errors.push(`${opened.failed} handshakes failed (${opened.firstError})`);
    await sleep(SETTLE_MS);
    const after = await measure(server);
    const afterSnapshot =
      snapshotDir && (await snapshot(server, `${snapshotDir}/${stamp}-after.heapsnapshot`));
    const n = Math.max(1, opened.upgraded);
    return {
      server: target.name,
      connections,
      upgraded: opened.upgraded,
      round,
      upgradesPerSec: opened.upgraded / (opened.ms / 1000),
      before,
      after,
      perConnection: {
        rss: (after.rss - before.rss) / n,
        heapUsed: (after.heapUsed - before.heapUsed) / n,
        external: (after.external - before.external) / n,
      },
      ...(beforeSnapshot && afterSnapshot
        ? { snapshots: { before: beforeSnapshot, after: afterSnapshot } }
        : {}),
      errors,
    };
  } finally {
    load.kill('SIGKILL');
    await server.stop(1000);
  }
}

/**
 * Every server at every N, `rounds` times, taking turns (A B, then B A, …) so that neither
 * always runs on a machine the other has just warmed or loaded.
 */
export async function runIdleBenchmark(
  options: IdleOptions,
  targets: readonly IdleTarget[],
  onRow: (row: IdleRow) => void = () => {},
): Promise<IdleRow[]> {
  const rows: IdleRow[] = [];
  // The server child writes the snapshots, and V8's writer does not make directories.
  if (options.heapSnapshotDir !== undefined)
    mkdirSync(options.heapSnapshotDir, { recursive: true });
  for (const asked of options.connections) {
    const connections = cappedConnections(asked);
    const largest = asked === Math.max(...options.connections);
    for (let round = 0; round < options.rounds; round++) {
      const order = round % 2 === 0 ? targets : [...targets].reverse();
      for (const target of order) {
        const snapshotDir = largest && round === 0 ? options.heapSnapshotDir : undefined;
        const row = await measureOne(target, connections, round, snapshotDir);
        rows.push(row);
        onRow(row);
      }
    }
  }
  return rows;
}

/** One N: medians over rounds per server, and ours/ws ratios (memory: lower is better). */
export interface IdleSummary {
  connections: number;
  /** Per server: KiB per connection (RSS, heap used) and upgrades per second; medians. */
  servers: Record<string, { rssKiB: number; heapKiB: number; upgradesPerSec: number }>;
  /** ours/ws: memory per connection (below 1 = we hold less), upgrades/s (above 1 = faster). */
  rssRatio: number;
  heapRatio: number;
  upgradesRatio: number;
}

const KIB = 1024;

export function summariseIdle(rows: readonly IdleRow[], ours: string, them: string): IdleSummary[] {
  const sizes = [...new Set(rows.map((r) => r.connections))];
  return sizes.map((connections) => {
    const servers: IdleSummary['servers'] = {};
    for (const name of [ours, them]) {
      const mine = rows.filter((r) => r.connections === connections && r.server === name);
      servers[name] = {
        rssKiB: round1(median(mine.map((r) => r.perConnection.rss / KIB))),
        heapKiB: round1(median(mine.map((r) => r.perConnection.heapUsed / KIB))),
        upgradesPerSec: Math.round(median(mine.map((r) => r.upgradesPerSec))),
      };
    }
    const a = servers[ours] as IdleSummary['servers'][string];
    const b = servers[them] as IdleSummary['servers'][string];
    return {
      connections,
      servers,
      rssRatio: round2(a.rssKiB / b.rssKiB),
      heapRatio: round2(a.heapKiB / b.heapKiB),
      upgradesRatio: round2(a.upgradesPerSec / b.upgradesPerSec),
    };
  });
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
const round1 = (x: number) => Math.round(x * 10) / 10;
const round2 = (x: number) => Math.round(x * 100) / 100;

export function formatIdleTable(
  summaries: readonly IdleSummary[],
  ours: string,
  them: string,
): string {
  const header = [
    'connections',
    `${ours} RSS KiB/conn`,
    `${them} RSS KiB/conn`,
    'RSS ours/ws',
    `${ours} heap KiB/conn`,
    `${them} heap KiB/conn`,
    'heap ours/ws',
    `${ours} upgrades/s`,
    `${them} upgrades/s`,
    'upgrades ours/ws',
  ];
  const lines = summaries.map((s) => {
    const a = s.servers[ours];
    const b = s.servers[them];
    return [
      s.connections.toLocaleString('en'),
      a?.rssKiB,
      b?.rssKiB,
      s.rssRatio.toFixed(2),
      a?.heapKiB,
      b?.heapKiB,
      s.heapRatio.toFixed(2),
      a?.upgradesPerSec,
      b?.upgradesPerSec,
      s.upgradesRatio.toFixed(2),
    ].map(String);
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const row = (cells: readonly string[]) =>
    cells.map((c, i) => c.padStart(widths[i] ?? 0)).join('  ');
  return [row(header), ...lines.map(row)].join('\n');
}

/** Reference lines: ≤ 0.8× ws's RSS per idle connection at the largest N; ≥ 1.0× its upgrades/s. */
export function idleVerdicts(summaries: readonly IdleSummary[]) {
  const largest = summaries.reduce<IdleSummary | undefined>(
    (best, s) => (best === undefined || s.connections > best.connections ? s : best),
    undefined,
  );
  if (largest === undefined) return [];
  const n = largest.connections.toLocaleString('en');
  return [
    {
      target: `idle memory <= 0.8x ws per connection at ${n} connections (RSS)`,
      met: largest.rssRatio <= 0.8,
      detail: `ours/ws RSS per connection ${largest.rssRatio.toFixed(2)}, heap ${largest.heapRatio.toFixed(2)}`,
    },
    {
      target: `upgrades/s >= 1.0x ws (${HANDSHAKES_IN_FLIGHT} handshakes in flight)`,
      met: summaries.every((s) => s.upgradesRatio >= 1),
      detail: summaries
        .map((s) => `${s.connections.toLocaleString('en')}: ${s.upgradesRatio.toFixed(2)}`)
        .join(', '),
    },
  ];
}
