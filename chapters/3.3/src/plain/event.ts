/**
 * 3.3.4 An Event — the simplest of gevent's structures, in plain TypeScript.
 * Shows:  wait() parks any number of tasks until set(); set() wakes all of them, and later
 *         waiters pass at once; clear() makes the next waiters wait again.
 * Run:    npx tsx chapters/3.3/src/plain/event.ts
 * Expect: "the match is ready", then all three players start.
 */
import { pathToFileURL } from 'node:url';

// #region event
export class Event {
  private flag = false;
  private waiters: (() => void)[] = [];

  isSet(): boolean {
    return this.flag;
  }

  set(): void {
    this.flag = true;
    for (const wake of this.waiters.splice(0)) wake();
  }

  clear(): void {
    this.flag = false;
  }

  /** Resolves when the flag is set: at once if it already is. Blocks only the caller. */
  wait(): Promise<void> {
    if (this.flag) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}
// #endregion event

async function main(): Promise<void> {
  const ready = new Event();
  const player = async (name: string) => {
    await ready.wait(); // this task waits; the thread goes on running others
    console.log(`${name} starts`);
  };
  const players = ['alice', 'bob', 'carol'].map(player);
  setTimeout(() => {
    console.log('the match is ready');
    ready.set();
  }, 10);
  await Promise.all(players);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
