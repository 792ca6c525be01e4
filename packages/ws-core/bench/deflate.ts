/**
 * permessage-deflate against `ws` with `perMessageDeflate: true`, each server at its defaults
 * and in its own process (our echo example with --deflate, bench/ws-echo-server.ts --deflate):
 *   echo:   msgs/s and the server's CPU per message for JSON-like text of 1 KiB and 64 KiB,
 *           one message in flight per connection, the same client (ours, compression on) for
 *           both; servers take turns round by round and each ratio is the median of rounds;
 *   memory: N connections each send M compressed messages (10,000 over 1,000 by default),
 *           then stay idle: RSS and heap after a full GC, before and after, per connection,
 *           and the server's whole RSS after the messages — what the zlib state kept per
 *           connection costs (see idle.ts for how memory is measured).
 * The cost of the codec alone, sync against zlib streams, is in deflate-cost.ts.
 */
import type { ChildProcess } from 'node:child_process';
import { forkTs, formatTable } from '@course/course-kit';
import { connect, type WebSocketConnection } from '../src/index.ts';
import type { DeflateLoadReply, DeflateLoadRequest } from './deflate-load.child.ts';
import { ask, type Memory, measure } from './idle.ts';
import { jsonLikeMessages } from './json-like.ts';
import { readProcessCpuMs } from './process-cpu.ts';
import { type RunningServer, type ServerTarget, startServer } from './server-child.ts';
import { formatRatio, formatSize, median, round } from './stats.ts';

export const DEFLATE_SIZES = [1024, 64 * 1024];
const SERVER_CHILD = new URL('./idle-server.child.ts', import.meta.url);
const LOAD_CHILD = new URL('./deflate-load.child.ts', import.meta.url);
const OPEN_TIMEOUT_MS = 300_000;
const SETTLE_MS = 300;

export interface DeflateEchoOptions {
  connections: number;
  sizes: readonly number[];
  warmupMs: number;
  durationMs: number;
  rounds: number;
}

export interface DeflateMemoryOptions {
  connections: number;
  messagesEach: number;
  size: number;
  rounds: number;
}

export interface DeflateEchoRow {
  size: number;
  connections: number;
  /** Per server: median msgs/s and server CPU µs per message over rounds. */
  servers: Record<
    string,
    { msgsPerSec: number; serverCpuUs: number; clientCpuPercent: number; extensions: string }
  >;
  /** ours/ws msgs/s per round (higher is better). */
  rounds: number[];
  /** ours/ws msgs/s (median of rounds) and ws/ours server CPU per message (higher: we spend less). */
  speedRatio: number;
  cpuRatio: number;
  errors: string[];
}

export interface DeflateMemoryRow {
  server: string;
  round: number;
  connections: number;
  compressed: number;
  echoed: number;
  before: Memory;
  after: Memory;
  perConnection: { rss: number; heapUsed: number };
  errors: string[];
}

// ---- echo ----

interface LoadResult {
  msgsPerSec: number;
  serverCpuUs: number;
  /** The client's (this process's) CPU in the window, 100 = one core: near 100, client-bound. */
  clientCpuPercent: number;
  extensions: string;
  errors: string[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `connections` clients, one message in flight each, every echo checked; counts a window. */
async function runLoad(
  server: RunningServer,
  size: number,
  options: DeflateEchoOptions,
): Promise<LoadResult> {
  const messages = jsonLikeMessages(size, 64);
  const url = `ws://${server.host}:${server.port}/`;
  const errors: string[] = [];
  const conns: WebSocketConnection[] = await Promise.all(
    Array.from({ length: options.connections }, () => connect(url, { perMessageDeflate: true })),
  );
  let counting = false;
  let stopping = false;
  let counted = 0;
  let inFlight = 0;
  const settled: Array<() => void> = [];
  conns.forEach((conn, c) => {
    let k = c;
    conn.on('message', (data) => {
      inFlight--;
      if (data !== messages[k % messages.length]) {
        if (errors.length < 5) errors.push(`connection ${c}: wrong echo`);
      } else if (counting) counted++;
      k++;
      if (stopping) {
        if (inFlight === 0) for (const done of settled.splice(0)) done();
        return;
      }
      inFlight++;
      conn.send(messages[k % messages.length] as string);
    });
    inFlight++;
    conn.send(messages[k % messages.length] as string);
  });
  await sleep(options.warmupMs);
  const cpuBefore = readProcessCpuMs(server.pid);
  const clientBefore = process.cpuUsage();
  const start = performance.now();
  counting = true;
  await sleep(options.durationMs);
  counting = false;
  const seconds = (performance.now() - start) / 1000;
  const cpuMs = readProcessCpuMs(server.pid) - cpuBefore;
  const client = process.cpuUsage(clientBefore);
  stopping = true;
  if (inFlight > 0) {
    await Promise.race([new Promise<void>((resolve) => settled.push(resolve)), sleep(10_000)]);
  }
  const extensions = conns[0]?.extensions ?? '';
  if (!extensions.startsWith('permessage-deflate')) errors.push('compression was not negotiated');
  for (const conn of conns) conn.terminate();
  return {
    msgsPerSec: counted / seconds,
    serverCpuUs: (cpuMs * 1000) / counted,
    clientCpuPercent: (client.user + client.system) / 10_000 / seconds,
    extensions,
    errors,
  };
}

export async function runDeflateEcho(
  options: DeflateEchoOptions,
  targets: readonly ServerTarget[],
  onRow: (row: DeflateEchoRow) => void = () => {},
): Promise<DeflateEchoRow[]> {
  const servers: RunningServer[] = [];
  const rows: DeflateEchoRow[] = [];
  const [oursName, theirName] = targets.map((t) => t.name) as [string, string];
  try {
    for (const target of targets) servers.push(await startServer(target));
    // Unmeasured: both servers compile their hot paths on both sizes first.
    for (const server of servers) {
      for (const size of options.sizes) {
        await runLoad(server, size, { ...options, warmupMs: 0, durationMs: options.warmupMs });
      }
    }
    for (const size of options.sizes) {
      const results = new Map<string, LoadResult[]>(servers.map((s) => [s.name, []]));
      for (let round = 0; round < options.rounds; round++) {
        const order = round % 2 === 0 ? servers : [...servers].reverse();
        for (const server of order)
          results.get(server.name)?.push(await runLoad(server, size, options));
      }
      const pick = (name: string) => results.get(name) ?? [];
      const ours = pick(oursName);
      const theirs = pick(theirName);
      const perRound = ours.map((r, i) => r.msgsPerSec / (theirs[i]?.msgsPerSec ?? Number.NaN));
      const summary = (list: LoadResult[]) => ({
        msgsPerSec: median(list.map((r) => r.msgsPerSec)),
        serverCpuUs: median(list.map((r) => r.serverCpuUs)),
        clientCpuPercent: median(list.map((r) => r.clientCpuPercent)),
        extensions: list[0]?.extensions ?? '',
      });
      const a = summary(ours);
      const b = summary(theirs);
      const row: DeflateEchoRow = {
        size,
        connections: options.connections,
        servers: { [oursName]: a, [theirName]: b },
        rounds: perRound,
        speedRatio: median(perRound),
        cpuRatio: b.serverCpuUs / a.serverCpuUs,
        errors: [...ours, ...theirs].flatMap((r) => r.errors).slice(0, 5),
      };
      rows.push(row);
      onRow(row);
    }
    return rows;
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}

export function formatDeflateEchoTable(
  rows: readonly DeflateEchoRow[],
  ours: string,
  them: string,
): string {
  return formatTable(
    [
      'size',
      'conns',
      `${ours} msg/s`,
      `${them} msg/s`,
      `msg/s ${ours}/${them}`,
      'rounds',
      `${ours} cpu us/msg`,
      `${them} cpu us/msg`,
      `cpu ${them}/${ours}`,
      'client cpu %',
    ],
    rows.map((row) => [
      formatSize(row.size),
      row.connections,
      round(row.servers[ours]?.msgsPerSec ?? Number.NaN),
      round(row.servers[them]?.msgsPerSec ?? Number.NaN),
      formatRatio(row.speedRatio),
      row.rounds.length > 1
        ? `${Math.min(...row.rounds).toFixed(2)}-${Math.max(...row.rounds).toFixed(2)}`
        : '-',
      round(row.servers[ours]?.serverCpuUs ?? Number.NaN),
      round(row.servers[them]?.serverCpuUs ?? Number.NaN),
      formatRatio(row.cpuRatio),
      `${Math.round(row.servers[ours]?.clientCpuPercent ?? 0)} / ${Math.round(row.servers[them]?.clientCpuPercent ?? 0)}`,
    ]),
  );
}

// ---- memory ----

async function openLoad(load: ChildProcess, server: RunningServer, options: DeflateMemoryOptions) {
  const reply = await ask<DeflateLoadReply>(
    load,
    {
      type: 'open',
      url: `ws://${server.host}:${server.port}/`,
      count: options.connections,
      messagesEach: options.messagesEach,
      size: options.size,
      inFlight: 50,
    } satisfies DeflateLoadRequest,
    OPEN_TIMEOUT_MS,
    `${options.connections} compressed connections to ${server.name}`,
  );
  if (reply.type !== 'opened') throw new Error(`load: unexpected reply ${reply.type}`);
  return reply;
}

async function measureOne(
  target: ServerTarget,
  options: DeflateMemoryOptions,
  round: number,
): Promise<DeflateMemoryRow> {
  const server = await startServer({
    name: target.name,
    module: SERVER_CHILD,
    args: target.args,
    execArgv: ['--expose-gc'],
    env: { IDLE_SERVER_MODULE: target.module.href },
  });
  const load = forkTs(LOAD_CHILD, [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const errors: string[] = [];
  try {
    // A warm-up that compresses, dropped before the baseline, as idle.ts does for upgrades.
    const warm = await openLoad(load, server, { ...options, connections: 50 });
    if (warm.failed > 0) errors.push(`warm-up: ${warm.failed} failed (${warm.firstError})`);
    await ask(load, { type: 'drop' } satisfies DeflateLoadRequest, 60_000, 'drop');
    await sleep(SETTLE_MS);
    const before = await measure(server);
    const opened = await openLoad(load, server, options);
    if (opened.failed > 0)
      errors.push(`${opened.failed} connections failed (${opened.firstError})`);
    if (opened.compressed !== opened.upgraded) {
      errors.push(`${opened.upgraded - opened.compressed} connections not compressed`);
    }
    await sleep(SETTLE_MS);
    const after = await measure(server);
    const n = Math.max(1, opened.upgraded);
    return {
      server: target.name,
      round,
      connections: opened.upgraded,
      compressed: opened.compressed,
      echoed: opened.echoed,
      before,
      after,
      perConnection: {
        rss: (after.rss - before.rss) / n,
        heapUsed: (after.heapUsed - before.heapUsed) / n,
      },
      errors,
    };
  } finally {
    load.kill('SIGKILL');
    await server.stop(1000);
  }
}

export async function runDeflateMemory(
  options: DeflateMemoryOptions,
  targets: readonly ServerTarget[],
  onRow: (row: DeflateMemoryRow) => void = () => {},
): Promise<DeflateMemoryRow[]> {
  const rows: DeflateMemoryRow[] = [];
  for (let round = 0; round < options.rounds; round++) {
    const order = round % 2 === 0 ? targets : [...targets].reverse();
    for (const target of order) {
      const row = await measureOne(target, options, round);
      rows.push(row);
      onRow(row);
    }
  }
  return rows;
}

export interface DeflateMemorySummary {
  connections: number;
  messages: number;
  servers: Record<string, { rssKiB: number; heapKiB: number; rssAfterMiB: number }>;
  /** ours/ws per connection (below 1: we hold less). */
  rssRatio: number;
  heapRatio: number;
}

export function summariseDeflateMemory(
  rows: readonly DeflateMemoryRow[],
  ours: string,
  them: string,
): DeflateMemorySummary {
  const servers: DeflateMemorySummary['servers'] = {};
  for (const name of [ours, them]) {
    const mine = rows.filter((r) => r.server === name);
    servers[name] = {
      rssKiB: round(median(mine.map((r) => r.perConnection.rss / 1024))),
      heapKiB: round(median(mine.map((r) => r.perConnection.heapUsed / 1024))),
      rssAfterMiB: round(median(mine.map((r) => r.after.rss / 1024 / 1024))),
    };
  }
  const a = servers[ours] as DeflateMemorySummary['servers'][string];
  const b = servers[them] as DeflateMemorySummary['servers'][string];
  const first = rows[0];
  return {
    connections: first?.connections ?? 0,
    messages: first?.echoed ?? 0,
    servers,
    rssRatio: a.rssKiB / b.rssKiB,
    heapRatio: a.heapKiB / b.heapKiB,
  };
}

export function formatDeflateMemoryTable(
  summary: DeflateMemorySummary,
  ours: string,
  them: string,
): string {
  const a = summary.servers[ours];
  const b = summary.servers[them];
  return formatTable(
    ['', ours, them, `${ours}/${them}`],
    [
      ['RSS KiB per connection', a?.rssKiB ?? '-', b?.rssKiB ?? '-', formatRatio(summary.rssRatio)],
      [
        'heap KiB per connection',
        a?.heapKiB ?? '-',
        b?.heapKiB ?? '-',
        formatRatio(summary.heapRatio),
      ],
      [
        'server RSS MiB after the messages',
        a?.rssAfterMiB ?? '-',
        b?.rssAfterMiB ?? '-',
        formatRatio((a?.rssAfterMiB ?? Number.NaN) / (b?.rssAfterMiB ?? Number.NaN)),
      ],
    ],
  );
}
