/**
 * Turning load results into what a reader sees: the table's cells, the server CPU each delivery
 * cost, and one line that says where one process stops keeping up and why.
 */
import { type Cell, formatTable } from '@course/course-kit';
import type { ChatLoadResult } from './chat-load.ts';

/** Server CPU above this share of one core counts as "the server's thread is full". */
export const SATURATED_PERCENT = 90;

/** µs of server CPU per delivery in the window; NaN when the server's CPU was not read. */
export function serverMicrosPerDelivery(row: ChatLoadResult): number {
  if (row.serverCpuPercent === null || row.deliveriesPerSecond === 0) return Number.NaN;
  return ((row.serverCpuPercent / 100) * 1e6) / row.deliveriesPerSecond;
}

/** "ok", or what did not add up: lines nobody accounted for, out-of-order or closed members. */
export function checkedCell(row: ChatLoadResult): string {
  const problems = [
    row.unaccounted > 0 ? `${row.unaccounted} unaccounted` : '',
    row.outOfOrder > 0 ? `${row.outOfOrder} out of order` : '',
    row.closedEarly > 0 ? `${row.closedEarly} closed` : '',
  ].filter(Boolean);
  return problems.length === 0 ? 'ok' : problems.join(', ');
}

const whole = (n: number) => (Number.isFinite(n) ? Math.round(n) : '-');
const ms = (n: number) => (Number.isFinite(n) ? Number(n.toPrecision(2)) : '-');
const micros = (n: number) => (Number.isFinite(n) ? Number(n.toFixed(2)) : '-');

export const CEILING_HEADER = [
  'members',
  'senders',
  'lines/s',
  'deliveries/s',
  'p50 ms',
  'p99 ms',
  'server CPU %',
  'server µs/delivery',
  'load CPU %',
  'dropped',
  'checked',
];

export function ceilingCells(row: ChatLoadResult): Cell[] {
  return [
    row.members,
    row.senders,
    whole(row.linesPerSecond),
    whole(row.deliveriesPerSecond),
    ms(row.p50Ms),
    ms(row.p99Ms),
    row.serverCpuPercent === null ? '-' : whole(row.serverCpuPercent),
    micros(serverMicrosPerDelivery(row)),
    whole(row.loadCpuPercent),
    row.dropped,
    checkedCell(row),
  ];
}

export function formatCeilingTable(rows: readonly ChatLoadResult[]): string {
  return formatTable(CEILING_HEADER, rows.map(ceilingCells));
}

export interface Ceiling {
  /** The first room size at which the server used SATURATED_PERCENT of a core, if any. */
  saturatedAt: number | null;
  /** Server µs per delivery in the largest room measured. */
  microsPerDelivery: number;
  /** What one core could deliver at that cost: 1,000,000 µs ÷ µs per delivery. */
  oneCoreDeliveriesPerSecond: number;
  /** The same, as lines per second in the largest room (each line is `members` deliveries). */
  oneCoreLinesPerSecond: number;
  largestRoom: number;
}

export function findCeiling(rows: readonly ChatLoadResult[]): Ceiling | undefined {
  const largest = rows.reduce<ChatLoadResult | undefined>(
    (big, row) => (big === undefined || row.members > big.members ? row : big),
    undefined,
  );
  if (largest === undefined) return undefined;
  const saturated = rows.find((row) => (row.serverCpuPercent ?? 0) >= SATURATED_PERCENT);
  const microsPerDelivery = serverMicrosPerDelivery(largest);
  const oneCoreDeliveriesPerSecond = 1e6 / microsPerDelivery;
  return {
    saturatedAt: saturated?.members ?? null,
    microsPerDelivery,
    oneCoreDeliveriesPerSecond,
    oneCoreLinesPerSecond: oneCoreDeliveriesPerSecond / largest.members,
    largestRoom: largest.members,
  };
}

const thousands = (n: number) => Math.round(n).toLocaleString('en');

/** The closing lines: where the one process saturates, and the machine's part in it. */
export function describeCeiling(
  rows: readonly ChatLoadResult[],
  machine: { cores: number; loadAverage: number },
): string[] {
  const ceiling = findCeiling(rows);
  if (ceiling === undefined || !Number.isFinite(ceiling.microsPerDelivery)) return [];
  const maxServer = Math.max(...rows.map((row) => row.serverCpuPercent ?? 0));
  const maxLoad = Math.max(...rows.map((row) => row.loadCpuPercent));
  const { largestRoom } = ceiling;
  const lines = [
    `Fan-out: one line to a room of ${largestRoom} is ${largestRoom} sends, all on the server's one thread. At ${ceiling.microsPerDelivery.toFixed(2)} µs of server CPU per delivery, one core tops out near ${thousands(ceiling.oneCoreDeliveriesPerSecond)} deliveries/s: about ${thousands(ceiling.oneCoreLinesPerSecond)} lines/s in a room of ${largestRoom}, however many cores the machine has.`,
  ];
  const machineNote = `load average ${machine.loadAverage.toFixed(1)} on ${machine.cores} cores`;
  if (ceiling.saturatedAt !== null) {
    lines.push(
      `The server process saturated from ${ceiling.saturatedAt} members on (${SATURATED_PERCENT}% or more of one core): past that, more members only share out the same deliveries/s.`,
    );
  } else if (maxLoad >= SATURATED_PERCENT) {
    lines.push(
      `The load generator filled a core first (${Math.round(maxLoad)}%; the server at most ${Math.round(maxServer)}%; ${machineNote}): the server's own ceiling is above these deliveries/s, and its µs per delivery says how far.`,
    );
  } else {
    lines.push(
      `Neither process had a whole core here (the server at most ${Math.round(maxServer)}%, the load generator at most ${Math.round(maxLoad)}%; ${machineNote}): they share the cores with each other and with the rest of the machine, so trust the µs per delivery more than the deliveries/s.`,
    );
  }
  return lines;
}
