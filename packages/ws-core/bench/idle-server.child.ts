/**
 * An echo server that can be asked, over IPC, how much memory it holds: the idle-memory part
 * of the benchmarks runs each contestant's echo server inside this wrapper.
 * Shows:  RSS and V8 heap after a full GC, and (on request) a heap snapshot, for whichever
 *         server module IDLE_SERVER_MODULE names (ours: examples/echo-server.ts; ws's:
 *         bench/ws-echo-server.ts), unchanged — it imports the module and answers questions.
 * Run:    started by bench/idle.ts with `--expose-gc`; not meant to be run by hand.
 * Expect: the server's own "listening on ws://…" line; answers {type:'measure'} with
 *         {type:'memory', …} and {type:'snapshot', path} with {type:'snapshot-written', path}.
 */
import { writeHeapSnapshot } from 'node:v8';

export type IdleServerRequest = { type: 'measure' } | { type: 'snapshot'; path: string };
export type IdleServerReply =
  | { type: 'memory'; rss: number; heapUsed: number; external: number; arrayBuffers: number }
  | { type: 'snapshot-written'; path: string };

/** A full GC, twice: the first may only queue finalizers whose objects the second frees. */
function collect(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('idle-server.child.ts needs node --expose-gc');
  gc();
  gc();
}

function answer(request: IdleServerRequest): IdleServerReply {
  collect();
  if (request.type === 'snapshot')
    return { type: 'snapshot-written', path: writeHeapSnapshot(request.path) };
  const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage();
  return { type: 'memory', rss, heapUsed, external, arrayBuffers };
}

const target = process.env.IDLE_SERVER_MODULE;
if (target === undefined) throw new Error('IDLE_SERVER_MODULE names the server module to run');
process.on('message', (request: IdleServerRequest) => process.send?.(answer(request)));
await import(target);
