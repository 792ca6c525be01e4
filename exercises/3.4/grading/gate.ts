/**
 * Grading helper (not student code): a TCP gate the test owns between the student's client and
 * redis-server. Open, it forwards bytes both ways; shut, it closes each new connection at once.
 * So a test can cut a client off (CLIENT KILL ID on the Redis side) and keep it out for as long
 * as it needs: while `live` is 0 with the gate shut, the client is disconnected — provably, with
 * no sleep — and whatever the test writes to Redis then happens while it is away. `hold()` keeps
 * what Redis sends to the client waiting at the gate until `release()`, so a test decides when
 * the client sees it.
 */
import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { type Admin, clientList } from './redis.ts';

export class Gate {
  private readonly pairs = new Set<{ client: Socket; upstream: Socket }>();
  private isShut = false;
  /** Connections turned away while the gate was shut. */
  turnedAway = 0;
  /** Connections let through, ever. */
  accepted = 0;

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  /** A gate on a free loopback port in front of the redis-server on `redisPort`. */
  static async open(redisPort: number): Promise<Gate> {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address();
    const gate = new Gate(server, typeof address === 'object' && address ? address.port : 0);
    server.on('connection', (client) => gate.admit(client, redisPort));
    return gate;
  }

  /** What the student's code connects to instead of Redis. */
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Connections forwarded right now. */
  get live(): number {
    return this.pairs.size;
  }

  /** Turns new connections away; the ones open now stay until cut. */
  shut(): void {
    this.isShut = true;
  }

  reopen(): void {
    this.isShut = false;
  }

  /**
   * Kills, on the Redis side (CLIENT KILL ID), every connection that passes through the gate,
   * as a broken network or a restarted proxy would. Returns how many it killed.
   */
  async cut(admin: Admin): Promise<number> {
    const ours = new Set(
      [...this.pairs].map(({ upstream }) => `127.0.0.1:${upstream.localPort ?? 0}`),
    );
    const ids = (await clientList(admin)).filter((c) => ours.has(c.addr)).map((c) => c.id);
    for (const id of ids) await admin.sendCommand(['CLIENT', 'KILL', 'ID', id]);
    return ids.length;
  }

  /**
   * Stops passing on what Redis sends to the connections open now: it waits, in order, in the
   * gate's sockets until release(). What the client sends still goes through.
   */
  hold(): void {
    for (const { client, upstream } of this.pairs) {
      upstream.unpipe(client);
      upstream.pause();
    }
  }

  /** Passes on what hold() kept, in the order Redis sent it, and everything after it. */
  release(): void {
    for (const { client, upstream } of this.pairs) upstream.pipe(client);
  }

  /** Stops listening and drops every connection. */
  async stop(): Promise<void> {
    this.isShut = true;
    for (const { client, upstream } of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
    this.pairs.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private admit(client: Socket, redisPort: number): void {
    if (this.isShut) {
      this.turnedAway++;
      client.destroy();
      return;
    }
    this.accepted++;
    client.pause(); // nothing is lost while the upstream connection opens: bytes wait in the socket
    const upstream = connect(redisPort, '127.0.0.1');
    const pair = { client, upstream };
    this.pairs.add(pair);
    const drop = () => {
      if (!this.pairs.delete(pair)) return;
      client.destroy();
      upstream.destroy();
    };
    for (const socket of [client, upstream]) {
      socket.on('error', drop);
      socket.on('close', drop);
    }
    upstream.once('connect', () => {
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
  }
}
