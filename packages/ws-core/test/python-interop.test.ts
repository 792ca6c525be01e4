/**
 * Interop with Python's `websockets` (Debian's python3-websockets), both directions: a Python
 * client with our server, and our client with a Python server. The Python side is two short
 * scripts in fixtures/, driven over stdin and stdout with one JSON line per step.
 *
 * Debian's interpreter, /usr/bin/python3, is the one with the package (the python3 first on a
 * PATH may be another build). Without it the file is skipped locally with one line; in CI (CI
 * set) that is a failure, since .ci/run installs it.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { isRunning } from '@course/course-kit/testing/processes';
import { until, within } from '@course/course-kit/testing/waits';
import { onceWithin } from '@course/course-kit/waits';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import {
  type ConnectOptions,
  connect,
  type HttpRequestHead,
  Opcode,
  type PerMessageDeflateOptions,
  type WebSocketConnection,
  type WebSocketError,
  type WebSocketServer,
} from '../src/index.ts';
import { frameOf } from './helpers.ts';
import { startCountingRelay, startServer } from './tcp-helpers.ts';

const PYTHON = '/usr/bin/python3';
/** Starting Python, or moving 1 MiB through it, can take seconds on a loaded 2-core machine. */
const WAIT_MS = 15_000;
const TEST_MS = 30_000;

const MiB = 1024 * 1024;
/** Around the 7-bit, 16-bit and 64-bit length forms (RFC 6455 §5.2), and 1 MiB. */
const SIZES = [0, 125, 126, 65535, 65536, MiB];
const CLOSE_CODES = [1000, 1011, 4000];

function shouldRunPythonInterop(): boolean {
  const probe = spawnSync(PYTHON, ['-c', 'import websockets'], { timeout: WAIT_MS });
  if (probe.status === 0 || process.env.CI) return true;
  console.warn(
    `python-interop.test.ts skipped: ${PYTHON} cannot import websockets (sudo apt-get install python3-websockets)`,
  );
  return false;
}

// ---- payloads ----

/** Exactly `size` bytes of UTF-8, with characters of 1 to 4 bytes. */
function textOfBytes(size: number): string {
  return 'aé€😀'.repeat(Math.floor(size / 10)) + 'a'.repeat(size % 10);
}

/** Bytes that depend on their position, so a shifted or truncated echo is caught. */
function patterned(size: number): Buffer {
  const bytes = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + (i >>> 8)) & 0xff;
  return bytes;
}

/** About 1 MiB of game-state JSON: compressible, with repeats near and far. */
const GAME_STATE = JSON.stringify(
  Array.from({ length: 30_000 }, (_, i) => ({ id: i, player: `p${i % 97}`, x: (i * 7919) % 1000 })),
);

/**
 * 2000 characters of hex: on its own it compresses to about half, but sent again it is one
 * long back-reference — if the compressor kept its window (context takeover, RFC 7692 §7.1.1).
 * It fits the 4 KiB windows of 12 bits.
 */
const REPEATED = Array.from({ length: 32 }, (_, i) => sha256(`repeat ${i}`))
  .join('')
  .slice(0, 2000);

function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** A message as the Python scripts carry it in JSON. */
type Carried = { text: string } | { binary: string };

function carried(message: string | Uint8Array): Carried {
  return typeof message === 'string'
    ? { text: message }
    : { binary: Buffer.from(message).toString('base64') };
}

/** What the Python server reports of a message it received. */
function digest(message: string | Uint8Array): { kind: string; bytes: number; sha256: string } {
  const bytes = typeof message === 'string' ? Buffer.from(message) : message;
  return {
    kind: typeof message === 'string' ? 'text' : 'binary',
    bytes: bytes.length,
    sha256: sha256(bytes),
  };
}

// ---- a Python process, one JSON line at a time ----

type Line = Record<string, unknown>;

class PythonPeer {
  readonly child: ChildProcess;
  private readonly lines: Line[] = [];
  private partial = '';
  private stderr = '';
  private exit: { code: number | null; signal: string | null } | undefined;
  private readonly exited: Promise<void>;

  constructor(
    private readonly script: string,
    args: string[],
  ) {
    const path = fileURLToPath(new URL(`./fixtures/${script}`, import.meta.url));
    this.child = spawn(PYTHON, [path, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      const parts = (this.partial + chunk).split('\n');
      this.partial = parts.pop() ?? '';
      for (const part of parts) this.lines.push(JSON.parse(part) as Line);
    });
    this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    // A write after Python exited fails with EPIPE; take() reports the exit and its stderr.
    this.child.stdin?.on('error', () => {});
    this.exited = new Promise((resolve) => {
      this.child.once('error', (error) => {
        this.stderr += error.message; // e.g. ENOENT: no /usr/bin/python3
        this.exit ??= { code: null, signal: null };
        resolve();
      });
      // 'close', not 'exit': by then every line Python printed has been read.
      this.child.once('close', (code, signal) => {
        this.exit = { code, signal };
        resolve();
      });
    });
  }

  /** Removes and returns the first line not taken yet that `matches`; waits up to WAIT_MS. */
  take(what: string, matches: (line: Line) => boolean = () => true): Promise<Line> {
    return until(
      () => {
        const index = this.lines.findIndex(matches);
        if (index >= 0) return this.lines.splice(index, 1)[0];
        if (this.exit) {
          throw new Error(
            `${this.script} exited (${this.exit.code ?? this.exit.signal}) while we waited for ${what}: ${this.stderr}`,
          );
        }
        return undefined;
      },
      WAIT_MS,
      `${what} from ${this.script}`,
    );
  }

  /** Sends one command to the client script and resolves with its one answer. */
  ask(command: Line): Promise<Line> {
    this.child.stdin?.write(`${JSON.stringify(command)}\n`);
    return this.take(`the answer to ${String(command.op)}`);
  }

  /** Ends stdin (the client script then closes with 1000) and checks that it exits with 0. */
  async end(): Promise<void> {
    this.child.stdin?.end();
    await within(this.exited, WAIT_MS, `${this.script} to exit`);
    if (this.exit?.code !== 0) {
      throw new Error(`${this.script} exited with ${this.exit?.code}: ${this.stderr}`);
    }
  }

  /** Kills it if it still runs, waits for it to exit, and checks that its pid is gone. */
  async stop(): Promise<void> {
    if (this.exit === undefined) this.child.kill('SIGKILL');
    await within(this.exited, WAIT_MS, `${this.script} to exit after SIGKILL`);
    if (this.child.pid !== undefined) expect(isRunning(this.child.pid)).toBe(false);
  }
}

/** Things a test started; afterEach stops whatever is left, Python processes first. */
const peers: PythonPeer[] = [];
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const peer of peers.splice(0)) await peer.stop();
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** A counting relay in front of `port`, closed after the test. */
async function relayTo(port: number) {
  const relay = await startCountingRelay(port);
  cleanups.push(() => relay.close());
  return relay;
}

/** Wire bytes each way (headers and masks included) while `step` runs, from the relay's counts. */
async function costOf(
  bytes: { up: number; down: number },
  step: () => Promise<void>,
): Promise<{ up: number; down: number }> {
  const before = { ...bytes };
  await step();
  return { up: bytes.up - before.up, down: bytes.down - before.down };
}

/**
 * Two echoes of REPEATED, costed: with context takeover the second message is a back-reference
 * to the first; without, it costs exactly what the first did (zlib is deterministic).
 */
function expectCosts(
  first: { up: number; down: number },
  second: { up: number; down: number },
  takeover: { up: boolean; down: boolean },
): void {
  for (const way of ['up', 'down'] as const) {
    if (takeover[way]) expect(second[way], way).toBeLessThan(first[way] / 4);
    else expect(second[way], way).toBe(first[way]);
  }
}

const describeWithPython = describe.runIf(shouldRunPythonInterop());

describeWithPython('a Python client with our server', { timeout: TEST_MS }, () => {
  /** What our server saw of each connection, by path. */
  interface ServerSide {
    head: HttpRequestHead;
    conn: WebSocketConnection;
    messages: Array<string | Buffer>;
    pings: string[];
    pongs: string[];
    close: [number, string] | undefined;
    errorCodes: string[];
  }
  const sides = new Map<string, ServerSide>();
  let main: { server: WebSocketServer; port: number; url: string };
  let plain: { server: WebSocketServer; url: string };
  let strict: { server: WebSocketServer; url: string };

  /** Echoes; `/close/CODE…` closes with CODE, `/ping…` pings first. Records everything. */
  function serve(conn: WebSocketConnection, head: HttpRequestHead): void {
    const side: ServerSide = {
      head,
      conn,
      messages: [],
      pings: [],
      pongs: [],
      close: undefined,
      errorCodes: [],
    };
    sides.set(head.target, side);
    conn.on('message', (data) => {
      side.messages.push(data);
      conn.send(data);
    });
    conn.on('ping', (data) => side.pings.push(data.toString()));
    conn.on('pong', (data) => side.pongs.push(data.toString()));
    conn.on('close', (code, reason) => (side.close = [code, reason]));
    conn.on('error', (error) => side.errorCodes.push((error as WebSocketError).code));
    const code = /^\/close\/(\d+)/.exec(head.target)?.[1];
    if (code !== undefined) conn.close(Number(code), `server says ${code}`);
    if (head.target.startsWith('/ping')) conn.ping(Buffer.from('from server'));
  }

  beforeAll(async () => {
    // Keepalive off: every ping in these tests is one a test sent.
    main = await startServer({
      protocols: ['chat.v2', 'chat.v1'],
      perMessageDeflate: true,
      pingInterval: 0,
    });
    plain = await startServer({ pingInterval: 0 });
    strict = await startServer({ maxPayload: 1000, perMessageDeflate: true, pingInterval: 0 });
    for (const { server } of [main, plain, strict]) server.on('connection', serve);
  });
  afterAll(async () => {
    await Promise.all([main, plain, strict].map((started) => started?.server.close()));
  });

  /** Starts the client script on `url` and resolves with it and its "open" line. */
  async function pythonClient(
    url: string,
    options: Record<string, unknown> = {},
  ): Promise<{ client: PythonPeer; open: Line }> {
    const client = new PythonPeer('python_ws_client.py', [url, JSON.stringify(options)]);
    peers.push(client);
    return { client, open: await client.take('the connection to open') };
  }

  const sideOf = (path: string) =>
    until(() => sides.get(path), WAIT_MS, `our server to accept ${path}`);
  const closeOf = (side: ServerSide) =>
    until(() => side.close, WAIT_MS, `the close of ${side.head.target} on our side`);

  test('echoes text and binary messages of 0, 125, 126, 65535, 65536 and 1 MiB bytes exactly, uncompressed', async () => {
    const { client, open } = await pythonClient(`${main.url}echo/sizes`, { compression: null });
    expect(open).toEqual({ open: true, subprotocol: null, extensions: null });
    const sent: Array<string | Buffer> = [];
    for (const size of SIZES) {
      for (const message of [textOfBytes(size), patterned(size)]) {
        sent.push(message);
        expect(await client.ask({ op: 'echo', ...carried(message) })).toEqual(carried(message));
      }
    }
    const side = await sideOf('/echo/sizes');
    expect(side.messages.map(carried)).toEqual(sent.map(carried));
    expect(side.head.headers.has('sec-websocket-extensions')).toBe(false);
    expect(side.conn.extensions).toBe('');
    await client.end();
    expect(await closeOf(side)).toEqual([1000, '']);
  });

  test.each([
    ['uncompressed', null],
    ['compressed (Python compresses each fragment)', 'deflate'],
  ])(
    'assembles text and binary messages Python sends in fragments, %s, with a ping between fragments',
    async (_, compression) => {
      const path = `/echo/fragments-${compression}`;
      const { client, open } = await pythonClient(main.url + path.slice(1), { compression });
      expect(open.extensions).toBe(compression && 'permessage-deflate; client_max_window_bits=13');
      const text = [{ text: 'frag' }, { text: 'men' }, { text: 'ted' }];
      expect(await client.ask({ op: 'fragments', parts: text, ping_between: 'between' })).toEqual({
        sent: true,
      });
      expect(await client.ask({ op: 'recv' })).toEqual({ text: 'fragmented' });
      const binary = [
        carried(Buffer.from([1, 2])),
        carried(Buffer.alloc(0)),
        carried(Buffer.from([3])),
      ];
      expect(await client.ask({ op: 'fragments', parts: binary })).toEqual({ sent: true });
      expect(await client.ask({ op: 'recv' })).toEqual(carried(Buffer.from([1, 2, 3])));
      const side = await sideOf(path);
      expect(side.messages).toEqual(['fragmented', Buffer.from([1, 2, 3])]);
      expect(side.pings).toEqual(['between', 'between']);
      await client.end();
    },
  );

  test("answers Python's ping with its payload, and Python answers ours", async () => {
    const { client } = await pythonClient(`${main.url}ping/1`);
    expect(await client.ask({ op: 'ping', data: 'from python' })).toEqual({
      pong: 'from python',
    });
    const side = await sideOf('/ping/1');
    expect(side.pings).toEqual(['from python']);
    await until(() => side.pongs.length > 0, WAIT_MS, "Python's pong");
    expect(side.pongs).toEqual(['from server']);
    await client.end();
  });

  test.each(CLOSE_CODES)('passes close code %i and its reason both ways', async (code) => {
    // Python closes: we echo the code (with no reason), Python sees its own reason arrive.
    const first = await pythonClient(`${main.url}echo/close-${code}`);
    expect(await first.client.ask({ op: 'close', code, reason: `python says ${code}` })).toEqual({
      closed: { received: [code, ''], sent: [code, `python says ${code}`] },
    });
    expect(await closeOf(await sideOf(`/echo/close-${code}`))).toEqual([
      code,
      `python says ${code}`,
    ]);
    await first.client.end();

    // We close: Python echoes the whole close frame, reason included.
    const second = await pythonClient(`${main.url}close/${code}`);
    const reason = `server says ${code}`;
    expect(await second.client.ask({ op: 'recv' })).toEqual({
      closed: { received: [code, reason], sent: [code, reason] },
    });
    expect(await closeOf(await sideOf(`/close/${code}`))).toEqual([code, reason]);
    await second.client.end();
  });

  test.each([
    [['chat.v1', 'chat.v2', 'chat.v3'], 'chat.v2'],
    [['chat.v9'], null],
  ])('answers the subprotocols %j with our preferred one (%s)', async (offered, chosen) => {
    const path = `/echo/protocols-${offered.length}`;
    const { client, open } = await pythonClient(main.url + path.slice(1), {
      subprotocols: offered,
      compression: null,
    });
    expect(open.subprotocol).toBe(chosen);
    expect((await sideOf(path)).conn.protocol).toBe(chosen ?? undefined);
    await client.end();
  });

  test("accepts Python's default permessage-deflate offer and round-trips large messages, compressed both ways", async () => {
    const relay = await relayTo(main.port);
    const { client, open } = await pythonClient(`${relay.url}echo/deflate`);
    const answer = 'permessage-deflate; client_max_window_bits=13';
    expect(open.extensions).toBe(answer);
    const side = await sideOf('/echo/deflate');
    expect(side.head.headers.get('sec-websocket-extensions')).toBe(
      'permessage-deflate; client_max_window_bits',
    );
    expect(side.conn.extensions).toBe(answer);
    // Python compresses every message, the empty one too; we send those below 1 KiB as they are.
    const messages = [GAME_STATE, '', 'héllo', Buffer.from(GAME_STATE), GAME_STATE];
    const cost = await costOf(relay.bytes, async () => {
      for (const message of messages) {
        expect(await client.ask({ op: 'echo', ...carried(message) })).toEqual(carried(message));
      }
    });
    expect(side.messages.map(carried)).toEqual(messages.map(carried));
    const total = 3 * Buffer.byteLength(GAME_STATE);
    expect(cost.up).toBeLessThan(total / 4);
    expect(cost.down).toBeLessThan(total / 4);
    await client.end();
  });

  test.each(
    [
      {
        name: "websockets' default offer (client_max_window_bits with no value)",
        offer: undefined,
        answer: 'permessage-deflate; client_max_window_bits=13',
        takeover: { up: true, down: true },
      },
      {
        name: 'an offer of no context takeover either way',
        offer: { server_no_context_takeover: true, client_no_context_takeover: true },
        answer:
          'permessage-deflate; server_no_context_takeover; client_no_context_takeover; client_max_window_bits=13',
        takeover: { up: false, down: false },
      },
      {
        name: 'an offer of no server context takeover',
        offer: { server_no_context_takeover: true },
        answer: 'permessage-deflate; server_no_context_takeover; client_max_window_bits=13',
        takeover: { up: true, down: false },
      },
      {
        name: 'an offer of 12-bit windows',
        offer: { server_max_window_bits: 12, client_max_window_bits: 12 },
        answer: 'permessage-deflate; server_max_window_bits=12; client_max_window_bits=12',
        takeover: { up: true, down: true },
      },
      {
        // Node compresses with 9 bits for 8, referring back at most 250 bytes; Python's zlib
        // inflates with a 256-byte window. (Python cannot compress with 8 bits itself.)
        name: 'an offer of an 8-bit server window',
        offer: { server_max_window_bits: 8, client_max_window_bits: 9 },
        answer: 'permessage-deflate; server_max_window_bits=8; client_max_window_bits=9',
        takeover: undefined, // REPEATED is longer than these windows
      },
    ].map((testCase) => [testCase.name, testCase] as const),
  )(
    'answers %s as RFC 7692 allows, and compresses as agreed',
    async (name, { offer, answer, takeover }) => {
      const path = `/echo/${name.replace(/\W+/g, '-')}`;
      const relay = await relayTo(main.port);
      const { client, open } = await pythonClient(relay.url + path.slice(1), {
        deflate: offer,
      });
      expect(open.extensions).toBe(answer);
      expect((await sideOf(path)).conn.extensions).toBe(answer);
      const echoRepeated = async () => {
        expect(await client.ask({ op: 'echo', text: REPEATED })).toEqual({ text: REPEATED });
      };
      const first = await costOf(relay.bytes, echoRepeated);
      const second = await costOf(relay.bytes, echoRepeated);
      if (takeover) expectCosts(first, second, takeover);
      const binary = patterned(64 * 1024);
      expect(await client.ask({ op: 'echo', ...carried(binary) })).toEqual(carried(binary));
      expect(await client.ask({ op: 'echo', text: GAME_STATE })).toEqual({ text: GAME_STATE });
      const expected = [REPEATED, REPEATED, binary, GAME_STATE];
      expect((await sideOf(path)).messages.map(carried)).toEqual(expected.map(carried));
      await client.end();
    },
  );

  test('with compression=None Python offers nothing, and our server without perMessageDeflate declines its offer', async () => {
    const off = await pythonClient(`${main.url}echo/compression-none`, { compression: null });
    expect(off.open.extensions).toBeNull();
    expect((await sideOf('/echo/compression-none')).conn.extensions).toBe('');
    await off.client.end();

    const declined = await pythonClient(`${plain.url}echo/declined`);
    expect(declined.open.extensions).toBeNull();
    const side = await sideOf('/echo/declined');
    expect(side.head.headers.get('sec-websocket-extensions')).toBe(
      'permessage-deflate; client_max_window_bits',
    );
    expect(side.conn.extensions).toBe('');
    expect(await declined.client.ask({ op: 'echo', text: GAME_STATE })).toEqual({
      text: GAME_STATE,
    });
    await declined.client.end();
  });

  describe('protocol errors Python sees', () => {
    test.each(
      [
        {
          what: 'a message over maxPayload',
          options: { compression: null },
          message: patterned(1001),
          reason: 'message of 1001 bytes exceeds maxPayload 1000',
        },
        {
          what: 'a compressed message that inflates past maxPayload',
          options: {},
          message: Buffer.alloc(100_000), // zeros: about 100 bytes compressed
          reason: 'compressed message inflates past maxPayload 1000',
        },
      ].map((testCase) => [testCase.what, testCase] as const),
    )(
      'fails the connection with 1009 and says why on %s',
      async (what, { options, message, reason }) => {
        const path = `/echo/${what.replace(/\W+/g, '-')}`;
        const { client } = await pythonClient(strict.url + path.slice(1), options);
        expect(await client.ask({ op: 'send', ...carried(message) })).toEqual({ sent: true });
        // Python echoes the close frame it received, as RFC 6455 §5.5.1 suggests.
        expect(await client.ask({ op: 'recv' })).toEqual({
          closed: { received: [1009, reason], sent: [1009, reason] },
        });
        const side = await sideOf(path);
        expect(await closeOf(side)).toEqual([1009, reason]);
        expect(side.errorCodes.at(0)).toBe('WS_ERR_UNSUPPORTED_MESSAGE_LENGTH');
        expect(side.messages).toEqual([]);
        await client.end();
      },
    );
  });
});

describeWithPython('our client with a Python server', { timeout: TEST_MS }, () => {
  let server: PythonPeer;
  let ports: Record<string, number>;
  const conns: WebSocketConnection[] = [];

  beforeAll(async () => {
    server = new PythonPeer('python_ws_server.py', []);
    ports = (await server.take('the listening ports')).ports as Record<string, number>;
  }, TEST_MS);
  afterEach(() => {
    for (const conn of conns.splice(0)) conn.terminate();
  });
  afterAll(() => server?.stop(), TEST_MS);

  function urlOf(listener: string, path: string): string {
    return `ws://127.0.0.1:${portOf(listener)}${path}`;
  }

  function portOf(listener: string): number {
    const port = ports[listener];
    if (port === undefined) throw new Error(`python_ws_server.py has no listener ${listener}`);
    return port;
  }

  async function open(url: string, options?: ConnectOptions): Promise<WebSocketConnection> {
    const conn = await connect(url, { handshakeTimeout: WAIT_MS, ...options });
    conns.push(conn);
    return conn;
  }

  /** Python's next line about `path`, of one kind of event. */
  const pythonSays = (path: string, event: string) =>
    server.take(`${event} on ${path}`, (line) => line.path === path && line.event === event);

  async function nextMessage(conn: WebSocketConnection): Promise<string | Buffer> {
    const [data] = await onceWithin<[string | Buffer]>(conn, 'message', WAIT_MS, 'an echo');
    return data;
  }

  /** Sends, checks what Python received (size and hash), and resolves with the echo. */
  async function echo(conn: WebSocketConnection, path: string, message: string | Buffer) {
    const reply = nextMessage(conn);
    conn.send(message);
    const [data, { kind, bytes, sha256 }] = await Promise.all([reply, pythonSays(path, 'message')]);
    expect({ kind, bytes, sha256 }).toEqual(digest(message));
    return data;
  }

  const closeOf = (conn: WebSocketConnection) =>
    onceWithin<[number, string]>(conn, 'close', WAIT_MS, 'the close');

  test('gets text and binary messages of 0, 125, 126, 65535, 65536 and 1 MiB bytes echoed exactly, uncompressed', async () => {
    const conn = await open(urlOf('plain', '/echo/sizes'));
    expect(conn.extensions).toBe('');
    expect(await pythonSays('/echo/sizes', 'open')).toMatchObject({ extensions: null });
    for (const size of SIZES) {
      for (const message of [textOfBytes(size), patterned(size)]) {
        expect(carried(await echo(conn, '/echo/sizes', message))).toEqual(carried(message));
      }
    }
    const closed = closeOf(conn);
    conn.close();
    expect(await closed).toEqual([1000, '']);
    expect(await pythonSays('/echo/sizes', 'closed')).toMatchObject({
      received: [1000, ''],
      sent: [1000, ''],
    });
  });

  test('assembles the fragmented message Python sends, and sends one Python assembles, with a ping between fragments', async () => {
    const conn = await open(urlOf('plain', '/fragments'));
    expect(await nextMessage(conn)).toBe('one two three');
    const answers = Promise.all([
      nextMessage(conn),
      onceWithin<[Buffer]>(conn, 'pong', WAIT_MS, "Python's pong"),
      pythonSays('/fragments', 'message'),
    ]);
    conn.sendFrame(frameOf(Opcode.BINARY, Buffer.from([1, 2]), { fin: false }));
    conn.ping(Buffer.from('between'));
    conn.sendFrame(frameOf(Opcode.CONTINUATION, Buffer.from([3]), { fin: true }));
    const [reply, [pong], received] = await answers;
    expect(reply).toEqual(Buffer.from([1, 2, 3]));
    expect(pong.toString()).toBe('between');
    expect(received).toMatchObject(digest(Buffer.from([1, 2, 3])));
  });

  test("answers Python's ping with its payload, and Python answers ours", async () => {
    // Python pings as soon as it opens; frames in the same read as the 101 are handed on
    // after connect() resolves, so a listener added right away hears them.
    const conn = await open(urlOf('plain', '/ping'));
    const ping = onceWithin<[Buffer]>(conn, 'ping', WAIT_MS, "Python's ping");
    expect((await ping)[0].toString()).toBe('from python');
    // Python's pong waiter resolves only on a pong with its own payload.
    expect(await pythonSays('/ping', 'pong')).toEqual({ path: '/ping', event: 'pong' });
    const pong = onceWithin<[Buffer]>(conn, 'pong', WAIT_MS, "Python's pong");
    conn.ping(Buffer.from('from us'));
    expect((await pong)[0].toString()).toBe('from us');
  });

  test.each(CLOSE_CODES)('passes close code %i and its reason both ways', async (code) => {
    // We close: Python echoes the whole close frame, reason included.
    const ours = await open(urlOf('plain', `/echo/close-${code}`));
    const closed = closeOf(ours);
    ours.close(code, `we say ${code}`);
    expect(await closed).toEqual([code, `we say ${code}`]);
    expect(await pythonSays(`/echo/close-${code}`, 'closed')).toMatchObject({
      received: [code, `we say ${code}`],
      sent: [code, `we say ${code}`],
    });

    // Python closes: we echo the code, with no reason.
    const path = `/close/${code}`;
    const theirs = await open(urlOf('plain', path));
    expect(await closeOf(theirs)).toEqual([code, `python says ${code}`]);
    expect(await pythonSays(path, 'closed')).toMatchObject({
      received: [code, ''],
      sent: [code, `python says ${code}`],
    });
  });

  test('gets the subprotocol Python chose', async () => {
    const conn = await open(urlOf('plain', '/echo/protocols'), {
      protocols: ['chat.v3', 'chat.v2'],
    });
    expect(conn.protocol).toBe('chat.v2');
    expect(await pythonSays('/echo/protocols', 'open')).toMatchObject({
      subprotocol: 'chat.v2',
    });
  });

  /** Which listener, what we offer, what Python answers, and who may keep context. */
  interface DeflateCase {
    name: string;
    listener: string;
    ours: boolean | PerMessageDeflateOptions;
    answer: string;
    takeover?: { up: boolean; down: boolean };
  }
  test.each(
    (
      [
        {
          name: "websockets' defaults (12-bit windows) and our default offer",
          listener: 'default',
          ours: true,
          answer: 'permessage-deflate; server_max_window_bits=12; client_max_window_bits=12',
          takeover: { up: true, down: true },
        },
        {
          name: 'a server that forbids context takeover both ways',
          listener: 'no-takeover',
          ours: true,
          answer:
            'permessage-deflate; server_no_context_takeover; client_no_context_takeover; client_max_window_bits=13',
          takeover: { up: false, down: false },
        },
        {
          name: 'our ask for no server context takeover',
          listener: 'default',
          ours: { serverNoContextTakeover: true },
          answer:
            'permessage-deflate; server_no_context_takeover; server_max_window_bits=12; client_max_window_bits=12',
          takeover: { up: true, down: false },
        },
        {
          name: 'our offer of no client context takeover',
          listener: 'default',
          ours: { clientNoContextTakeover: true },
          answer:
            'permessage-deflate; client_no_context_takeover; server_max_window_bits=12; client_max_window_bits=12',
          takeover: { up: false, down: true },
        },
        {
          name: 'our ask for a 10-bit server window',
          listener: 'default',
          ours: { serverMaxWindowBits: 10 },
          answer: 'permessage-deflate; server_max_window_bits=10; client_max_window_bits=12',
          // REPEATED is longer than a 10-bit window: only the round trips are checked
        },
        {
          name: 'a server that sets 9-bit windows',
          listener: 'small-windows',
          ours: true,
          answer: 'permessage-deflate; server_max_window_bits=9; client_max_window_bits=9',
        },
        { name: 'a server with compression off', listener: 'plain', ours: true, answer: '' },
      ] satisfies DeflateCase[]
    ).map((testCase): [string, DeflateCase] => [testCase.name, testCase]),
  )(
    'accepts the answer of %s, and compresses as agreed',
    async (name, { listener, ours, answer, takeover }) => {
      const path = `/echo/${name.replace(/\W+/g, '-')}`;
      const relay = await relayTo(portOf(listener));
      const conn = await open(relay.url + path.slice(1), { perMessageDeflate: ours });
      expect(conn.extensions).toBe(answer);
      expect(await pythonSays(path, 'open')).toMatchObject({ extensions: answer || null });
      const first = await costOf(relay.bytes, async () => {
        expect(await echo(conn, path, REPEATED)).toBe(REPEATED);
      });
      const second = await costOf(relay.bytes, async () => {
        expect(await echo(conn, path, REPEATED)).toBe(REPEATED);
      });
      if (takeover) expectCosts(first, second, takeover);
      for (const message of ['', 'héllo', patterned(64 * 1024), GAME_STATE]) {
        expect(carried(await echo(conn, path, message))).toEqual(carried(message));
      }
      const closed = closeOf(conn);
      conn.close(4000, 'done');
      expect(await closed).toEqual([4000, 'done']);
      expect(await pythonSays(path, 'closed')).toMatchObject({ received: [4000, 'done'] });
    },
  );
});
