/** gevent's Event: a flag that tasks can wait on. set() wakes every waiter, now and later. */
import { WaiterList, type WaitOptions } from './waiters.ts';

export class Event {
  private flag = false;
  private readonly waiters = new WaiterList<void>();

  /** `waitName` names the wait in timeout errors, e.g. 'group.join()' for an event inside. */
  constructor(private readonly waitName = 'event.wait()') {}

  isSet(): boolean {
    return this.flag;
  }

  set(): void {
    this.flag = true;
    this.waiters.wakeAll(undefined);
  }

  clear(): void {
    this.flag = false;
  }

  /** Resolves once the flag is set (at once if it already is). */
  wait(options: WaitOptions = {}): Promise<void> {
    if (this.flag) return Promise.resolve();
    return this.waiters.wait(this.waitName, undefined, options);
  }
}
