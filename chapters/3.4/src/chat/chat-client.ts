/**
 * A chat member for the samples and tests: joins `/chat` with ws-core's client, keeps every
 * event the server sends, and waits — always with a time limit — for the one it expects.
 *
 *   const alice = await ChatClient.join('ws://127.0.0.1:8080/', 'alice', 'lobby');
 *   alice.server;                       // which process welcomed it (3.4's workers name themselves)
 *   alice.say('hello');
 *   await alice.waitForLine('alice', 'hello');   // its own line back: the server has sent it on
 */
import { type ChatEvent, decodeChatEvent } from '@course/chapter-3.1/chat/messages';
import { timedOut } from '@course/course-kit';
import { connect, type WebSocketConnection } from '@course/ws-core';

type Welcome = Extract<ChatEvent, { type: 'welcome' }>;

const JOIN_TIMEOUT_MS = 10_000;
const CLOSE_TIMEOUT_MS = 5_000;

export class ChatClient {
  readonly events: ChatEvent[] = [];
  /** The close code and reason, once the connection has closed. */
  closedWith: { code: number; reason: string } | undefined;
  private readonly waiters = new Set<() => void>();

  private constructor(private readonly conn: WebSocketConnection) {
    conn.on('message', (data) => {
      if (typeof data !== 'string') return;
      this.events.push(decodeChatEvent(data));
      this.wake();
    });
    conn.on('close', (code, reason) => {
      this.closedWith = { code, reason };
      this.wake();
    });
    conn.on('error', () => {}); // a failure also closes the connection, which is what we watch
  }

  /**
   * Connects to `url` (ws://HOST:PORT/) and resolves once the welcome has come. `signal` gives
   * up at once: a connection that reaches a cluster while its workers stop can stay unanswered
   * until the handshake timeout, and nobody should wait for that after Ctrl-C.
   */
  static async join(
    url: string,
    nick: string,
    room: string,
    signal?: AbortSignal,
  ): Promise<ChatClient> {
    const target = new URL('chat', url);
    target.searchParams.set('nick', nick);
    target.searchParams.set('room', room);
    const connecting = connect(target.href, { handshakeTimeout: JOIN_TIMEOUT_MS });
    const conn = await untilAborted(connecting, signal, (late) => late.terminate());
    const client = new ChatClient(conn);
    try {
      await client.waitFor((e) => e.type === 'welcome' && e, JOIN_TIMEOUT_MS, `${nick}'s welcome`);
    } catch (error) {
      conn.terminate();
      throw error;
    }
    return client;
  }

  get welcome(): Welcome {
    const welcome = this.events.find((e): e is Welcome => e.type === 'welcome');
    if (!welcome) throw new Error('no welcome yet');
    return welcome;
  }

  get nick(): string {
    return this.welcome.nick;
  }

  /** The process that welcomed it, e.g. "worker 2 (pid 4242)"; "" when the server names none. */
  get server(): string {
    return this.welcome.server ?? '';
  }

  say(text: string): void {
    this.conn.send(text);
  }

  /** Every chat line received so far, as "nick: text". */
  lines(): string[] {
    return this.events.flatMap((e) => (e.type === 'message' ? [`${e.nick}: ${e.text}`] : []));
  }

  /** Resolves with the first event for which `pick` returns a value; rejects after `ms`. */
  waitFor<T>(
    pick: (event: ChatEvent) => T | false | undefined,
    ms: number,
    what: string,
  ): Promise<T> {
    return new Promise((resolve, reject) => {
      let seen = 0;
      const check = () => {
        for (; seen < this.events.length; seen++) {
          const found = pick(this.events[seen] as ChatEvent);
          if (found !== false && found !== undefined) return done(() => resolve(found));
        }
        if (this.closedWith) {
          const { code, reason } = this.closedWith;
          done(() => reject(new Error(`closed (${code} ${reason}) while waiting for ${what}`)));
        }
      };
      const timer = setTimeout(() => done(() => reject(timedOut(ms, what))), ms);
      const done = (settle: () => void) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        settle();
      };
      this.waiters.add(check);
      check();
    });
  }

  /** Waits for the line `text` from `nick`; returns how many events came before it. */
  waitForLine(nick: string, text: string, ms = 10_000): Promise<number> {
    return this.waitFor(
      (e) => e.type === 'message' && e.nick === nick && e.text === text && this.events.indexOf(e),
      ms,
      `"${nick}: ${text}" at ${this.nick}`,
    );
  }

  /** Waits for the server's close; resolves with its code and reason. */
  waitForClose(ms = 10_000): Promise<{ code: number; reason: string }> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(timedOut(ms, `${this.nick}'s connection to close`));
      }, ms);
      const check = () => {
        if (!this.closedWith) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(this.closedWith);
      };
      this.waiters.add(check);
      check();
    });
  }

  /** Says goodbye (1000) and waits for the close; a server that does not answer is cut off. */
  async close(): Promise<void> {
    if (this.closedWith) return;
    this.conn.close(1000, 'bye');
    await this.waitForClose(CLOSE_TIMEOUT_MS).catch(() => this.conn.terminate());
  }

  private wake(): void {
    for (const check of [...this.waiters]) check();
  }
}

/** `promise`, or an AbortError as soon as `signal` aborts; a value that arrives later is `discard`ed. */
function untilAborted<T>(
  promise: Promise<T>,
  signal: AbortSignal | undefined,
  discard: (late: T) => void,
): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) {
    // Already given up: the attempt still settles later, and must not be left unheard.
    promise.then(discard, () => {});
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      promise.then(discard, () => {});
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        if (signal.aborted) discard(value);
        else resolve(value);
      },
      (error) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
