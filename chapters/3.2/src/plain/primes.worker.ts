// Worker for promise-all-vs-workers.ts and offload-server.ts: says 'ready' once it listens, then
// answers each request { id, from, to } with { id, count }, one at a time, until it is terminated.
import { parentPort } from 'node:worker_threads';
import { countPrimes } from './count-primes.ts';

export type PrimesRequest = { id: number; from: number; to: number };
export type PrimesReply = { id: number; count: number };

parentPort?.on('message', ({ id, from, to }: PrimesRequest) => {
  const reply: PrimesReply = { id, count: countPrimes(from, to) };
  parentPort?.postMessage(reply);
});
// The parent ends this thread only after this: ending it while it loads can crash the process.
parentPort?.postMessage('ready');
