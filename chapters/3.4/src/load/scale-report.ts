/** 3.4.6's table, its ratios as sentences, and what the machine's cores had to share. */
import { type Cell, formatTable } from '@course/course-kit';
import { checkedCell, serverMicrosPerDelivery } from './report.ts';
import type { ScaleRatio, ScaleRow } from './scale.ts';

const whole = (n: number | null) => (n !== null && Number.isFinite(n) ? Math.round(n) : '-');
const micros = (n: number) => (Number.isFinite(n) ? Number(n.toFixed(2)) : '-');
const ms = (n: number) => (Number.isFinite(n) ? Number(n.toPrecision(2)) : '-');

export const SCALE_HEADER = [
  'server',
  'deliveries/s',
  'lines/s',
  'p50 ms',
  'p99 ms',
  'server CPU %',
  'server µs/delivery',
  'Redis CPU %',
  'load CPU %',
  'dropped',
  'checked',
];

export function scaleCells(row: ScaleRow): Cell[] {
  return [
    row.name,
    whole(row.deliveriesPerSecond),
    whole(row.linesPerSecond),
    ms(row.p50Ms),
    ms(row.p99Ms),
    whole(row.serverCpuPercent),
    micros(serverMicrosPerDelivery(row)),
    whole(row.brokerCpuPercent),
    whole(row.loadCpuPercent),
    row.dropped,
    checkedCell(row),
  ];
}

export function formatScaleTable(rows: readonly ScaleRow[]): string {
  return formatTable(SCALE_HEADER, rows.map(scaleCells));
}

export const formatRatio = (ratio: number) =>
  Number.isFinite(ratio) ? `${ratio.toFixed(2)}x` : 'n/a';

/** "2 workers / 1 worker: 1.41x the deliveries/s, p99 latency 0.80x, server CPU per delivery 1.10x" */
export function describeRatio(ratio: ScaleRatio): string {
  return `${ratio.name}: ${formatRatio(ratio.deliveries)} the deliveries/s, p99 latency ${formatRatio(ratio.p99)}, server CPU per delivery ${formatRatio(ratio.cpuPerDelivery)}`;
}

/**
 * How many busy processes shared the cores in the largest run, said plainly: on a machine with
 * fewer cores than that, a second worker takes CPU from the load generator and Redis as much as
 * it adds to the chat.
 */
export function describeMachine(
  rows: readonly ScaleRow[],
  cores: number,
  loadAverage: number,
): string {
  const widest = rows.reduce<ScaleRow | undefined>(
    (big, row) => (big === undefined || row.processes > big.processes ? row : big),
    undefined,
  );
  if (widest === undefined) return '';
  const busy = widest.processes + 2; // the workers, redis-server and the load generator
  const share = [
    `the load generator ${whole(widest.loadCpuPercent)}%`,
    `the ${widest.name} ${whole(widest.serverCpuPercent)}%`,
    `redis-server ${whole(widest.brokerCpuPercent)}%`,
  ].join(', ');
  const verdict =
    busy > cores
      ? `${busy} busy processes on ${cores} cores: a worker added here mostly takes CPU from the others, so the ratio shows what is left over, not what a core of its own would give`
      : `${busy} busy processes on ${cores} cores: each can have a core of its own`;
  return `CPU in % of one core, ${widest.name}: ${share} (load average ${loadAverage.toFixed(1)}). ${verdict}.`;
}
