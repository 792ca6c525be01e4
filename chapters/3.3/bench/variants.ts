/**
 * Every pool in the benchmark behind one tiny interface: start it, run named tasks, stop it.
 * All of them run the same functions from src/tasks.ts on 2 workers.
 */
import type { ChildProcess } from 'node:child_process';
import type { Worker } from 'node:worker_threads';
import { forkTs, startTsWorker } from '@course/course-kit';
import { Piscina } from 'piscina';
import Tinypool from 'tinypool';
import { createPool, type PoolKind } from '../src/pool/index.ts';
import { tasks } from '../src/tasks.ts';

export type TaskName = 'square' | 'spin';

export interface Runner {
  run(name: TaskName, arg: number): Promise<number>;
  stop(): Promise<void>;
}

export interface Variant {
  name: string;
  start(workers: number): Runner;
}

const ENTRY = new URL('./fixtures/tasks-entry.mjs', import.meta.url).href;

function ours(kind: PoolKind): Variant {
  return {
    name: `our ${kind === 'thread' ? 'ThreadPool' : 'ProcessPool'}`,
    start(size) {
      const pool = createPool(kind, { size });
      return { run: (name, arg) => pool.apply(tasks[name], [arg]), stop: () => pool.terminate() };
    },
  };
}

// #region libraries
const piscina: Variant = {
  name: 'piscina',
  start(size) {
    const pool = new Piscina({
      filename: ENTRY,
      minThreads: size,
      maxThreads: size,
      idleTimeout: 60_000,
    });
    return { run: (name, arg) => pool.run(arg, { name }), stop: () => pool.destroy() };
  },
};

function tinypool(runtime: 'worker_threads' | 'child_process'): Variant {
  return {
    name: runtime === 'worker_threads' ? 'tinypool (threads)' : 'tinypool (processes)',
    start(size) {
      const pool = new Tinypool({ filename: ENTRY, minThreads: size, maxThreads: size, runtime });
      return { run: (name, arg) => pool.run(arg, { name }), stop: () => pool.destroy() };
    },
  };
}
// #endregion libraries

/** Raw endpoints: one message per task each way, tasks dealt round-robin. No pool logic. */
type Endpoint = {
  send(message: unknown): void;
  onAnswer(fn: (answer: { id: number; value: number }) => void): void;
  stop(): Promise<unknown>;
};

function raw(name: string, open: () => Endpoint): Variant {
  return {
    name,
    start(size) {
      const endpoints = Array.from({ length: size }, open);
      const waiting = new Map<number, (value: number) => void>();
      for (const e of endpoints) e.onAnswer(({ id, value }) => waiting.get(id)?.(value));
      let nextId = 0;
      return {
        run: (task, arg) =>
          new Promise<number>((resolve) => {
            const id = nextId++;
            waiting.set(id, (value) => {
              waiting.delete(id);
              resolve(value);
            });
            endpoints[id % size]?.send({ id, name: task, arg });
          }),
        stop: () => Promise.all(endpoints.map((e) => e.stop())).then(() => {}),
      };
    },
  };
}

const rawThreads = raw('raw worker_threads', () => {
  const worker: Worker = startTsWorker(new URL('./fixtures/raw.worker.ts', import.meta.url));
  return {
    send: (m) => worker.postMessage(m),
    onAnswer: (fn) => worker.on('message', fn),
    stop: () => worker.terminate(),
  };
});

const rawChildren = raw('raw child_process', () => {
  const child: ChildProcess = forkTs(new URL('./fixtures/raw.child.ts', import.meta.url), [], {
    serialization: 'advanced',
  });
  return {
    send: (m) => child.send(m as object),
    onAnswer: (fn) => child.on('message', fn as (m: unknown) => void),
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.kill('SIGKILL');
      }),
  };
});

export const VARIANTS: readonly Variant[] = [
  ours('thread'),
  ours('process'),
  piscina,
  tinypool('worker_threads'),
  tinypool('child_process'),
  rawThreads,
  rawChildren,
];
