/**
 * The frame inspector's server: ws-core's server on a private loopback port, and a recording
 * relay (relay.ts) in front of it on the address the student asked for. The relay hands the
 * raw bytes of every /lab connection to a ConnectionTap, and each frame it finds is described
 * (describe-frame.ts) and sent to the page over that page's /report connection.
 *
 *   GET /               the page: inspector.html, inspector.js, inspector.css
 *   ws://…/report       one per page: descriptions to the page, commands (ping, reply) from it
 *   ws://…/lab?id=…     the connection under the microscope: echoes, in N fragments if asked
 *
 * Two connections, because reports sent on the lab connection would be frames to report on.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  CloseCode,
  createServer,
  type HttpRequestHead,
  type HttpResponse,
  Opcode,
  targetPath,
  type WebSocketConnection,
} from '@course/ws-core';
import { ConnectionTap, type Side, type TapEvent } from './connection-tap.ts';
import { describeFrame, type FrameDescription } from './describe-frame.ts';
import { fragmentMessage } from './fragment.ts';
import { startRelay } from './relay.ts';

/** Largest message the lab accepts (the page offers up to this); bigger ones get 1009. */
export const MAX_MESSAGE = 1024 * 1024;
/** The server's reply may be split into at most this many frames. */
export const MAX_FRAGMENTS = 16;
/** Report bytes waiting for a slow page; past this, reports are dropped and counted. */
export const MAX_REPORT_BACKLOG = 1024 * 1024;
/** How long close() lets every page finish its closing handshake before cutting it off. */
export const CLOSE_GRACE_MS = 2_000;
/** Pages open at once (each holds two WebSocket connections). */
export const MAX_PAGES = 32;
/** The payload of the Ping button's ping; the browser's pong must carry it back (§5.5.3). */
export const PING_PAYLOAD = 'ping from the inspector';

const PAGE_DIR = new URL('./', import.meta.url);
const FILES: Readonly<Record<string, { file: string; type: string }>> = {
  '/': { file: 'inspector.html', type: 'text/html; charset=utf-8' },
  '/inspector.js': { file: 'inspector.js', type: 'text/javascript; charset=utf-8' },
  '/inspector.css': { file: 'inspector.css', type: 'text/css; charset=utf-8' },
};

/** What the server sends the page on /report, one JSON text message each. */
export type Report =
  | { type: 'hello'; id: string; maxMessage: number; maxFragments: number }
  | { type: 'reply-set'; fragments: number }
  | { type: 'handshake'; lab: number; side: 'request' | 'response'; text: string }
  | { type: 'frame'; lab: number; from: Side; frame: FrameDescription }
  | { type: 'unreadable'; lab: number; from: Side; message: string }
  | { type: 'dropped'; count: number }
  | { type: 'notice'; text: string };

/** What the page may ask on /report. */
type Command = { type: 'reply'; fragments: number } | { type: 'ping' };

interface Session {
  readonly report: WebSocketConnection;
  lab: WebSocketConnection | undefined;
  /** Lab connections opened so far; each tap's reports carry its number. */
  labs: number;
  replyFragments: number;
  /** Reports dropped since the last one that got through. */
  dropped: number;
}

export interface InspectorOptions {
  host?: string;
  port?: number;
  log?: (line: string) => void;
}

export interface InspectorServer {
  readonly host: string;
  readonly port: number;
  /** 'ws://HOST:PORT/', the relay's address: the one browsers use. */
  readonly url: string;
  /**
   * Closes every page's connections with 1001 (cutting off, after CLOSE_GRACE_MS, those whose
   * closing handshake has not ended), then stops listening.
   */
  close(): Promise<void>;
}

function sessionId(target: string): string | null {
  const query = target.indexOf('?');
  return new URLSearchParams(query === -1 ? '' : target.slice(query + 1)).get('id');
}

function sendReport(session: Session, report: Report): void {
  const { report: conn } = session;
  if (conn.readyState !== 'open') return;
  // A page that cannot keep up loses reports, never the server's memory.
  if (conn.bufferedAmount > MAX_REPORT_BACKLOG) {
    session.dropped++;
    return;
  }
  if (session.dropped > 0) {
    conn.send(JSON.stringify({ type: 'dropped', count: session.dropped } satisfies Report));
    session.dropped = 0;
  }
  conn.send(JSON.stringify(report));
}

function parseCommand(data: string | Buffer): Command | undefined {
  try {
    const command = JSON.parse(String(data)) as { type?: unknown; fragments?: unknown };
    if (command.type === 'ping') return { type: 'ping' };
    const n = command.fragments;
    if (command.type === 'reply' && Number.isInteger(n) && (n as number) >= 1) {
      return { type: 'reply', fragments: Math.min(n as number, MAX_FRAGMENTS) };
    }
  } catch {
    // not JSON: answered below like any unknown command
  }
  return undefined;
}

function servePages(): (head: HttpRequestHead) => HttpResponse | undefined {
  const bodies = new Map(
    Object.entries(FILES).map(([path, { file }]) => [path, readFileSync(new URL(file, PAGE_DIR))]),
  );
  return (head) => {
    const path = targetPath(head.target);
    if (path === '/favicon.ico') return { status: 204, body: '' };
    const entry = FILES[path];
    const body = bodies.get(path);
    if (!entry || !body) return undefined;
    return {
      status: 200,
      headers: {
        'Content-Type': entry.type,
        'Cache-Control': 'no-cache',
        'X-Content-Type-Options': 'nosniff',
        // The page loads only its own files and talks only to this server.
        'Content-Security-Policy': "default-src 'self'",
      },
      body,
    };
  };
}

export async function startInspector(options: InspectorOptions = {}): Promise<InspectorServer> {
  const log = options.log ?? (() => {});
  const sessions = new Map<string, Session>();

  const server = createServer(
    {
      host: '127.0.0.1',
      port: 0,
      paths: ['/lab', '/report'],
      maxPayload: MAX_MESSAGE,
      maxConnections: 2 * MAX_PAGES,
      onHttpRequest: servePages(),
      // A lab connection belongs to a page: refuse it before the 101 when there is none.
      admit: ({ head }) => {
        if (targetPath(head.target) !== '/lab') return true;
        const id = sessionId(head.target);
        if (id !== null && sessions.has(id)) return true;
        return { status: 403, reason: 'no inspector page with this id: reload the page' };
      },
    },
    (conn, head) => {
      // ws-core repeats a connection's failure for every read that arrives before its socket
      // ends (a 4 MiB message over maxPayload is dozens of reads): the first says it all.
      let logged = false;
      conn.on('error', (error: Error) => {
        if (logged) return;
        logged = true;
        log(`connection error: ${error.message}`);
      });
      if (targetPath(head.target) === '/report') openReport(conn);
      else openLab(conn, head);
    },
  );
  server.on('error', (error: Error) => log(`server error: ${error.message}`));

  function openReport(conn: WebSocketConnection): void {
    const id = randomBytes(12).toString('base64url');
    const session: Session = {
      report: conn,
      lab: undefined,
      labs: 0,
      replyFragments: 1,
      dropped: 0,
    };
    sessions.set(id, session);
    conn.on('close', () => {
      sessions.delete(id);
      session.lab?.close(CloseCode.GOING_AWAY, 'the inspector page went away');
    });
    sendReport(session, {
      type: 'hello',
      id,
      maxMessage: MAX_MESSAGE,
      maxFragments: MAX_FRAGMENTS,
    });
    conn.on('message', (data: string | Buffer) => {
      const command = parseCommand(data);
      if (command?.type === 'reply') {
        session.replyFragments = command.fragments;
        sendReport(session, { type: 'reply-set', fragments: command.fragments });
      } else if (command?.type === 'ping') {
        // A page cannot ping (the WebSocket API has no ping()); the server pings it instead.
        if (!session.lab?.ping(Buffer.from(PING_PAYLOAD))) {
          sendReport(session, { type: 'notice', text: 'no open lab connection to ping' });
        }
      } else {
        sendReport(session, { type: 'notice', text: 'unknown command' });
      }
    });
  }

  function openLab(conn: WebSocketConnection, head: HttpRequestHead): void {
    const session = sessions.get(sessionId(head.target) ?? '');
    if (!session) {
      // The page closed between the admit hook and now.
      conn.close(CloseCode.GOING_AWAY, 'the inspector page went away');
      return;
    }
    const previous = session.lab;
    session.lab = conn;
    previous?.close(CloseCode.NORMAL, 'replaced by a new lab connection');
    conn.on('close', () => {
      if (session.lab === conn) session.lab = undefined;
    });
    // Echoes for a page that does not read them need no limit here: once more than ws-core's
    // highWaterMark (1 MiB) is owed, the connection stops reading, so no message comes to be
    // echoed until the page reads. What is owed stays under that mark plus the echoes of one
    // read — its own bytes and at most one MAX_MESSAGE it completes.
    conn.on('message', (data: string | Buffer, isBinary: boolean) => {
      if (conn.readyState !== 'open') return;
      const opcode = isBinary ? Opcode.BINARY : Opcode.TEXT;
      const payload = typeof data === 'string' ? Buffer.from(data) : data;
      for (const fragment of fragmentMessage(opcode, payload, session.replyFragments)) {
        conn.sendFrame(fragment);
      }
    });
  }

  /** Binds a relayed connection's tap to the page its /lab request names, or stops it. */
  function observe() {
    let lab = 0;
    let session: Session | undefined;
    const tap = new ConnectionTap((event: TapEvent) => {
      if (event.type === 'request') {
        const found =
          targetPath(event.head.target) === '/lab' &&
          sessions.get(sessionId(event.head.target) ?? '');
        // Only lab connections are shown: not page loads, not the report connection itself.
        if (!found) {
          tap.stop();
          return;
        }
        session = found;
        lab = ++found.labs;
        sendReport(found, { type: 'handshake', lab, side: 'request', text: event.text });
        return;
      }
      if (!session) return;
      if (event.type === 'response') {
        sendReport(session, { type: 'handshake', lab, side: 'response', text: event.text });
      } else if (event.type === 'frame') {
        sendReport(session, {
          type: 'frame',
          lab,
          from: event.from,
          frame: describeFrame(event.capture),
        });
      } else {
        sendReport(session, { type: 'unreadable', lab, from: event.from, message: event.message });
      }
    });
    // A bug in the tap must cost the page its reports, not the process or the connection.
    const push = (side: Side, chunk: Buffer) => {
      try {
        tap.push(side, chunk);
      } catch (error) {
        tap.stop();
        log(`tap error, no longer inspecting a connection: ${(error as Error).message}`);
      }
    };
    return {
      fromClient: (chunk: Buffer) => push('client', chunk),
      fromServer: (chunk: Buffer) => push('server', chunk),
      closed: () => tap.stop(),
    };
  }

  const inner = await server.listen();
  let relay: Awaited<ReturnType<typeof startRelay>>;
  try {
    relay = await startRelay({
      host: options.host ?? '127.0.0.1',
      port: options.port ?? 0,
      target: inner,
      // Each page: two WebSocket connections and a few page loads at a time.
      maxConnections: 4 * MAX_PAGES,
      observe,
    });
  } catch (error) {
    await server.close();
    throw error;
  }
  const shownHost = relay.host.includes(':') ? `[${relay.host}]` : relay.host;
  return {
    host: relay.host,
    port: relay.port,
    url: `ws://${shownHost}:${relay.port}/`,
    close: async () => {
      // The server's 1001 close frames cross the relay before it goes — unless a peer has
      // stopped reading: its close frame then waits behind the bytes it has not read, and its
      // closing handshake never ends. So the handshakes get CLOSE_GRACE_MS, then are cut off.
      const graceful = server.close(CloseCode.GOING_AWAY, 'server shutting down');
      let timer: NodeJS.Timeout | undefined;
      const inTime = await Promise.race([
        graceful.then(() => true),
        new Promise<false>((resolve) => {
          timer = setTimeout(() => resolve(false), CLOSE_GRACE_MS);
        }),
      ]);
      clearTimeout(timer);
      if (!inTime) for (const conn of server.connections) conn.terminate();
      await relay.close();
      await graceful; // every connection is closed or its socket destroyed: this ends now
    },
  };
}
