/**
 * 3.4.1 The one-process ceiling — a broadcast is one write per member, all on one thread.
 * Shows:  a room of N members connected over loopback TCP; one line to the room is N socket
 *         writes, and the loop that makes them holds this process's only JavaScript thread for
 *         longer as the room grows. While it runs, no other socket is read and no timer fires.
 * Run:    npx tsx chapters/3.4/src/plain/fan-out.ts
 * Expect: one line per room size (10, 100, 1000): the writes, how long the loop held the thread,
 *         µs per write, and "every member got all 101 lines". The time grows with the room; the
 *         µs per write stays about the same.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { connect, createServer, type Socket } from 'node:net';

const ROOM_SIZES = [10, 100, 1000];
const LINES = 100;
const LINE = 'alice: hello, everyone\n';
const ARRIVAL_TIMEOUT_MS = 20_000;

// 1. A room: the server's end of each member's connection, and each member counting lines.
async function openRoom(size: number) {
  const members: Socket[] = [];
  let allAccepted: () => void = () => {};
  const accepted = new Promise<void>((resolve) => {
    allAccepted = resolve;
  });
  const server = createServer((socket) => {
    members.push(socket);
    if (members.length === size) allAccepted();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  let received = 0;
  let wanted = Number.POSITIVE_INFINITY;
  let allArrived: () => void = () => {};
  const clients = Array.from({ length: size }, () => {
    const client = connect(port, '127.0.0.1');
    client.on('data', (chunk: Buffer) => {
      for (const byte of chunk) if (byte === 0x0a) received++; // one '\n' per line
      if (received >= wanted) allArrived();
    });
    return client;
  });
  await accepted;
  /** Resolves with the lines received once there are `count`, or when `ms` have passed. */
  const arrival = (count: number, ms: number) =>
    new Promise<number>((resolve) => {
      const timer = setTimeout(() => resolve(received), ms);
      wanted = count;
      allArrived = () => {
        clearTimeout(timer);
        resolve(received);
      };
      if (received >= wanted) allArrived();
    });
  const close = () => {
    for (const socket of [...clients, ...members]) socket.destroy();
    server.close();
  };
  return { members, arrival, close };
}

// 2. Fan-out: the whole of a chat server's broadcast, and the part that does not scale.
//    (3.1's hub also checks each member's backlog before writing; this loop does not.)
function broadcast(members: readonly Socket[], line: string): void {
  for (const member of members) member.write(line);
}

// 3. Time LINES broadcasts to one room, then wait until every member has every line.
async function measure(size: number): Promise<string> {
  const room = await openRoom(size);
  try {
    broadcast(room.members, LINE); // untimed: the first call also compiles the loop
    const started = performance.now();
    for (let i = 0; i < LINES; i++) broadcast(room.members, LINE);
    const heldMs = performance.now() - started;
    const writes = size * LINES;
    const expected = writes + size; // and the untimed line
    const received = await room.arrival(expected, ARRIVAL_TIMEOUT_MS);
    const microsPerWrite = ((heldMs * 1000) / writes).toFixed(2);
    const arrived =
      received === expected
        ? `every member got all ${LINES + 1} lines`
        : `only ${received} of ${expected} lines arrived`;
    return `room of ${size}: ${LINES} lines = ${writes} writes, the thread held ${heldMs.toFixed(1)} ms (${microsPerWrite} µs per write); ${arrived}`;
  } finally {
    room.close();
  }
}

async function main(): Promise<void> {
  for (const size of ROOM_SIZES) console.log(await measure(size));
}

await main();
