/**
 * Turns benchmark results into tables of ours/opponent ratios and one verdict line per target.
 * There are two opponents, both `ws`: on its pure-JavaScript masking loops (WS), and with its
 * native `bufferutil` addon (WS_NATIVE). Each gets its own table.
 */
import { formatTable } from '@course/course-kit';
import type { CodecRow } from './codec.ts';
import type { Side } from './codec-variants.ts';
import type { EchoCell } from './echo.ts';
import { formatRatio, formatSize, median, round } from './stats.ts';

export const OURS = 'ours';
export const WS = 'ws';
export const WS_NATIVE = 'ws+bufferutil';

/** An opponent: ws's JS paths or ws with bufferutil (also the codec `side` and echo name). */
export type Opponent = Exclude<Side, 'ours'>;

/** Column labels, short enough to keep the tables under a terminal's width. */
const LABEL: Record<Opponent, string> = { ws: 'ws', 'ws+bufferutil': 'ws+bu' };

export interface Verdict {
  target: string;
  met: boolean;
  detail: string;
}

function pairCodec(
  rows: readonly CodecRow[],
  op: CodecRow['op'],
  size: number,
  against: Opponent = WS,
) {
  const ours = rows.find((r) => r.op === op && r.size === size && r.side === 'ours');
  const ws = rows.find((r) => r.op === op && r.size === size && r.side === against);
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

export function formatCodecTable(rows: readonly CodecRow[], against: Opponent = WS): string {
  const table: (string | number)[][] = [];
  for (const op of ['decode', 'encode'] as const) {
    for (const size of codecSizes(rows)) {
      const { ours, ws, ratio, rounds } = pairCodec(rows, op, size, against);
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
  const them = LABEL[against];
  const header = ['op', 'frame', 'frames', 'ours MB/s', `${them} MB/s`, 'ours frames/s'];
  return formatTable([...header, `${them} frames/s`, `ours/${them}`, 'rounds'], table);
}

/** ours/opponent for each round (NaN where either side failed). */
export function roundRatios(cell: EchoCell, against: Opponent = WS): number[] {
  const ours = cell.rounds[OURS] ?? [];
  const ws = cell.rounds[against] ?? [];
  return ours.map((rate, i) => rate / (ws[i] ?? Number.NaN));
}

/**
 * The cell's ratio: the median of the per-round ratios. Pairing each round with its neighbour
 * cancels slow swings in machine load that a ratio of two medians would not.
 */
export function echoRatio(cell: EchoCell, against: Opponent = WS): number {
  const ours = cell.results[OURS];
  const ws = cell.results[against];
  if (!ours?.ok || !ws?.ok) return Number.NaN;
  const ratios = roundRatios(cell, against).filter(Number.isFinite);
  return ratios.length > 0 ? median(ratios) : ours.msgsPerSec / ws.msgsPerSec;
}

function ratioRange(cell: EchoCell, against: Opponent = WS): string {
  return formatRange(roundRatios(cell, against).filter(Number.isFinite));
}

/** How many times more server CPU the opponent spent per echo than we did. */
export function cpuAdvantage(cell: EchoCell, against: Opponent = WS): number {
  const ours = cell.results[OURS];
  const ws = cell.results[against];
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

function checked(cell: EchoCell, against: Opponent): string {
  const results = Object.entries(cell.results).filter(
    ([name]) => name === OURS || name === against,
  );
  const bad = results.filter(([, r]) => !r.ok);
  if (bad.length > 0) return bad.map(([name, r]) => `${name}: ${r.errorCount} BAD`).join(', ');
  return `all ${results.reduce((sum, [, r]) => sum + r.echoed, 0)} ok`;
}

export function formatEchoTable(cells: readonly EchoCell[], against: Opponent = WS): string {
  const them = LABEL[against];
  const header = ['conns', 'size', 'in flight', 'ours msg/s', `${them} msg/s`];
  return formatTable(
    [
      ...header,
      `ours/${them}`,
      'rounds',
      'ours p50/p99 ms',
      `${them} p50/p99 ms`,
      'ours cpu us/msg',
      `${them} cpu us/msg`,
      'client cpu %',
      'echoes checked',
    ],
    cells
      .filter((cell) => cell.results[against] !== undefined)
      .map((cell) => [
        cell.connections,
        formatSize(cell.payloadSize),
        cell.inFlight,
        rate(cell, OURS),
        rate(cell, against),
        formatRatio(echoRatio(cell, against)),
        ratioRange(cell, against),
        latency(cell, OURS),
        latency(cell, against),
        cpuPerMessage(cell, OURS),
        cpuPerMessage(cell, against),
        clientCpu(cell),
        checked(cell, against),
      ]),
  );
}

/** Decode throughput at each of `sizes` must be at least `minimum` times the opponent's. */
function decodeTarget(
  rows: readonly CodecRow[],
  target: string,
  against: Opponent,
  minimum: number,
  sizes: readonly number[],
): Verdict {
  const ratios = sizes.map((size) => ({ size, ...pairCodec(rows, 'decode', size, against) }));
  return {
    target,
    met: ratios.length > 0 && ratios.every((r) => r.ratio >= minimum),
    detail: ratios
      .map((r) => `${formatSize(r.size)} ${formatRatio(r.ratio)} (rounds ${formatRange(r.rounds)})`)
      .join(', '),
  };
}

/** Target: decode ≥ 3× ws's pure-JS receiver for frames of 1 KiB and larger. */
export function decodeVerdict(rows: readonly CodecRow[]): Verdict {
  const sizes = codecSizes(rows).filter((s) => s >= 1024);
  return decodeTarget(rows, 'decode >= 3x ws at >= 1 KiB', WS, 3, sizes);
}

/** Target: decode ≥ 1.5× ws with bufferutil for 64 KiB and 1 MiB frames. */
export function nativeDecodeVerdict(rows: readonly CodecRow[]): Verdict {
  const sizes = codecSizes(rows).filter((s) => s === 64 * 1024 || s === 1024 * 1024);
  const target = `decode >= 1.5x ${WS_NATIVE} at 64 KiB and 1 MiB`;
  return decodeTarget(rows, target, WS_NATIVE, 1.5, sizes);
}

function describeCell(cell: EchoCell): string {
  return `${cell.connections}c x ${formatSize(cell.payloadSize)} x ${cell.inFlight}`;
}

/** ours/opponent must be at least `minimum` in every one of `cells`. */
function everyCell(
  cells: readonly EchoCell[],
  target: string,
  against: Opponent,
  minimum: number,
): Verdict {
  const all = cells.map((cell) => ({ cell, ratio: echoRatio(cell, against) }));
  const failing = all.filter((c) => !(c.ratio >= minimum));
  const worst = all.reduce<(typeof all)[number] | undefined>(
    (min, c) => (min === undefined || !(c.ratio >= min.ratio) ? c : min),
    undefined,
  );
  const describe = (c: (typeof all)[number]) =>
    `${describeCell(c.cell)} ${formatRatio(c.ratio)} (rounds ${ratioRange(c.cell, against)})`;
  return {
    target,
    met: all.length > 0 && failing.length === 0,
    detail:
      all.length === 0
        ? 'no such cell in this matrix'
        : failing.length === 0
          ? `${all.length} cells, lowest ${worst ? describe(worst) : 'n/a'}`
          : `${failing.length} of ${all.length} cells below: ${failing.map(describe).join(', ')}`,
  };
}

/** Targets: ≥ 1.0× ws on every cell; ≥ 3× ws with 16 small (16 B) messages in flight. */
export function echoVerdicts(cells: readonly EchoCell[]): Verdict[] {
  const every = everyCell(cells, 'echo >= 1.0x ws on every cell', WS, 1);
  const small = cells
    .filter((cell) => cell.inFlight === 16 && cell.payloadSize === 16)
    .map((cell) => ({ cell, ratio: echoRatio(cell) }));
  const pipelined: Verdict = {
    target: 'echo >= 3x ws with 16 small (16 B) messages in flight',
    met: small.length > 0 && small.every((c) => c.ratio >= 3),
    detail:
      small.map((c) => `${describeCell(c.cell)} ${formatRatio(c.ratio)}`).join(', ') ||
      'no such cell',
  };
  return [every, pipelined];
}

/** Target: ≥ 1.0× ws with bufferutil on every 64 KiB cell, where unmasking dominates. */
export function nativeEchoVerdict(cells: readonly EchoCell[]): Verdict {
  const large = cells.filter((c) => c.payloadSize === 64 * 1024 && c.results[WS_NATIVE]);
  return everyCell(large, `echo >= 1.0x ${WS_NATIVE} on the 64 KiB cells`, WS_NATIVE, 1);
}

/** Not a target: the server CPU each echo cost, the opponent's over ours, across every cell. */
export function cpuSummary(cells: readonly EchoCell[], against: Opponent = WS): string {
  const advantages = cells.map((cell) => cpuAdvantage(cell, against)).filter(Number.isFinite);
  if (advantages.length === 0) return `server CPU per echo vs ${against}: not measured (no /proc)`;
  const low = Math.min(...advantages);
  const high = Math.max(...advantages);
  return `server CPU per echo (not a target): ${against} spends ${low.toFixed(2)}x-${high.toFixed(2)}x what ours does (median ${median(advantages).toFixed(2)}x)`;
}

export function formatVerdict(verdict: Verdict): string {
  return `${verdict.met ? 'MET   ' : 'MISSED'}  ${verdict.target}: ${verdict.detail}`;
}
