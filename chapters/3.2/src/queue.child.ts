// Child process for 3.2.4: the original's f(q) — put one item on the queue, then end.
import { IpcQueue } from './ipc-queue.ts';

const queue = new IpcQueue<[number, number, string]>(process, 'child queue');
await queue.put([4031, 1024, 'my data']);
queue.close();
process.disconnect(); // nothing else keeps us alive: the process ends once the item is sent
