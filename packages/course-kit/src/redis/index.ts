/**
 * A private redis-server, for chapter 3.4's sections and for any test that needs a real Redis:
 * on 127.0.0.1 and a free port, keeping nothing (or, with `persist`, an fsynced append-only
 * file), ready once the server on its port answers with our child's pid (so a PONG from another
 * redis-server that took the port is not ours), crashed and restarted on the same port (empty, or
 * reading its file back), and stopped — process gone, folder removed — by `stop()`, on exit and on Ctrl-C.
 * It needs no client library; chapter 3.4 adds REDIS_URL and node-redis on top.
 */
export * from './errors.ts';
export * from './find-on-path.ts';
export * from './free-port.ts';
export * from './ping.ts';
export * from './redis-server.ts';
