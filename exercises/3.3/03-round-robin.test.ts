import { describe, expect, it } from 'vitest';
import { runRoundRobin, sleep, type Task, TaskFailedError } from './03-round-robin.ts';

function* counter(label: string, steps: number, log: string[]): Task {
  for (let i = 0; i < steps; i++) {
    log.push(`${label}${i}`);
    yield;
  }
  return `${label} done`;
}

describe('3.3/03 runRoundRobin', () => {
  it('gives each task a turn in order, round after round', () => {
    const log: string[] = [];
    const { turns } = runRoundRobin({
      a: () => counter('a', 3, log),
      b: () => counter('b', 3, log),
    });
    expect(log).toEqual(['a0', 'b0', 'a1', 'b1', 'a2', 'b2']);
    expect(turns).toEqual(['a', 'b', 'a', 'b', 'a', 'b', 'a', 'b']);
  });

  it("collects every task's return value", () => {
    const { results } = runRoundRobin({
      a: () => counter('a', 1, []),
      b: () => counter('b', 4, []),
    });
    expect(Object.fromEntries(results)).toEqual({ a: 'a done', b: 'b done' });
  });

  it('jumps the clock to the earliest wake-up when every task sleeps', () => {
    function* sleeper(ticks: number): Task {
      const woke = yield sleep(ticks);
      return woke;
    }
    const run = runRoundRobin({ a: () => sleeper(10), b: () => sleeper(3) });
    expect(run.turns).toEqual(['a', 'b', 'b', 'a']);
    expect(Object.fromEntries(run.results), 'the tick each task woke on').toEqual({ a: 10, b: 4 });
    expect(run.clock).toBe(11);
  });

  it('lets a busy task run while another sleeps, and wakes the sleeper on time', () => {
    let wokeAt = -1;
    function* napper(): Task {
      wokeAt = yield sleep(5);
      return wokeAt;
    }
    const { turns } = runRoundRobin({ nap: napper, busy: () => counter('busy', 20, []) });
    expect(turns.slice(0, 5), 'first turns').toEqual(['nap', 'busy', 'busy', 'busy', 'busy']);
    expect(wokeAt, 'tick the sleeper resumed on').toBeGreaterThanOrEqual(5);
    expect(
      turns.indexOf('nap', 1),
      'the sleeper resumes long before the busy task ends',
    ).toBeLessThan(8);
  });

  it('stops with a TaskFailedError naming the task, after closing the others', () => {
    const closed: string[] = [];
    function* careful(name: string): Task {
      try {
        for (;;) yield;
      } finally {
        closed.push(name);
      }
    }
    function* faulty(): Task {
      yield;
      throw new Error('boom');
    }
    let caught: unknown;
    try {
      runRoundRobin({ x: () => careful('x'), bad: faulty, y: () => careful('y') });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(TaskFailedError);
    expect((caught as TaskFailedError).task).toBe('bad');
    expect(closed.sort(), 'tasks whose finally ran').toEqual(['x', 'y']);
  });
});
