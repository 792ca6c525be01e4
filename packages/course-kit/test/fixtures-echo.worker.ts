// Worker fixture: answers each message with its double, proving a .ts worker starts under tsx.
import { parentPort, workerData } from 'node:worker_threads';

const offset = (workerData as { data: { offset: number } }).data.offset;
parentPort?.on('message', (n: number) => parentPort?.postMessage(n * 2 + offset));
