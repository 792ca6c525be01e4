/**
 * One PING over a plain socket, in RESP's inline form (`PING\r\n`, answered `+PONG\r\n`). The
 * launcher's readiness check needs no client library: true when the server answers in time.
 */
import { connect } from 'node:net';

export function pingOnce(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      // "-LOADING" and other errors mean "not yet"; only PONG means ready.
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}
