export * from './errors.ts';
export * from './ipc-queue.ts';
export * from './measure.ts';
export * from './mutex.ts';
export * from './peer.ts';
export * from './primes.ts';
