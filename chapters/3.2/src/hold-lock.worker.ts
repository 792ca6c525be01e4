// Worker thread for 3.2.2 (and its tests): takes lock 0, raises the `taken` flag (1), holds the
// lock for `holdMs` or until someone sets the flag to 2, then releases it — a holder on another
// thread for the main thread to wait on. Tests use the flag so nothing depends on timing.
import { Mutex } from './mutex.ts';
import { serve } from './serve.ts';

export interface HoldJob {
  locks: SharedArrayBuffer;
  names: readonly string[];
  holdMs: number;
  taken: SharedArrayBuffer;
}

serve(({ locks, names, holdMs, taken }: HoldJob) => {
  const mutex = new Mutex(locks, 0, { names });
  mutex.lock(5_000);
  const flag = new Int32Array(taken);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
  Atomics.wait(flag, 0, 1, holdMs); // hold the lock without spinning; a store of 2 + notify ends it
  mutex.unlock();
  return 'released';
});
