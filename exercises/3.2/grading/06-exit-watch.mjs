/**
 * Preloaded (`node --import`) into the program 3.2/06's tests run. The exercise is about a
 * process that ends by itself because its daemon worker is unref()'d; ending it by force —
 * process.exit() or worker.terminate() — would pass the other checks without that. So each call
 * is reported on stderr, behind MARKER, for the test to read. It only reports: the program
 * behaves exactly as it would without it.
 */
import { writeSync } from 'node:fs';
import { isMainThread, Worker } from 'node:worker_threads';

export const MARKER = '[3.2/06 exit-watch]';

/** Synchronous, so the line is out before an exit that follows at once. */
function report(call) {
  writeSync(2, `${MARKER} ${call}\n`);
}

if (isMainThread) {
  const exit = process.exit;
  process.exit = function exitWatched(code) {
    report(`process.exit(${code ?? ''})`);
    return exit.call(this, code);
  };
  const terminate = Worker.prototype.terminate;
  Worker.prototype.terminate = function terminateWatched(...args) {
    report('worker.terminate()');
    return terminate.apply(this, args);
  };
}
