/**
 * A load generator for one chat room: N members join, S of them send timestamped lines, and
 * every member counts and times what it receives.
 *
 *   deliveries/s   chat lines received in the measured window, summed over all members
 *                  (chapter 3.1's hub sends each line to every member, its sender included)
 *   latency        send → receive per delivery; sender and receivers share this process's clock
 *   dropped        deliveries the server skipped for a member that was behind and then reported
 *                  to it as {type:'dropped', count}: counted, never ignored
 *
 * Pacing: each sender keeps at most `inFlight` of its own lines unanswered (its own copy coming
 * back is the answer), and, given `linesPerSecond`, never sends ahead of that rate. The rate
 * must stay within the server's line budget (3.1's limits.ts closes a faster member with 1008).
 *
 * Joining: the first member sends "hello" lines until one has reached every member, so nobody
 * is measured before the room's fan-out includes it.
 *
 * Accounting: when the window ends, every sender sends a "fence" line. TCP keeps each sender's
 * lines in order and the hub sends every member its lines in the order it broadcast them, so a
 * member that has a fence from each sender has received, or been told it missed, every line
 * sent before. A fence the server dropped is followed by another round.
 *
 * Bounded: at most MAX_MEMBERS clients, a window of at most MAX_WINDOW_MS, every wait with a
 * time limit, and every socket closed (or destroyed) before the run returns or throws.
 */
import { type ChatEvent, decodeChatEvent } from '@course/chapter-3.1/chat/messages';
import { connect, type WebSocketConnection } from '@course/ws-core';
import { LoadError } from './errors.ts';
import { LatencyHistogram } from './latency.ts';
import {
  type ClosedEarly,
  fencesIn,
  type MemberTally,
  newLedger,
  noteFence,
  noteLine,
  type SenderTally,
  totals,
} from './ledger.ts';
import { pollUntil, sleep } from './waits.ts';

export const MAX_MEMBERS = 500;
export const MAX_SENDERS = 32;
export const MAX_IN_FLIGHT = 64;
/**
 * Lines each sender keeps going by default: deep enough that a hop's latency (through Redis,
 * or a busy machine's scheduling) does not cap what a server is given to do.
 */
export const DEFAULT_IN_FLIGHT = 32;
export const MAX_WINDOW_MS = 60_000;
/** Handshakes in flight at once: well inside a listen backlog of 511. */
const OPEN_BATCH = 50;
const HANDSHAKE_TIMEOUT_MS = 10_000;
const SETTLE_TIMEOUT_MS = 20_000;
/** Hello lines sent before giving up on a room that does not reach all its members. */
const HELLO_ROUNDS = 10;
const HELLO_WAIT_MS = 1_000;
const FENCE_ROUNDS = 3;
const FENCE_TIMEOUT_MS = 5_000;
const CLOSE_TIMEOUT_MS = 5_000;
/** How often paced senders look at the clock. */
const PACE_MS = 5;

/** CPU time in µs of processes other than this one; undefined when it cannot be read. */
export type CpuReader = () => Promise<number | undefined> | number | undefined;

export interface ChatLoadOptions {
  /** The chat endpoint, e.g. ws://127.0.0.1:8080/chat; `?nick=…&room=…` is added. */
  chatUrl: string;
  members: number;
  senders: number;
  /** The measured window. */
  windowMs: number;
  /** Sending before the window opens, so connections and JIT are warm (default 300 ms). */
  warmupMs?: number;
  /** Unanswered lines per sender (default DEFAULT_IN_FLIGHT). */
  inFlight?: number;
  /** Lines per second per sender; leave out for "as fast as the in-flight limit allows". */
  linesPerSecond?: number;
  /** The room to load (default a fresh one per run). */
  room?: string;
  /** Reads the server's CPU time in µs (all its processes), at the window's start and end. */
  serverCpuMicros?: CpuReader;
  /** The same for a broker between server processes (redis-server). */
  brokerCpuMicros?: CpuReader;
  signal?: AbortSignal;
}

/** A type, not an interface: a section returns it as a row of `results`, which takes any field. */
export type ChatLoadResult = {
  members: number;
  senders: number;
  windowMs: number;
  /** Lines sent in the window, per second, all senders together. */
  linesPerSecond: number;
  deliveriesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** The whole run (warm-up, window and fences): lines sent, lines received by all members. */
  lines: number;
  deliveries: number;
  dropped: number;
  /** lines × members − deliveries − dropped, over the members still there; 0 when all add up. */
  unaccounted: number;
  outOfOrder: number;
  /** Lines in the room that were not ours, and frames that were not chat events. */
  foreign: number;
  /** `notice` events: the chat saying something about itself (a relay between servers down…). */
  notices: number;
  /** Members the server closed during the run (too slow, too fast, shutting down…). */
  closedEarly: number;
  /**
   * CPU in the window in % of one core: this process's, and the server's and the broker's when
   * they could be read (null when not).
   */
  loadCpuPercent: number;
  serverCpuPercent: number | null;
  brokerCpuPercent: number | null;
};

let runs = 0;

export async function runChatLoad(options: ChatLoadOptions): Promise<ChatLoadResult> {
  const { members, senders, windowMs, signal } = options;
  const inFlight = options.inFlight ?? DEFAULT_IN_FLIGHT;
  const rate = options.linesPerSecond;
  checkBounds(members, senders, windowMs, inFlight, rate);
  const warmupMs = options.warmupMs ?? 300;
  if (!(warmupMs >= 0 && warmupMs <= MAX_WINDOW_MS))
    throw new RangeError(`warmupMs must be from 0 to ${MAX_WINDOW_MS}, not ${warmupMs}`);
  /** ms between two lines of one sender; 0 for no rate. */
  const interval = rate === undefined ? 0 : 1000 / rate;
  const room = options.room ?? `load-${process.pid}-${++runs}`;
  const ledger = newLedger(members, senders);
  const latencies = new LatencyHistogram();
  const conns: WebSocketConnection[] = [];
  const phase = {
    /** From the last hello on: drops reported from then on are of measured lines. */
    counting: false,
    sending: false,
    window: false,
    closing: false,
    lines: 0,
    deliveries: 0,
  };

  /**
   * Sends what a sender may send now: under its in-flight limit and, at a rate, one line per
   * 1/rate s. A sender held up (a busy event loop) does not catch up in a burst afterwards: the
   * server's budget per member has a burst too, and a catch-up could overrun it.
   */
  const pump = (sender: SenderTally) => {
    const conn = conns[sender.member.index];
    if (!phase.sending || conn === undefined || sender.member.closed) return;
    while (sender.outstanding < inFlight) {
      const now = performance.now();
      if (interval > 0) {
        if (now < sender.notBefore) return;
        sender.notBefore = Math.max(sender.notBefore, now) + interval;
      }
      conn.send(`L ${sender.member.index} ${sender.sent} ${now.toFixed(3)}`);
      sender.sent++;
      sender.outstanding++;
      if (phase.window) phase.lines++;
    }
  };

  /**
   * Our lines: "L sender seq sentAt" (measured), "F sender round" (fences), "H 0 round"
   * (hellos, before measuring); anything else is someone else's.
   */
  const onLine = (member: MemberTally, text: string) => {
    const now = performance.now();
    const [kind, first, second, third] = text.split(' ');
    const s = Number(first);
    const sender = ledger.senders[s];
    if (sender === undefined) {
      ledger.foreign++;
    } else if (kind === 'H') {
      member.greeted = Math.max(member.greeted, Number(second));
    } else if (kind === 'F') {
      noteFence(member, s, Number(second));
    } else if (kind !== 'L') {
      ledger.foreign++;
    } else if (noteLine(ledger, member, s, Number(second))) {
      if (phase.window) {
        latencies.record(now - Number(third));
        phase.deliveries++;
      }
      if (sender.member === member) {
        sender.outstanding = Math.max(0, sender.outstanding - 1);
        pump(sender);
      }
    }
  };

  const attach = (conn: WebSocketConnection, member: MemberTally) => {
    conn.on('error', () => {}); // its 'close' follows, with the code that says why
    conn.on('close', (code, reason) => {
      member.closed = true;
      if (!phase.closing) ledger.closedEarly.push({ member: member.index, code, reason });
    });
    const sender = ledger.senders[member.index];
    conn.on('message', (data) => {
      const event = parseEvent(data);
      if (event === undefined) ledger.foreign++;
      else if (event.type === 'message') onLine(member, event.text);
      else if (event.type === 'welcome') member.welcomed = true;
      // A string compare: 'notice' is an event only servers that relay between processes send.
      else if ((event.type as string) === 'notice') ledger.notices++;
      else if (event.type === 'dropped') {
        // Before the last hello, what was dropped were join notices and hellos: not our lines.
        if (phase.counting) member.dropped += event.count;
        // Some of the missed lines may have been this sender's own: stop waiting for them.
        if (sender) sender.outstanding = Math.max(0, sender.outstanding - event.count);
      }
    });
  };

  const pacer = setInterval(() => {
    for (const sender of ledger.senders) pump(sender);
  }, PACE_MS);
  try {
    // 1. Join: senders first, in batches, then wait until a line reaches every member.
    for (let start = 0; start < members; start += OPEN_BATCH) {
      if (signal?.aborted) throw new LoadError('the load run was interrupted');
      const batch = ledger.members.slice(start, start + OPEN_BATCH).map((member) => {
        const url = `${options.chatUrl}?nick=m${member.index}&room=${encodeURIComponent(room)}`;
        return connect(url, { handshakeTimeout: HANDSHAKE_TIMEOUT_MS }).then(
          (conn) => {
            conns[member.index] = conn;
            attach(conn, member);
          },
          (error: Error) => {
            throw new LoadError(
              `member ${member.index + 1} of ${members} could not join: ${error.message}`,
            );
          },
        );
      });
      await settleAll(batch);
    }
    /** A check for pollUntil: every member is welcomed, and none has been closed meanwhile. */
    const refusal = () => {
      const refused = ledger.closedEarly[0];
      if (refused) throw refusedError(refused, members);
    };
    await pollUntil(
      () => {
        refusal();
        return ledger.members.every((member) => member.welcomed);
      },
      SETTLE_TIMEOUT_MS,
      `all ${members} members to be welcomed to room ${room}`,
      signal,
    );
    // A member is in the room when a line reaches it: hello lines until one has reached every
    // member. (Counting join notices would not do: with several servers, each may count only
    // its own members.) A drop reported to a member before that hello was of a join notice
    // or an earlier hello, so counting drops starts there.
    for (let round = 0; ; round++) {
      conns[0]?.send(`H 0 ${round}`);
      try {
        await pollUntil(
          () => {
            refusal();
            return ledger.members.every((member) => member.greeted === round);
          },
          HELLO_WAIT_MS,
          `hello line ${round + 1} to reach every member`,
          signal,
        );
        phase.counting = true;
        break;
      } catch (error) {
        if (error instanceof LoadError) throw error;
        if (round + 1 === HELLO_ROUNDS) {
          const missing = ledger.members.filter((member) => member.greeted < round).length;
          throw new LoadError(
            `after ${HELLO_ROUNDS} hello lines, ${missing} of ${members} members had not received the last one: the chat does not reach every member of room ${room}`,
          );
        }
      }
    }

    // 2. Send: a warm-up, then the measured window.
    phase.sending = true;
    for (const sender of ledger.senders) pump(sender);
    await sleep(warmupMs, signal);
    const serverBefore = await probe(options.serverCpuMicros);
    const brokerBefore = await probe(options.brokerCpuMicros);
    const loadBefore = process.cpuUsage();
    const windowStart = performance.now();
    phase.window = true;
    await sleep(windowMs, signal);
    phase.window = false;
    const windowEnd = performance.now();
    const loadCpu = process.cpuUsage(loadBefore);
    phase.sending = false;
    const serverAfter = await probe(options.serverCpuMicros);
    const brokerAfter = await probe(options.brokerCpuMicros);

    // 3. Account: fences until every member has heard the last of every sender.
    for (let round = 0; round < FENCE_ROUNDS; round++) {
      if (await fenceRound(round)) break;
    }
    const windowMsTaken = windowEnd - windowStart;
    return {
      members,
      senders,
      windowMs: Math.round(windowMsTaken),
      linesPerSecond: (phase.lines * 1000) / windowMsTaken,
      deliveriesPerSecond: (phase.deliveries * 1000) / windowMsTaken,
      p50Ms: latencies.percentile(50),
      p99Ms: latencies.percentile(99),
      maxMs: latencies.max,
      ...totals(ledger),
      outOfOrder: ledger.outOfOrder,
      foreign: ledger.foreign,
      notices: ledger.notices,
      closedEarly: ledger.closedEarly.length,
      loadCpuPercent: percentOfCore((loadCpu.user + loadCpu.system) / 1000, windowMsTaken),
      serverCpuPercent: cpuBetween(serverBefore, serverAfter),
      brokerCpuPercent: cpuBetween(brokerBefore, brokerAfter),
    };
  } finally {
    clearInterval(pacer);
    phase.sending = false;
    phase.closing = true;
    await closeAll(conns);
  }

  /** One fence from every sender still there; true once every member has them all. */
  async function fenceRound(round: number): Promise<boolean> {
    for (const sender of ledger.senders) {
      if (sender.member.closed) continue;
      conns[sender.member.index]?.send(`F ${sender.member.index} ${round}`);
      sender.sent++;
    }
    try {
      await pollUntil(
        () => fencesIn(ledger, round),
        FENCE_TIMEOUT_MS,
        `round ${round + 1} of fence lines`,
        signal,
      );
      return true;
    } catch (error) {
      if (signal?.aborted) throw error;
      return false; // a member missed a fence: the next round's tells it so
    }
  }
}

const percentOfCore = (cpuMs: number, wallMs: number) => (cpuMs / wallMs) * 100;

function checkBounds(
  members: number,
  senders: number,
  windowMs: number,
  inFlight: number,
  rate: number | undefined,
): void {
  const whole = (name: string, value: number, min: number, max: number) => {
    if (!Number.isInteger(value) || value < min || value > max)
      throw new RangeError(`${name} must be a whole number from ${min} to ${max}, not ${value}`);
  };
  whole('members', members, 1, MAX_MEMBERS);
  whole('senders', senders, 1, Math.min(members, MAX_SENDERS));
  whole('windowMs', windowMs, 1, MAX_WINDOW_MS);
  whole('inFlight', inFlight, 1, MAX_IN_FLIGHT);
  if (rate !== undefined && !(rate > 0 && Number.isFinite(rate)))
    throw new RangeError(`linesPerSecond must be a positive number, not ${rate}`);
}

/** A chat event, or undefined for a frame that is not one (binary, not JSON, no type). */
function parseEvent(data: string | Buffer): ChatEvent | undefined {
  if (typeof data !== 'string') return undefined;
  try {
    return decodeChatEvent(data);
  } catch {
    return undefined;
  }
}

/** Waits for every handshake of a batch, then throws the first failure, if any. */
async function settleAll(batch: Promise<void>[]): Promise<void> {
  const outcomes = await Promise.allSettled(batch);
  const failed = outcomes.find((outcome) => outcome.status === 'rejected');
  if (failed) throw failed.reason;
}

function refusedError(closed: ClosedEarly, members: number): LoadError {
  return new LoadError(
    `member ${closed.member + 1} of ${members} was closed with ${closed.code} (${closed.reason || 'no reason'}) before the room was full; the server's limits on members per address, joins or room size are below ${members}`,
  );
}

interface CpuReading {
  micros: number;
  /** When it was read: the middle of the request's round trip. */
  at: number;
}

async function probe(read: CpuReader | undefined): Promise<CpuReading | undefined> {
  if (read === undefined) return undefined;
  const asked = performance.now();
  const micros = await read();
  return micros === undefined ? undefined : { micros, at: (asked + performance.now()) / 2 };
}

/**
 * The share of one core used between two readings, or null when it cannot be told. A reading
 * that did not move is not "no CPU": a process that relayed the window's lines spent some, and
 * /proc counts CPU in 10 ms ticks, so a short window on a busy machine can see none of them.
 */
function cpuBetween(before: CpuReading | undefined, after: CpuReading | undefined): number | null {
  if (before === undefined || after === undefined) return null;
  if (after.micros === before.micros) return null;
  return percentOfCore((after.micros - before.micros) / 1000, after.at - before.at);
}

/** Closes every connection with 1000, then destroys what has not closed in time. */
async function closeAll(conns: readonly (WebSocketConnection | undefined)[]): Promise<void> {
  const open = conns.filter((conn): conn is WebSocketConnection => conn !== undefined);
  for (const conn of open) conn.close(1000, 'load run over');
  try {
    await pollUntil(
      () => open.every((conn) => conn.readyState === 'closed'),
      CLOSE_TIMEOUT_MS,
      'the load connections to close',
    );
  } catch {
    for (const conn of open) conn.terminate();
  }
}
