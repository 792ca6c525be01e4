/**
 * 3.2.5 Scaling out — node:cluster: a primary process forks worker processes that all serve the
 * same port; the primary hands each new connection to the next worker, round-robin.
 * Shows:  every answer names the pid that served it; the primary replaces a worker that dies.
 * Run:    npx tsx chapters/3.2/src/plain/cluster-server.ts [port, default 8080] [workers]
 *         curl http://127.0.0.1:8080/   (a few times: the pid changes)
 * Expect: "worker pid N listening on http://127.0.0.1:8080" once per worker (one per core).
 */
import cluster, { type Worker } from 'node:cluster';
import { createServer } from 'node:http';
import { availableParallelism } from 'node:os';

const port = Number(process.argv[2] ?? 8080);
const workers = Number(process.argv[3] ?? availableParallelism());

// 1. The primary: starts the workers, keeps their number up, stops them on Ctrl-C or SIGTERM.
function runPrimary(): void {
  // Each worker is a forked process running this same file; --import tsx lets it run .ts.
  cluster.setupPrimary({ execArgv: ['--import', 'tsx'] });
  const listening = new Set<Worker>();
  let stopping = false;
  const stop = () => {
    stopping = true;
    cluster.disconnect(); // each worker closes its server and exits; then so does the primary
  };
  cluster.on('listening', (worker, address) => {
    listening.add(worker);
    console.log(`worker pid ${worker.process.pid} listening on http://127.0.0.1:${address.port}`);
  });
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    // One that never got to listen (a busy port, say) would fail again: stop instead of looping.
    if (!listening.has(worker)) {
      console.error(`worker pid ${worker.process.pid} failed to start; stopping`);
      process.exitCode = 1;
      return stop();
    }
    console.log(
      `worker pid ${worker.process.pid} died (${signal ?? `code ${code}`}); starting another`,
    );
    cluster.fork();
  });
  for (let i = 0; i < workers; i++) cluster.fork();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

// 2. A worker: an ordinary HTTP server. listen() asks the primary, which owns the port.
function runWorker(): void {
  createServer((_req, res) => res.end(`served by pid ${process.pid}\n`)).listen(port, '127.0.0.1');
}

if (cluster.isPrimary) runPrimary();
else runWorker();
