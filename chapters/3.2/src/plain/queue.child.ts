// Child for fork-queue.ts — the original's f(q): put one item on the queue, then end.
// process.send exists only in a process started by fork(), which gives it an IPC channel;
// disconnecting once the item is sent lets this process end.
process.send?.([4031, 1024, 'my data'], () => process.disconnect());
