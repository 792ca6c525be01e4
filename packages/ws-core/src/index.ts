/**
 * @course/ws-core — RFC 6455 WebSocket: a sans-I/O protocol core (handshake, frames,
 * Protocol) and a thin node:net layer (server, connection, client). See README.md.
 */
export * from './admission.ts';
export * from './client.ts';
export * from './close.ts';
export * from './connection.ts';
export * from './constants.ts';
export * from './errors.ts';
export * from './frame-parser.ts';
export * from './frames.ts';
export * from './handshake.ts';
export * from './keepalive.ts';
export * from './liveness.ts';
export * from './opening.ts';
export * from './protocol.ts';
export * from './server.ts';
export * from './utf8.ts';
