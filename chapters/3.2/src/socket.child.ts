// Child process for 3.2.5: receives a live TCP socket from its parent and answers on it.
// The kernel duplicates the file descriptor into this process — which is why a socket can
// move to a process, while a worker thread (same process, separate JS heap) cannot take one.
import type { Socket } from 'node:net';

process.on('message', (message: unknown, socket?: Socket) => {
  if (message === 'socket' && socket) socket.end(`served by child pid ${process.pid}\n`);
});
process.on('disconnect', () => process.exit(0));
process.send?.('ready');
