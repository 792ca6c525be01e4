// Worker fixture: held in its top-level await (still loading, as far as Node is concerned) until
// the test posts 'go' on the BroadcastChannel named in its data; it posts 'loading' there first,
// so the test knows it is held. Then it says ready through connectToParent ('link'), posts
// 'ready' as its first plain message ('raw'), or throws while still loading ('throw').
import { BroadcastChannel, parentPort } from 'node:worker_threads';
import { connectToParent, workerInput } from '../src/workers/index.ts';

export interface HeldLoad {
  channel: string;
  mode: 'link' | 'raw' | 'throw';
}

const { channel: name, mode } = workerInput<HeldLoad>();
const channel = new BroadcastChannel(name);
const go = new Promise((resolve) => {
  channel.onmessage = resolve;
});
channel.postMessage('loading');
await go;
channel.close();
if (mode === 'throw') throw new Error('failed while loading');
if (mode === 'raw') parentPort?.postMessage('ready');
else {
  const link = connectToParent();
  // Listening keeps the thread alive, as a real worker waiting for tasks: only kill() ends it.
  link.onMessage(() => {});
  link.signalReady();
}
