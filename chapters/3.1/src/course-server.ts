/**
 * The server of section 3.1.4: ws-core's raw-TCP WebSocket server with three routes.
 *
 *   GET /            the chat page (plain HTTP)
 *   ws://…/echo      every message comes back with its opcode (text stays text)
 *   ws://…/chat      chat rooms: ?nick=alice&room=lobby
 *   ws://…/other     404 before the upgrade (ws-core's `paths`), no WebSocket at all
 *
 * Protocol errors (unmasked frames, bad UTF-8, oversized frames…) are answered by ws-core
 * with the right close code; this file adds the application's own rules and their codes.
 */
import { KeyCounter } from '@course/course-kit';
import {
  CloseCode,
  createServer,
  type HttpRequestHead,
  targetPath,
  type WebSocketConnection,
  type WebSocketServer,
} from '@course/ws-core';
import { type BackpressurePolicy, ChatHub, type ChatPolicy, type Member } from './chat/hub.ts';
import type { ChatLimits } from './chat/limits.ts';
import { MAX_CHAT_TEXT, normalizeChatLine } from './chat/messages.ts';
import { limitOption } from './chat/policy.ts';
import { throttleLog } from './log-throttle.ts';
import { createHttpHandler } from './page.ts';

export { MAX_CHAT_TEXT } from './chat/messages.ts';
/** Largest message either route accepts; bigger frames are refused by ws-core with 1009. */
export const MAX_PAYLOAD = 1024 * 1024;
/** An echo client that lets this many unread bytes pile up is closed (an echo never drops). */
export const ECHO_MAX_BUFFERED = 8 * 1024 * 1024;
/**
 * WebSocket connections one address may hold open, both routes together. Each holds what its
 * client has sent of an unfinished message (up to MAX_PAYLOAD; a frame header alone makes
 * ws-core commit at most 64 KiB), so one client holds up to N × 1 MiB, and without this cap it
 * could also take every place that MAX_CONNECTIONS allows.
 */
export const MAX_CONNECTIONS_PER_ADDRESS = 50;
/**
 * WebSocket connections in all; ws-core answers one more with 503 before the 101, when an HTTP
 * status can still say "try again later". Above the 2,000 that the load test opens at once.
 */
export const MAX_CONNECTIONS = 4000;

/** The WebSocket endpoints; an upgrade to any other path gets 404 from ws-core, before the 101. */
export const ENDPOINTS: readonly string[] = ['/echo', '/chat'];

/**
 * Lines a client may send before its welcome (joining can wait on a shared roster, chapter 3.4).
 * Each is charged to its line budget as it arrives, so this bounds only the memory held for a
 * join that takes long: about 16 s of lines at the default 5 a second after a burst of 20.
 */
export const MAX_LINES_BEFORE_WELCOME = 100;

/** Close codes that mean "goodbye" (1005: a close frame without a code), not an accident. */
const GOODBYES: readonly number[] = [CloseCode.NORMAL, CloseCode.GOING_AWAY, CloseCode.NO_STATUS];

export interface CourseServerOptions {
  host?: string;
  port?: number;
  backpressure?: Partial<BackpressurePolicy>;
  /** Room sizes and lines per second (chat/limits.ts); defaults to DEFAULT_CHAT_LIMITS. */
  chatLimits?: Partial<ChatLimits>;
  echoMaxBuffered?: number;
  maxConnectionsPerAddress?: number;
  /** WebSocket connections in all (default MAX_CONNECTIONS); one more gets 503. */
  maxConnections?: number;
  handshakeTimeout?: number;
  closeTimeout?: number;
  /**
   * One line per join, leave and refusal, for the section's narration; refused connections
   * at most one line a second (with a count), as a client can cause them at will.
   */
  log?: (line: string) => void;
  /**
   * Makes the chat hub from the policy above (backpressure and chatLimits) and the log. The
   * default is one process alone (`new ChatHub(policy, log)`); chapter 3.4 passes a hub whose
   * roster and bus are shared through Redis.
   */
  createHub?: (policy: Partial<ChatPolicy>, log: (line: string) => void) => ChatHub;
}

const localHub = (policy: Partial<ChatPolicy>, log: (line: string) => void) =>
  new ChatHub(policy, log);

export interface CourseServer {
  readonly server: WebSocketServer;
  readonly hub: ChatHub;
  readonly host: string;
  readonly port: number;
  /** 'ws://HOST:PORT/' */
  readonly url: string;
  /** Graceful stop: close 1001 to every client, then stop listening. */
  close(): Promise<void>;
}

export async function startCourseServer(options: CourseServerOptions = {}): Promise<CourseServer> {
  const log = options.log ?? (() => {});
  const createHub = options.createHub ?? localHub;
  const hub = createHub({ ...options.backpressure, ...options.chatLimits }, log);
  const echoMaxBuffered = limitOption(
    'echoMaxBuffered',
    options.echoMaxBuffered,
    ECHO_MAX_BUFFERED,
  );
  const maxPerAddress = limitOption(
    'maxConnectionsPerAddress',
    options.maxConnectionsPerAddress,
    MAX_CONNECTIONS_PER_ADDRESS,
  );
  const maxConnections = limitOption('maxConnections', options.maxConnections, MAX_CONNECTIONS);
  const perAddress = new KeyCounter();
  const logRefusal = throttleLog(log);
  const server = createServer(
    {
      host: options.host ?? '127.0.0.1',
      port: options.port ?? 0,
      // The only subprotocol we speak; a client that offers it gets it, others get none.
      protocols: ['chat'],
      paths: ENDPOINTS,
      maxPayload: MAX_PAYLOAD,
      maxConnections,
      // Refused before the 101, while an HTTP status can still say why and when to retry.
      // Synchronous on purpose: it runs in the same tick as the 101 and 'connection', where
      // the place is taken, so two upgrades cannot both see the last free place.
      admit: ({ remoteAddress }) => {
        if (perAddress.count(remoteAddress) < maxPerAddress) return true;
        logRefusal(`refused a connection from ${remoteAddress}: ${maxPerAddress} already open`);
        return {
          status: 429,
          reason: `too many connections from your address (${maxPerAddress}); try again later`,
          headers: { 'Retry-After': '5' },
        };
      },
      onHttpRequest: createHttpHandler(ENDPOINTS),
      ...(options.handshakeTimeout === undefined
        ? {}
        : { handshakeTimeout: options.handshakeTimeout }),
      ...(options.closeTimeout === undefined ? {} : { closeTimeout: options.closeTimeout }),
    },
    (conn, head) => route(conn, head),
  );
  // A failed listen() rejects (the caller reports it); ws-core emits 'error' only later.
  server.on('error', (error: Error) => log(`server error: ${error.message}`));

  function route(conn: WebSocketConnection, head: HttpRequestHead): void {
    // A misbehaving client must not crash the process: ws-core reports, we log.
    conn.on('error', (error: Error) => log(`connection error: ${error.message}`));
    const from = conn.remoteAddress;
    perAddress.add(from); // admit() let it in: a place is taken until it closes
    conn.on('close', () => perAddress.remove(from));
    // ws-core only upgrades the paths in ENDPOINTS, so this is one of the two.
    if (targetPath(head.target) === '/echo') {
      serveEcho(conn, echoMaxBuffered);
    } else {
      serveChat(conn, hub, queryOf(head.target));
    }
  }

  const address = await server.listen();
  return {
    server,
    hub,
    host: address.host,
    port: address.port,
    url: address.url,
    close: async () => {
      await server.close(CloseCode.GOING_AWAY, 'server shutting down');
      logRefusal.flush();
      hub.flushLog();
    },
  };
}

function queryOf(target: string): URLSearchParams {
  const query = target.indexOf('?');
  return new URLSearchParams(query === -1 ? '' : target.slice(query + 1));
}

function serveEcho(conn: WebSocketConnection, maxBuffered: number): void {
  conn.on('message', (data: string | Buffer) => {
    if (conn.readyState !== 'open') return; // we already said goodbye
    // A client that sends but never reads would make us buffer its echoes for ever.
    if (conn.bufferedAmount > maxBuffered) {
      conn.close(CloseCode.POLICY_VIOLATION, 'not reading echoes; closing');
      return;
    }
    conn.send(data); // a string goes back as a text frame, a Buffer as binary
  });
}

function serveChat(conn: WebSocketConnection, hub: ChatHub, params: URLSearchParams): void {
  let member: Member | undefined;
  // Joining may wait on a shared roster (3.4). Lines sent meanwhile wait here, each charged to
  // the member's budget as it arrives: a client that keeps to the rate while it waits is not
  // closed as too fast when the welcome comes and its lines are sent on at once.
  const budget = hub.lineBudget();
  let early: string[] | undefined = [];
  const refuse = (code: number, reason: string) => {
    if (member) hub.leave(member, reason); // leave first, so nothing more is sent to a closing connection
    conn.close(code, reason);
  };
  conn.on('message', (data: string | Buffer, isBinary: boolean) => {
    if (isBinary || typeof data !== 'string') {
      refuse(CloseCode.UNSUPPORTED_DATA, 'the chat takes text frames only');
      return;
    }
    if (data.length > MAX_CHAT_TEXT) {
      refuse(CloseCode.MESSAGE_TOO_BIG, `chat lines are limited to ${MAX_CHAT_TEXT} characters`);
      return;
    }
    const line = normalizeChatLine(data);
    if (line === '') return;
    if (member) hub.say(member, line);
    else if (early === undefined || conn.readyState !== 'open')
      return; // refused, or closing
    else if (!budget.take()) hub.closeTooFast(conn);
    else if (early.length >= MAX_LINES_BEFORE_WELCOME)
      conn.close(
        CloseCode.TRY_AGAIN_LATER,
        `the chat holds at most ${MAX_LINES_BEFORE_WELCOME} lines before your welcome; try again later`,
      );
    else early.push(line);
  });
  // A close before the join has finished is seen by the hub (the peer is no longer open).
  conn.on('close', (code: number) => {
    if (member) hub.leave(member, GOODBYES.includes(code) ? 'left' : `connection closed (${code})`);
  });
  // Refused joins (the room, the chat or this address is full) are closed with 1013 by the hub.
  const wanted = { nick: params.get('nick'), room: params.get('room'), from: conn.remoteAddress };
  void hub.join(conn, { ...wanted, budget }).then((joined) => {
    member = joined;
    const lines = early ?? [];
    early = undefined;
    for (const line of lines) if (joined) hub.say(joined, line, { charged: true });
  });
}
