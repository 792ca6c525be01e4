// Worker and child for pid-and-thread.ts: reports the pid and thread id it runs on — to the
// parent thread when started as a worker thread, to the parent process when forked.
import { parentPort, threadId } from 'node:worker_threads';

const ids = { pid: process.pid, threadId };
if (parentPort) parentPort.postMessage(ids);
else process.send?.(ids);
