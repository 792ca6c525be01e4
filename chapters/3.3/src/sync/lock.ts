/**
 * gevent's Lock: a BoundedSemaphore(1). Not re-entrant, like Python's `threading.Lock`.
 * In single-threaded JavaScript a lock still matters: it guards state across `await`s.
 */
import { BoundedSemaphore } from './semaphore.ts';

export class Lock extends BoundedSemaphore {
  constructor() {
    super(1);
  }

  protected override describe(): string {
    return 'lock';
  }
}
