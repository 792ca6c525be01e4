/**
 * 3.4.6's measurement: the same room load against each server in turn, round after round in
 * alternating order (A B C, then C B A…), so a change in the machine's load hits them alike.
 * A ratio is the median of the per-round ratios; a figure is the median over the rounds.
 */
import {
  type ChatLoadOptions,
  type ChatLoadResult,
  type CpuReader,
  runChatLoad,
} from './chat-load.ts';
import { serverMicrosPerDelivery } from './report.ts';

/** A server to load, however it runs (targets.ts starts the ones 3.4.6 compares). */
export interface ChatTarget {
  /** "one process", "1 worker", "2 workers" */
  readonly name: string;
  /** Processes that serve chat (not counting the broker). */
  readonly processes: number;
  /** True when every line goes through Redis on its way to the members. */
  readonly usesBroker: boolean;
  /** ws://HOST:PORT/chat */
  readonly chatUrl: string;
  /** Every serving process together. */
  readonly serverCpuMicros: CpuReader;
  stop(): Promise<void>;
}

export type ScaleLoad = Omit<ChatLoadOptions, 'chatUrl' | 'serverCpuMicros' | 'brokerCpuMicros'>;

/** A type, not an interface, like ChatLoadResult: a section returns it as a row of `results`. */
export type ScaleRow = ChatLoadResult & {
  name: string;
  processes: number;
  /** Deliveries/s of each round, in round order. */
  roundsDeliveriesPerSecond: number[];
};

export interface ScaleRatio {
  /** "2 workers / 1 worker" */
  name: string;
  over: string;
  under: string;
  deliveries: number;
  p99: number;
  /** Server CPU per delivery, all its processes together: what the work itself costs. */
  cpuPerDelivery: number;
}

export interface ScaleRun {
  rows: ScaleRow[];
  /** Per pair: the medians of the per-round ratios. */
  ratios: ScaleRatio[];
}

/** The targets in this round's order: forwards on even rounds, backwards on odd ones. */
export function roundOrder<T>(items: readonly T[], round: number): T[] {
  return round % 2 === 0 ? [...items] : [...items].reverse();
}

export function median(values: readonly number[]): number {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? Number.NaN)
    : ((sorted[mid - 1] ?? Number.NaN) + (sorted[mid] ?? Number.NaN)) / 2;
}

export async function measureScale(
  targets: readonly ChatTarget[],
  load: ScaleLoad,
  options: {
    rounds: number;
    brokerCpuMicros?: CpuReader;
    /** Which pairs to compare: [over, under] by target name. */
    pairs: readonly (readonly [string, string])[];
    onResult?: (target: ChatTarget, round: number, result: ChatLoadResult) => void;
  },
): Promise<ScaleRun> {
  const results = new Map<string, ChatLoadResult[]>(targets.map((t) => [t.name, []]));
  for (let round = 0; round < options.rounds; round++) {
    for (const target of roundOrder(targets, round)) {
      const result = await runChatLoad({
        ...load,
        chatUrl: target.chatUrl,
        serverCpuMicros: target.serverCpuMicros,
        // The broker's CPU counts only for a server that relays through it.
        ...(target.usesBroker ? { brokerCpuMicros: options.brokerCpuMicros } : {}),
      });
      results.get(target.name)?.push(result);
      options.onResult?.(target, round, result);
    }
  }
  const rows = targets.map((target) => summarise(target, results.get(target.name) ?? []));
  const ratios = options.pairs.map(([over, under]) => {
    const a = results.get(over) ?? [];
    const b = results.get(under) ?? [];
    const per = (pick: (r: ChatLoadResult) => number) =>
      median(a.map((r, i) => pick(r) / pick(b[i] ?? r)));
    return {
      name: `${over} / ${under}`,
      over,
      under,
      deliveries: per((r) => r.deliveriesPerSecond),
      p99: per((r) => r.p99Ms),
      cpuPerDelivery: per(serverMicrosPerDelivery),
    };
  });
  return { rows, ratios };
}

/** One row per target: the median round for each figure, the sums for the books. */
function summarise(target: ChatTarget, results: readonly ChatLoadResult[]): ScaleRow {
  const mid = (pick: (r: ChatLoadResult) => number) => median(results.map(pick));
  const midOrNull = (pick: (r: ChatLoadResult) => number | null) => {
    const values = results.map(pick).filter((v): v is number => v !== null);
    return values.length === 0 ? null : median(values);
  };
  const total = (pick: (r: ChatLoadResult) => number) => results.reduce((s, r) => s + pick(r), 0);
  return {
    name: target.name,
    processes: target.processes,
    members: results[0]?.members ?? 0,
    senders: results[0]?.senders ?? 0,
    windowMs: mid((r) => r.windowMs),
    linesPerSecond: mid((r) => r.linesPerSecond),
    deliveriesPerSecond: mid((r) => r.deliveriesPerSecond),
    roundsDeliveriesPerSecond: results.map((r) => r.deliveriesPerSecond),
    p50Ms: mid((r) => r.p50Ms),
    p99Ms: mid((r) => r.p99Ms),
    maxMs: Math.max(...results.map((r) => r.maxMs)),
    lines: total((r) => r.lines),
    deliveries: total((r) => r.deliveries),
    dropped: total((r) => r.dropped),
    unaccounted: total((r) => r.unaccounted),
    outOfOrder: total((r) => r.outOfOrder),
    foreign: total((r) => r.foreign),
    notices: total((r) => r.notices),
    closedEarly: total((r) => r.closedEarly),
    loadCpuPercent: mid((r) => r.loadCpuPercent),
    serverCpuPercent: midOrNull((r) => r.serverCpuPercent),
    brokerCpuPercent: midOrNull((r) => r.brokerCpuPercent),
  };
}
