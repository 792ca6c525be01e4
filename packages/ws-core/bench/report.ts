/** Turns benchmark results into tables with ours/ws ratios and one verdict line per target. */
import { formatTable } from '@course/course-kit';
import type { CodecRow } from './codec.ts';
import type { EchoCell } from './echo.ts';
import { formatRatio, formatSize, median, round } from './stats.ts';

export const OURS = 'ours';
export const WS = 'ws';

export interface Verdict {
  target: string;
  met: boolean;
  detail: string;
}

function pairCodec(rows: readonly CodecRow[], op: CodecRow['op'], size: number) {
  const ours = rows.find((r) => r.op === op && r.size === size && r.side === 'ours');
  const ws = rows.find((r) => r.op === op && r.size === size && r.side === 'ws');
  // Same stream, so a time ratio is a throughput ratio: ws time / our time, round by round.
  const rounds =
    ours?.ok && ws?.ok ? ours.samplesMs.map((ms, i) => (ws.samplesMs[i] ?? Number.NaN) / ms) : [];
  const paired = rounds.filter(Number.isFinite);
  let ratio = Number.NaN;
  if (paired.length > 0) ratio = median(paired);
  else if (ours?.ok && ws?.ok) ratio = ours.mbPerSec / ws.mbPerSec;
  return { ours, ws, ratio, rounds: paired };
}

/** "3.10-4.52": the lowest and highest of a list of per-round ratios. */
function formatRange(ratios: readonly number[]): string {
  if (ratios.length < 2) return '-';
  return `${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}`;
}

function codecSizes(rows: readonly CodecRow[]): number[] {
  return [...new Set(rows.map((r) => r.size))];
}

function cellValue(row: CodecRow | undefined, pick: (r: CodecRow) => number): number | string {
  if (!row) return '-';
  return row.ok ? round(pick(row)) : 'FAILED';
}

export function formatCodecTable(rows: readonly CodecRow[]): string {
  const table: (string | number)[][] = [];
  for (const op of ['decode', 'encode'] as const) {
    for (const size of codecSizes(rows)) {
      const { ours, ws, ratio, rounds } = pairCodec(rows, op, size);
      if (!ours && !ws) continue;
      table.push([
        op,
        formatSize(size),
        ours?.frames ?? ws?.frames ?? 0,
        cellValue(ours, (r) => r.mbPerSec),
        cellValue(ws, (r) => r.mbPerSec),
        cellValue(ours, (r) => r.framesPerSec),
        cellValue(ws, (r) => r.framesPerSec),
        formatRatio(ratio),
        formatRange(rounds),
      ]);
    }
  }
  const header = ['op', 'frame', 'frames', 'ours MB/s', 'ws MB/s', 'ours frames/s', 'ws frames/s'];
  return formatTable([...header, 'ours/ws', 'rounds'], table);
}

/** ours/ws for each round (NaN where either side failed). */
export function roundRatios(cell: EchoCell): number[] {
  const ours = cell.rounds[OURS] ?? [];
  const ws = cell.rounds[WS] ?? [];
  return ours.map((rate, i) => rate / (ws[i] ?? Number.NaN));
}

/**
 * The cell's ratio: the median of the per-round ratios. Pairing each round with its neighbour
 * cancels slow swings in machine load that a ratio of two medians would not.
 */
export function echoRatio(cell: EchoCell): number {
  const ours = cell.results[OURS];
  const ws = cell.results[WS];
  if (!ours?.ok || !ws?.ok) return Number.NaN;
  const ratios = roundRatios(cell).filter(Number.isFinite);
  return ratios.length > 0 ? median(ratios) : ours.msgsPerSec / ws.msgsPerSec;
}

function ratioRange(cell: EchoCell): string {
  return formatRange(roundRatios(cell).filter(Number.isFinite));
}

/** How many times more server CPU ws spent per echo than we did. */
export function cpuAdvantage(cell: EchoCell): number {
  const ours = cell.results[OURS];
  const ws = cell.results[WS];
  if (!ours?.ok || !ws?.ok) return Number.NaN;
  return ws.serverCpuUsPerMsg / ours.serverCpuUsPerMsg;
}

function latency(cell: EchoCell, name: string): string {
  const r = cell.results[name];
  if (!r) return '-';
  if (!r.ok) return 'FAILED';
  return `${round(r.p50Ms, 2)} / ${round(r.p99Ms, 2)}`;
}

function rate(cell: EchoCell, name: string): number | string {
  const r = cell.results[name];
  if (!r) return '-';
  return r.ok ? Math.round(r.msgsPerSec) : 'FAILED';
}

function cpuPerMessage(cell: EchoCell, name: string): number | string {
  const r = cell.results[name];
  return r?.ok && Number.isFinite(r.serverCpuUsPerMsg) ? round(r.serverCpuUsPerMsg, 2) : '-';
}

/** The load generator's CPU in the window, worst of the two turns: ~100% means client-bound. */
function clientCpu(cell: EchoCell): number | string {
  const values = Object.values(cell.results).map((r) => r.clientCpuPercent);
  const worst = Math.max(...values.filter(Number.isFinite));
  return Number.isFinite(worst) ? Math.round(worst) : '-';
}

function checked(cell: EchoCell): string {
  const results = Object.entries(cell.results);
  const bad = results.filter(([, r]) => !r.ok);
  if (bad.length > 0) return bad.map(([name, r]) => `${name}: ${r.errorCount} BAD`).join(', ');
  return `all ${results.reduce((sum, [, r]) => sum + r.echoed, 0)} ok`;
}

export function formatEchoTable(cells: readonly EchoCell[]): string {
  const header = ['conns', 'size', 'in flight', 'ours msg/s', 'ws msg/s', 'ours/ws', 'rounds'];
  return formatTable(
    [
      ...header,
      'ours p50/p99 ms',
      'ws p50/p99 ms',
      'ours cpu us/msg',
      'ws cpu us/msg',
      'client cpu %',
      'echoes checked',
    ],
    cells.map((cell) => [
      cell.connections,
      formatSize(cell.payloadSize),
      cell.inFlight,
      rate(cell, OURS),
      rate(cell, WS),
      formatRatio(echoRatio(cell)),
      ratioRange(cell),
      latency(cell, OURS),
      latency(cell, WS),
      cpuPerMessage(cell, OURS),
      cpuPerMessage(cell, WS),
      clientCpu(cell),
      checked(cell),
    ]),
  );
}

/** Target: decode ≥ 3× ws's pure-JS receiver for frames of 1 KiB and larger. */
export function decodeVerdict(rows: readonly CodecRow[]): Verdict {
  const sizes = codecSizes(rows).filter((s) => s >= 1024);
  const ratios = sizes.map((size) => {
    const { ratio, rounds } = pairCodec(rows, 'decode', size);
    return { size, ratio, rounds };
  });
  const met = ratios.length > 0 && ratios.every((r) => r.ratio >= 3);
  return {
    target: 'decode >= 3x ws at >= 1 KiB',
    met,
    detail: ratios
      .map((r) => `${formatSize(r.size)} ${formatRatio(r.ratio)} (rounds ${formatRange(r.rounds)})`)
      .join(', '),
  };
}

function describeCell(cell: EchoCell): string {
  return `${cell.connections}c x ${formatSize(cell.payloadSize)} x ${cell.inFlight}`;
}

/** Targets: ≥ 1.0× ws on every cell; ≥ 3× ws with 16 small (16 B) messages in flight. */
export function echoVerdicts(cells: readonly EchoCell[]): Verdict[] {
  const all = cells.map((cell) => ({ cell, ratio: echoRatio(cell) }));
  const failing = all.filter((c) => !(c.ratio >= 1));
  const worst = all.reduce<(typeof all)[number] | undefined>(
    (min, c) => (min === undefined || !(c.ratio >= min.ratio) ? c : min),
    undefined,
  );
  const every: Verdict = {
    target: 'echo >= 1.0x ws on every cell',
    met: all.length > 0 && failing.length === 0,
    detail:
      failing.length === 0
        ? `${all.length} cells, lowest ${worst ? `${formatRatio(worst.ratio)} (${describeCell(worst.cell)})` : 'n/a'}`
        : `${failing.length} of ${all.length} cells below: ${failing
            .map(
              (c) =>
                `${describeCell(c.cell)} ${formatRatio(c.ratio)} (rounds ${ratioRange(c.cell)})`,
            )
            .join(', ')}`,
  };
  const small = all.filter((c) => c.cell.inFlight === 16 && c.cell.payloadSize === 16);
  const pipelined: Verdict = {
    target: 'echo >= 3x ws with 16 small (16 B) messages in flight',
    met: small.length > 0 && small.every((c) => c.ratio >= 3),
    detail:
      small.map((c) => `${describeCell(c.cell)} ${formatRatio(c.ratio)}`).join(', ') ||
      'no such cell',
  };
  return [every, pipelined];
}

/** Not a target: the server CPU each echo cost, ws over ours, across every cell. */
export function cpuSummary(cells: readonly EchoCell[]): string {
  const advantages = cells.map(cpuAdvantage).filter(Number.isFinite);
  if (advantages.length === 0) return 'server CPU per echo: not measured (no /proc)';
  const low = Math.min(...advantages);
  const high = Math.max(...advantages);
  return `server CPU per echo (not a target): ws spends ${low.toFixed(2)}x-${high.toFixed(2)}x what ours does (median ${median(advantages).toFixed(2)}x)`;
}

export function formatVerdict(verdict: Verdict): string {
  return `${verdict.met ? 'MET   ' : 'MISSED'}  ${verdict.target}: ${verdict.detail}`;
}
