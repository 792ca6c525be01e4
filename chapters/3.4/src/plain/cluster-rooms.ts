/**
 * 3.4.2 Many processes, one port — node:cluster workers, each with a chat room of its own.
 * Shows:  the primary hands each TCP connection to the next worker (round robin), and a line
 *         reaches only the members on the worker that read it: the room is split. With
 *         REDIS_URL set (3.4.3), every worker relays its lines through Redis: one room again.
 * Run:    npx tsx chapters/3.4/src/plain/cluster-rooms.ts [port, default 8080] [workers, default 2]
 *         nc 127.0.0.1 8080     (in two terminals; type a line in each)
 *         REDIS_URL=redis://127.0.0.1:6379 npx tsx chapters/3.4/src/plain/cluster-rooms.ts
 * Expect: "worker pid N listening on 127.0.0.1:8080" per worker; each nc is greeted with
 *         "you are on worker pid N"; lines cross between workers only with REDIS_URL.
 */
import cluster from 'node:cluster';
import { createServer, type Socket } from 'node:net';
import { joinRelay } from './pubsub-relay.ts';

const port = Number(process.argv[2] ?? 8080);
const workers = Number(process.argv[3] ?? 2);
/** A line longer than this is not chat: the member is disconnected instead of buffered. */
const MAX_LINE = 1000;

// #region primary
// 1. The primary: forks the workers; on Ctrl-C or SIGTERM it stops them, then ends itself.
function runPrimary(): void {
  cluster.schedulingPolicy = cluster.SCHED_RR; // Node's default, except on Windows
  cluster.setupPrimary({ execArgv: ['--import', 'tsx'] }); // each worker runs this .ts file
  for (let i = 0; i < workers; i++) cluster.fork();
  const stop = () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
// #endregion primary

// #region worker
// 2. A worker: a line chat with one room, `members`, on the port every worker shares.
async function runWorker(): Promise<void> {
  const members = new Set<Socket>();
  const deliver = (line: string) => {
    for (const member of members) member.write(line);
  };
  // Without Redis a line goes straight to this worker's members; with it, to Redis and back.
  const url = process.env.REDIS_URL;
  const relay = url ? await joinRelay(url, 'lobby', deliver) : undefined;
  const say = relay ? relay.publish : deliver;

  const server = createServer((socket) => {
    members.add(socket);
    socket.write(`you are on worker pid ${process.pid}\n`);
    let pending = '';
    socket.setEncoding('utf8');
    socket.on('data', (text: string) => {
      const lines = (pending + text).split('\n');
      pending = lines.pop() ?? ''; // a line can arrive in pieces: keep the unfinished end
      if (pending.length > MAX_LINE) socket.destroy();
      for (const line of lines) if (line.trim()) say(`${process.pid}> ${line.trim()}\n`);
    });
    socket.on('close', () => members.delete(socket));
    socket.on('error', () => {}); // a reset connection; 'close' follows
  });
  // listen() asks the primary, which owns the port: with port 0, every worker gets the same one.
  server.listen(port, '127.0.0.1', () => {
    const { port: actual } = server.address() as { port: number };
    console.log(`worker pid ${process.pid} listening on 127.0.0.1:${actual}`);
  });
}
// #endregion worker

if (cluster.isPrimary) runPrimary();
else await runWorker();
