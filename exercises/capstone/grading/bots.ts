/**
 * The grader's players: a server started in a process of its own, and bots that join it over
 * the `ws` client, acknowledge every state they read (as the protocol asks), and remember what
 * arrived when — so a failure can say what the bots saw. Every wait is bounded and names what
 * it waited for; everything started here is stopped by `Stoppables.stopAll()`.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import type {
  Cell,
  ErrorReply,
  Move,
  PathReply,
  ServerMessage,
  State,
  Welcome,
} from './protocol.ts';

/** Things a test started, stopped after it in reverse order, whatever happened. */
export class Stoppables {
  private readonly stops: Array<() => unknown> = [];

  add(stop: () => unknown): void {
    this.stops.push(stop);
  }

  async stopAll(): Promise<void> {
    for (const stop of this.stops.splice(0).reverse()) {
      try {
        await stop();
      } catch {
        // stopping the rest matters more than one that failed to stop
      }
    }
  }
}

// ─── The server's process ───────────────────────────────────────────────────────────────────

const CHILD = fileURLToPath(new URL('./server.child.ts', import.meta.url));
/**
 * The child runs with tsx registered for the whole process (`--import tsx`), so the server's
 * module sees its own plain file URL in import.meta.url — the URL it hands its workers.
 */
const TSX = createRequire(import.meta.url).resolve('tsx');
/** Names the module whose startGameServer() the child runs (read in server.child.ts). */
const SERVER_MODULE_ENV = 'COURSE_SERVER_MODULE';
const START_LIMIT_MS = 30_000;
const STOP_LIMIT_MS = 5_000;

/** A game server running in a child process: yours or the reference. */
export class ServerProcess {
  private output = '';
  private exit: string | undefined;

  private constructor(
    readonly label: string,
    readonly port: number,
  ) {}

  /** Starts `module`'s startGameServer() in a child process; rejects saying why it could not. */
  static start(module: URL, label: string, stoppables: Stoppables): Promise<ServerProcess> {
    const child = fork(CHILD, [], {
      execArgv: ['--import', TSX],
      env: { ...process.env, [SERVER_MODULE_ENV]: module.href },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    stoppables.add(() => stopChild(child));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => fail(`${label} did not start listening within ${START_LIMIT_MS / 1000} s`),
        START_LIMIT_MS,
      );
      const fail = (why: string) => {
        clearTimeout(timer);
        const said = lastLines(output);
        reject(new Error(said ? `${why}; it printed: ${said}` : why));
      };
      child.on('message', (message: { kind?: string; port?: number; error?: string }) => {
        if (message.kind === 'failed') fail(`${label} could not start: ${message.error}`);
        if (message.kind !== 'listening') return;
        clearTimeout(timer);
        const server = new ServerProcess(label, message.port as number);
        child.stdout?.off('data', keep);
        child.stderr?.off('data', keep);
        server.output = output;
        const more = (chunk: Buffer) => {
          server.output = (server.output + chunk.toString()).slice(-4000);
        };
        child.stdout?.on('data', more);
        child.stderr?.on('data', more);
        child.once('exit', (code, signal) => {
          server.exit = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        });
        resolve(server);
      });
      child.once('exit', (code, signal) =>
        fail(
          `${label} ${signal ? `was killed by ${signal}` : `exited with code ${code}`} before listening`,
        ),
      );
    });
  }

  /** "" while it runs; else how it ended and the last lines it printed, for failure messages. */
  get ending(): string {
    if (!this.exit) return '';
    const said = lastLines(this.output);
    return ` (the server process ${this.exit}${said ? `; it printed: ${said}` : ''})`;
  }
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-6).join(' | ').slice(-600);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  // A child already on its way out can close the channel under us: send() then fails with
  // EPIPE, which without a callback is an unhandled 'error'. The exit is awaited either way.
  if (child.connected) child.send({ kind: 'stop' }, () => {});
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_LIMIT_MS);
  await exited;
  clearTimeout(timer);
}

// ─── Bots ───────────────────────────────────────────────────────────────────────────────────

export const WAIT_MS = 5_000;

/** One state as a bot read it: its tick, when it was read, and what it held. */
export interface Arrival {
  tick: number;
  at: number;
  state: State;
}

export interface BotOptions {
  /** Acknowledge each state with an input (default true): what a client that reads does. */
  acknowledge?: boolean;
  /** Keep every state read (default false: only ticks and times, the latest state in full). */
  keepStates?: boolean;
}

export class Bot {
  readonly arrivals: Arrival[] = [];
  readonly errors: string[] = [];
  readonly paths = new Map<number, number>();
  welcome: Welcome | undefined;
  latest: State | undefined;
  /** The direction each acknowledgement carries. */
  move: Move | null = null;
  closed: { code: number; reason: string } | undefined;
  private readonly waiters = new Set<() => void>();

  private constructor(
    readonly name: string,
    readonly ws: WebSocket,
    private readonly server: ServerProcess,
    private readonly options: BotOptions,
  ) {
    ws.on('message', (data, isBinary) => this.receive(String(data), isBinary));
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.wake();
    });
    ws.on('error', () => {}); // shows up as a close, which the waits name
  }

  /** Opens a connection (without joining). */
  static async connect(
    server: ServerProcess,
    name: string,
    stoppables: Stoppables,
    options: BotOptions = {},
  ): Promise<Bot> {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/`);
    stoppables.add(() => ws.terminate());
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `${name} could not open a WebSocket within ${WAIT_MS / 1000} s${server.ending}`,
            ),
          ),
        WAIT_MS,
      );
      ws.once('open', () => {
        clearTimeout(timer);
        resolve();
      });
      ws.once('error', (error) => {
        clearTimeout(timer);
        reject(new Error(`${name} could not open a WebSocket: ${error.message}${server.ending}`));
      });
    });
    return new Bot(name, ws, server, options);
  }

  /** Connects, sends join, and waits for the welcome. */
  static async join(
    server: ServerProcess,
    name: string,
    stoppables: Stoppables,
    options: BotOptions = {},
  ): Promise<Bot> {
    const bot = await Bot.connect(server, name, stoppables, options);
    bot.send({ type: 'join', name });
    await bot.until(
      () => bot.welcome,
      () => `${name} sent {"type":"join","name":"${name}"} and expected a welcome`,
    );
    return bot;
  }

  get id(): number {
    return this.welcome?.id ?? -1;
  }

  send(message: unknown): void {
    this.sendText(JSON.stringify(message));
  }

  sendText(text: string): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(text);
  }

  /** Asks for a path; resolves with its steps, or rejects with what came instead. */
  async path(id: number, from: Cell, to: Cell, ms = WAIT_MS): Promise<number> {
    const errorsBefore = this.errors.length;
    this.send({ type: 'path', id, from, to });
    return this.until(
      () => {
        if (this.errors.length > errorsBefore)
          throw new Error(
            `${this.name} asked for path ${id} and got the error "${this.errors.at(-1)}"`,
          );
        return this.paths.get(id);
      },
      () =>
        `${this.name} asked for path ${id} from [${from}] to [${to}] and expected {"type":"path","id":${id},...}`,
      ms,
    );
  }

  /** Stops reading: no message is taken from the socket until resume(). */
  pause(): void {
    this.ws.pause();
  }

  resume(): void {
    this.ws.resume();
  }

  /**
   * Resolves with `check()` once it is not undefined, checking after every message; rejects
   * after `ms` (or as soon as the connection closes) with "<expected>, but <what it saw>".
   */
  until<T>(check: () => T | undefined, expected: () => string, ms = WAIT_MS): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(test);
      };
      const test = () => {
        let value: T | undefined;
        try {
          value = check();
        } catch (error) {
          done();
          return reject(error);
        }
        if (value !== undefined) {
          done();
          return resolve(value);
        }
        if (this.closed) {
          done();
          reject(
            new Error(
              `${expected()}, but ${this.saw()} before the connection closed${this.closing()}`,
            ),
          );
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(
          new Error(`${expected()}, but ${this.saw()} within ${ms / 1000} s${this.server.ending}`),
        );
      }, ms);
      this.waiters.add(test);
      test();
    });
  }

  /** What this bot has received so far, in a few words. */
  saw(): string {
    const parts: string[] = [];
    if (this.welcome) parts.push(`a welcome (id ${this.welcome.id})`);
    if (this.arrivals.length > 0)
      parts.push(
        `${this.arrivals.length} states (ticks ${this.arrivals[0]?.tick}–${this.arrivals.at(-1)?.tick})`,
      );
    if (this.errors.length > 0)
      parts.push(`${this.errors.length} errors ("${this.errors.at(-1)}")`);
    return parts.length === 0
      ? `${this.name} received nothing`
      : `${this.name} received ${parts.join(', ')}`;
  }

  private closing(): string {
    if (!this.closed) return '';
    const reason = this.closed.reason ? ` "${this.closed.reason}"` : '';
    return ` (code ${this.closed.code}${reason})${this.server.ending}`;
  }

  private receive(text: string, isBinary: boolean): void {
    let message: ServerMessage;
    try {
      if (isBinary) throw new Error('binary');
      message = JSON.parse(text) as ServerMessage;
    } catch {
      this.errors.push(
        `(the server sent ${isBinary ? 'a binary message' : `"${text.slice(0, 60)}", not JSON`})`,
      );
      this.wake();
      return;
    }
    switch (message.type) {
      case 'welcome':
        this.welcome = message as Welcome;
        break;
      case 'state': {
        const state = message as State;
        this.latest = state;
        this.arrivals.push({
          tick: state.tick,
          at: performance.now(),
          state: this.options.keepStates ? state : EMPTY,
        });
        if (this.options.acknowledge !== false)
          this.send({ type: 'input', tick: state.tick, move: this.move });
        break;
      }
      case 'path':
        this.paths.set((message as PathReply).id, (message as PathReply).steps);
        break;
      case 'error':
        this.errors.push(String((message as ErrorReply).message));
        break;
      default:
        this.errors.push(
          `(the server sent an unknown message type ${JSON.stringify((message as { type?: unknown }).type)})`,
        );
    }
    this.wake();
  }

  private wake(): void {
    for (const test of [...this.waiters]) test();
  }
}

const EMPTY: State = { type: 'state', tick: -1, players: [] };

/** `count` bots named `<prefix>-1` …, joined at once. */
export function joinSwarm(
  server: ServerProcess,
  prefix: string,
  count: number,
  stoppables: Stoppables,
  options: BotOptions = {},
): Promise<Bot[]> {
  return Promise.all(
    Array.from({ length: count }, (_, i) =>
      Bot.join(server, `${prefix}-${i + 1}`, stoppables, options),
    ),
  );
}

/** Waits until every bot's latest state lists every one of them. */
export async function untilAllSeeAll(bots: readonly Bot[], ms = WAIT_MS): Promise<void> {
  const ids = bots.map((bot) => bot.id);
  await Promise.all(
    bots.map((bot) =>
      bot.until(
        () => (ids.every((id) => bot.latest?.players.some((p) => p.id === id)) ? true : undefined),
        () => {
          const listed = bot.latest?.players.length ?? 0;
          return `${bot.name} expected a state listing all ${bots.length} bots that joined (its latest lists ${listed})`;
        },
        ms,
      ),
    ),
  );
}

// ─── Tick timing ────────────────────────────────────────────────────────────────────────────

export interface Timing {
  /**
   * How far the interval between two consecutive ticks strays from the tick period, p99 over the
   * ticks, in ms. With about 80 ticks in a window this is the worst tick, or close to it.
   */
  p99: number;
  /** The median interval between consecutive ticks, in ms. */
  median: number;
  /** Tick intervals measured. */
  samples: number;
}

/** Nearest-rank percentile of `values` (not empty). */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return (
    sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN
  );
}

/**
 * The tick timing the bots saw between `from` and `to` (performance.now() times). Each tick
 * reaches every bot, so one late tick would be forty late intervals if bots were pooled; instead
 * each tick gets one time — the median of the times the bots read it, when "the room" saw it —
 * and the intervals are taken between consecutive ticks.
 */
export function timingOf(bots: readonly Bot[], from: number, to: number, periodMs: number): Timing {
  const readAt = new Map<number, number[]>();
  for (const bot of bots)
    for (const { tick, at } of bot.arrivals) {
      const times = readAt.get(tick);
      if (times) times.push(at);
      else readAt.set(tick, [at]);
    }
  const times = [...readAt.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, at]) => percentile(at, 50))
    .filter((at) => at >= from && at <= to);
  const intervals = times.slice(1).map((at, i) => at - (times[i] as number));
  if (intervals.length === 0)
    return { p99: Number.POSITIVE_INFINITY, median: Number.NaN, samples: 0 };
  return {
    p99: percentile(
      intervals.map((interval) => Math.abs(interval - periodMs)),
      99,
    ),
    median: percentile(intervals, 50),
    samples: intervals.length,
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
