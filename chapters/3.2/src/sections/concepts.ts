/**
 * 3.2 Concepts — process, thread, concurrency, parallelism, hyper-threading, and what Node
 * gives you for each, read from this machine.
 * Run:    npm run chapter:3.2 -- 3.2
 * Expect: this machine's logical CPU count, whether the OS sees hyper-threading, pid and
 *         thread id, then one line per concept.
 */
import { availableParallelism, cpus } from 'node:os';
import { threadId } from 'node:worker_threads';
import type { Section } from '@course/course-kit';
import { describeSmt } from '../topology.ts';

const CONCEPTS = [
  [
    'process',
    'a running program with its own address space; others cannot touch its memory',
    'child_process.fork / spawn; each has its own pid',
  ],
  [
    'thread',
    'a path of execution inside a process, with its own stack and registers, sharing the address space',
    'worker_threads: one V8 isolate and event loop per worker, sharing only SharedArrayBuffer memory',
  ],
  [
    'concurrency',
    'several tasks in progress over the same period, possibly taking turns on one core',
    'the event loop: thousands of sockets on one JavaScript thread',
  ],
  [
    'parallelism',
    'several tasks executing at the same instant, on different cores',
    'worker threads or processes, at most os.availableParallelism() at once',
  ],
  [
    'hyper-threading',
    'one physical core running two hardware threads that share its execution units',
    'counted in availableParallelism(); two siblings give far less than twice one core',
  ],
] as const;

export const concepts: Section = {
  id: '3.2',
  title: 'Concepts',
  summary: 'process, thread, concurrency, parallelism, hyper-threading — and Node’s tools for each',
  run(ctx) {
    ctx.step('step 1: this machine');
    ctx.say(`logical CPUs (os.availableParallelism()): ${availableParallelism()}`);
    ctx.say(`CPU model: ${cpus()[0]?.model ?? 'unknown'}`);
    ctx.say(describeSmt());
    ctx.say(`this process: pid ${process.pid}, thread id ${threadId} (0 = the main thread)`);
    ctx.step('step 2: the words, and what Node gives for each');
    for (const [word, meaning, node] of CONCEPTS)
      ctx.say(`${word.padEnd(16)} ${meaning}\n${' '.repeat(17)}Node: ${node}`);
    ctx.say('Parallelism is not "instruction-level parallelism" (the CPU overlapping instructions');
    ctx.say(
      'of ONE thread inside a core); a program gets parallelism by running on several cores.',
    );
    return undefined;
  },
};
