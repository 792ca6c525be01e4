/**
 * The echo benchmark's load generator: a small WebSocket client on node:net that speaks raw
 * RFC 6455 frames, so the very same client drives our server and ws's.
 *
 * Each connection keeps `inFlight` binary messages outstanding: it sends that many at once,
 * then sends one more for every echo it gets back. Every echo is checked (opcode, length,
 * the connection id and sequence number stamped in its first 8 bytes, and the remaining bytes),
 * and at the end the number of echoes must equal the number of messages sent.
 */
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { buildBinaryFrame, headerLength, pseudoRandomBytes } from './frames-ref.ts';
import { readProcessCpuMs } from './process-cpu.ts';
import {
  FrameInbox,
  maskedCloseFrame,
  OPCODE_CLOSE,
  openRawWebSocket,
  randomMaskKey,
  type ServerFrame,
} from './raw-client.ts';
import { percentileSorted } from './stats.ts';

/** Bytes 0..3 carry the connection id, 4..7 the sequence number. */
export const STAMP_BYTES = 8;
const OPCODE_BINARY = 0x2;
/** How many connections to open at once (stays well under the default listen backlog). */
const CONNECT_BATCH = 100;
const MAX_ERRORS_KEPT = 5;

export interface LoadOptions {
  host: string;
  port: number;
  connections: number;
  /** Message payload size in bytes (at least STAMP_BYTES). */
  payloadSize: number;
  inFlight: number;
  /** Unmeasured time at full load before the measured window starts. */
  warmupMs: number;
  /** Length of the measured window. */
  durationMs: number;
  /** How long to wait for the last echoes and the close handshakes. */
  settleTimeoutMs?: number;
  /** Longest warm-up while waiting for every connection's first full pipeline of echoes. */
  primeTimeoutMs?: number;
  /** The server's process id, to measure its CPU time during the window (Linux /proc). */
  serverPid?: number | undefined;
}

export interface LoadResult {
  connections: number;
  payloadSize: number;
  inFlight: number;
  /** Echoes received inside the measured window. */
  measuredMessages: number;
  measuredSeconds: number;
  msgsPerSec: number;
  /** Server CPU time (user + system) per echoed message in the window; NaN if unknown. */
  serverCpuUsPerMsg: number;
  /** This load generator's CPU use in the window (100 = one core): near 100 means client-bound. */
  clientCpuPercent: number;
  p50Ms: number;
  p99Ms: number;
  sent: number;
  echoed: number;
  /** True when every echo was right and none was missing. */
  ok: boolean;
  errorCount: number;
  errors: string[];
  /** Observations that are not errors (e.g. a slow warm-up). */
  notes: string[];
}

interface ConnState {
  id: number;
  socket: Socket;
  frameTemplate: Buffer;
  payloadOffset: number;
  mask: Buffer;
  /** The mask as one big-endian 32-bit word, to mask a 4-byte stamp word in one step. */
  maskWord: number;
  nextSendSeq: number;
  nextEchoSeq: number;
  sendTimes: number[];
  sendTimesHead: number;
  inbox: FrameInbox;
  closed: boolean;
  closeFrameSeen: boolean;
  onSettled: (() => void) | undefined;
}

/**
 * `count` messages for `conn` in one buffer, ready for one write: copies of the masked frame
 * template, each stamped with its sequence number. The stamp (id, then seq, big-endian) is
 * written masked like the rest of the payload; the mask repeats every 4 bytes, so both words
 * take it whole.
 */
function stampedFrames(conn: ConnState, count: number): Buffer {
  const template = conn.frameTemplate;
  const frames = Buffer.allocUnsafe(template.length * count);
  for (let i = 0; i < count; i++) {
    const start = i * template.length;
    template.copy(frames, start);
    const at = start + conn.payloadOffset;
    frames.writeUInt32BE((conn.id ^ conn.maskWord) >>> 0, at);
    frames.writeUInt32BE((conn.nextSendSeq++ ^ conn.maskWord) >>> 0, at + 4);
  }
  return frames;
}

/** Checks one echo against what connection `conn` sent as message `seq`; returns a problem or undefined. */
export function checkEcho(
  conn: { id: number },
  seq: number,
  echo: { opcode: number; fin: boolean; payload: Buffer },
  body: Buffer,
): string | undefined {
  if (echo.opcode !== OPCODE_BINARY || !echo.fin) {
    return `connection ${conn.id}: expected a final binary frame, got opcode ${echo.opcode}`;
  }
  const p = echo.payload;
  if (p.length !== body.length + STAMP_BYTES) {
    return `connection ${conn.id}: echo of ${p.length} bytes, sent ${body.length + STAMP_BYTES}`;
  }
  const id = p.readUInt32BE(0);
  const gotSeq = p.readUInt32BE(4);
  if (id !== conn.id || gotSeq !== seq) {
    return `connection ${conn.id}: got echo ${id}/${gotSeq}, expected ${conn.id}/${seq} (lost, duplicated or reordered)`;
  }
  if (body.compare(p, STAMP_BYTES) !== 0) {
    return `connection ${conn.id}: echo ${seq} payload bytes differ from what was sent`;
  }
  return undefined;
}

/** Runs one load cell against a WebSocket echo server at host:port. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const { connections, payloadSize, inFlight } = options;
  if (payloadSize < STAMP_BYTES) throw new RangeError(`payloadSize must be ≥ ${STAMP_BYTES}`);
  const settleTimeoutMs = options.settleTimeoutMs ?? 10_000;
  // Everything after the stamp is the same for every message; echoes are compared against it.
  const body = pseudoRandomBytes(payloadSize - STAMP_BYTES, payloadSize);
  const plainPayload = Buffer.concat([Buffer.alloc(STAMP_BYTES), body]);

  const errors: string[] = [];
  let errorCount = 0;
  const report = (message: string) => {
    errorCount++;
    if (errors.length < MAX_ERRORS_KEPT) errors.push(message);
  };

  let running = true;
  let measureStart = Number.POSITIVE_INFINITY;
  let measureEnd = Number.POSITIVE_INFINITY;
  let measured = 0;
  let primedCount = 0;
  const notes: string[] = [];
  let onPrimed: (() => void) | undefined;
  const primeTimeoutMs = options.primeTimeoutMs ?? 15_000;
  let sent = 0;
  let echoed = 0;
  const latencies: number[] = [];
  const conns: ConnState[] = [];

  const settleIfDone = (conn: ConnState) => {
    if (conn.onSettled && (conn.closed || conn.nextEchoSeq === conn.nextSendSeq)) {
      const done = conn.onSettled;
      conn.onSettled = undefined;
      done();
    }
  };

  const onData = (conn: ConnState, chunk: Buffer) => {
    conn.inbox.push(chunk);
    const now = performance.now();
    let replies = 0;
    for (;;) {
      let frame: ServerFrame | undefined;
      try {
        frame = conn.inbox.take();
      } catch (error) {
        report(`connection ${conn.id}: ${(error as Error).message}`);
        conn.socket.destroy();
        return;
      }
      if (!frame) break;
      if (frame.opcode === OPCODE_CLOSE) {
        conn.closeFrameSeen = true;
        continue;
      }
      if (conn.nextEchoSeq >= conn.nextSendSeq) {
        report(`connection ${conn.id}: echo arrived for a message that was never sent`);
        continue;
      }
      const problem = checkEcho(conn, conn.nextEchoSeq, frame, body);
      if (problem) report(problem);
      const sentAt = conn.sendTimes[conn.sendTimesHead++] ?? now;
      if (conn.sendTimesHead > 1024) {
        conn.sendTimes = conn.sendTimes.slice(conn.sendTimesHead);
        conn.sendTimesHead = 0;
      }
      conn.nextEchoSeq++;
      echoed++;
      if (conn.nextEchoSeq === inFlight && ++primedCount === connections) onPrimed?.();
      if (now >= measureStart && now < measureEnd) {
        measured++;
        latencies.push(now - sentAt);
      }
      if (running) replies++;
    }
    if (replies > 0) send(conn, replies, now);
    settleIfDone(conn);
  };

  // Every reply a read calls for goes out in one buffer and one write, like any sensible
  // client: the generator must not be what limits a fast server (its CPU use is reported).
  const send = (conn: ConnState, count: number, now: number) => {
    for (let i = 0; i < count; i++) conn.sendTimes.push(now);
    sent += count;
    conn.socket.write(stampedFrames(conn, count));
  };

  try {
    for (let first = 0; first < connections; first += CONNECT_BATCH) {
      const batch = Array.from({ length: Math.min(CONNECT_BATCH, connections - first) }, (_, i) =>
        openRawWebSocket(options.host, options.port).then(({ socket, rest }) => {
          const id = first + i + 1;
          const mask = randomMaskKey();
          const conn: ConnState = {
            id,
            socket,
            frameTemplate: buildBinaryFrame(plainPayload, mask),
            payloadOffset: headerLength(payloadSize, true),
            mask,
            maskWord: mask.readUInt32BE(0),
            nextSendSeq: 0,
            nextEchoSeq: 0,
            sendTimes: [],
            sendTimesHead: 0,
            inbox: new FrameInbox(),
            closed: false,
            closeFrameSeen: false,
            onSettled: undefined,
          };
          conns.push(conn);
          socket.on('data', (chunk: Buffer) => onData(conn, chunk));
          socket.on('error', (error) => {
            if (running) report(`connection ${id}: socket error ${error.message}`);
          });
          socket.on('close', () => {
            conn.closed = true;
            if (running) report(`connection ${id}: server closed the connection mid-run`);
            settleIfDone(conn);
          });
          if (rest.length > 0) onData(conn, rest);
        }),
      );
      // allSettled: a failed handshake must not leave its siblings' sockets unclosed.
      const failed = (await Promise.allSettled(batch)).find((r) => r.status === 'rejected');
      if (failed) throw (failed as PromiseRejectedResult).reason;
    }

    // Warm-up: at least warmupMs, and until every connection has had a full pipeline of
    // echoes back, so the window measures steady state even when one turn takes seconds.
    const primed = new Promise<void>((resolve) => {
      onPrimed = resolve;
    });
    const start = performance.now();
    for (const conn of conns) send(conn, inFlight, start);
    await Promise.all([sleep(options.warmupMs), Promise.race([primed, sleep(primeTimeoutMs)])]);
    if (primedCount < connections) {
      // Slow, not wrong: told to the reader, but it does not fail the run.
      notes.push(
        `${connections - primedCount} connections got no full pipeline of echoes in ${primeTimeoutMs} ms`,
      );
    }
    measureStart = performance.now();
    measureEnd = measureStart + options.durationMs;
    const serverCpuBefore = readProcessCpuMs(options.serverPid);
    const clientCpuBefore = process.cpuUsage();
    await sleep(options.durationMs);
    const serverCpuMs = readProcessCpuMs(options.serverPid) - serverCpuBefore;
    const clientCpu = process.cpuUsage(clientCpuBefore);
    running = false;
    const measuredSeconds = (Math.min(performance.now(), measureEnd) - measureStart) / 1000;
    const clientCpuMs = (clientCpu.user + clientCpu.system) / 1000;

    // Let every outstanding echo arrive, bounded in time.
    await settleAll(
      conns,
      settleTimeoutMs,
      (conn) => {
        conn.onSettled = undefined;
      },
      settleIfDone,
    );
    for (const conn of conns) {
      if (!conn.closed && conn.nextEchoSeq !== conn.nextSendSeq) {
        report(
          `connection ${conn.id}: ${conn.nextSendSeq - conn.nextEchoSeq} echoes still missing after ${settleTimeoutMs} ms`,
        );
      }
    }

    const sorted = Float64Array.from(latencies).sort();
    return {
      connections,
      payloadSize,
      inFlight,
      measuredMessages: measured,
      measuredSeconds,
      msgsPerSec: measured / measuredSeconds,
      serverCpuUsPerMsg: (serverCpuMs * 1000) / measured,
      clientCpuPercent: clientCpuMs / 10 / measuredSeconds,
      p50Ms: percentileSorted(sorted, 50),
      p99Ms: percentileSorted(sorted, 99),
      sent,
      echoed,
      ok: errorCount === 0 && sent === echoed,
      errorCount,
      errors,
      notes,
    };
  } finally {
    running = false;
    await closeAll(conns, Math.min(settleTimeoutMs, 3000));
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits until every connection has all its echoes (or closed), at most `timeoutMs`. */
async function settleAll(
  conns: ConnState[],
  timeoutMs: number,
  giveUp: (conn: ConnState) => void,
  check: (conn: ConnState) => void,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
  });
  const waits = conns.map(
    (conn) =>
      new Promise<void>((resolve) => {
        conn.onSettled = resolve;
        check(conn);
      }),
  );
  await Promise.race([Promise.all(waits), timeout]);
  clearTimeout(timer);
  for (const conn of conns) giveUp(conn);
}

/** Close handshake on every connection (masked 1000), then destroy whatever is left. */
async function closeAll(conns: ConnState[], timeoutMs: number): Promise<void> {
  await Promise.all(
    conns.map(
      (conn) =>
        new Promise<void>((resolve) => {
          if (conn.closed || conn.socket.destroyed) {
            resolve();
            return;
          }
          const timer = setTimeout(() => conn.socket.destroy(), timeoutMs);
          conn.socket.once('close', () => {
            clearTimeout(timer);
            resolve();
          });
          conn.socket.end(maskedCloseFrame(conn.mask));
        }),
    ),
  );
}
