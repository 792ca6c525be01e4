// Child for socket-to-child.ts: answers on a TCP connection its parent accepted and sent here.
// The kernel copied the socket's file descriptor into this process along with the message.
import type { Socket } from 'node:net';

process.on('message', (message, socket?: Socket) => {
  if (message === 'socket' && socket) socket.end(`served by child pid ${process.pid}\n`);
});
process.on('disconnect', () => process.exit(0)); // the parent is done (or gone): end too
process.send?.('ready');
