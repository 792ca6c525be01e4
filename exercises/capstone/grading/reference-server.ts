/**
 * The grader's reference server: the least a room needs for the timing tests — welcome,
 * a 20 Hz state for every player, paths on worker threads — on the `ws` package. The tests run
 * it side by side with yours, under the same bots, and judge your tick's jitter against its
 * jitter: the machine's speed and load cancel out. It moves nobody, checks no input and
 * skips no slow reader; the room you write does all of that.
 */
import { availableParallelism } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { type WebSocket, WebSocketServer } from 'ws';
import { type Cell, MAP_SIZE, makeMap, shortestPath, TICK_MS, TICK_RATE } from './protocol.ts';

const TS_ENTRY = new URL('../../../packages/course-kit/src/ts-entry.mjs', import.meta.url);
const ROLE = 'reference-path-worker';
/** close() ends a worker that never says 'ready' after this long (the tests give close() 3 s). */
const LOAD_GRACE_MS = 2_000;

type Job = { id: number; from: Cell; to: Cell };

export async function startGameServer(options: { host?: string; port?: number } = {}) {
  const seed = Math.floor(Math.random() * 2 ** 32);
  const walls = new Uint8Array(new SharedArrayBuffer(MAP_SIZE * MAP_SIZE));
  walls.set(makeMap(MAP_SIZE, seed));
  const workers = Array.from(
    { length: Math.max(1, availableParallelism() - 1) },
    () => new Worker(TS_ENTRY, { workerData: { tsModule: import.meta.url, role: ROLE, walls } }),
  );
  // Ending a thread while it still loads its module can crash the whole process, so close()
  // waits until each worker has said 'ready' (its first message) or has exited.
  const loaded = workers.map(
    (worker) =>
      new Promise((resolve) => {
        worker.once('message', resolve);
        worker.once('exit', resolve);
      }),
  );
  const replies = new Map<number, (steps: number) => void>();
  for (const worker of workers)
    worker.on('message', (message: { id: number; steps: number } | 'ready') => {
      if (message === 'ready') return;
      replies.get(message.id)?.(message.steps);
      replies.delete(message.id);
    });
  let jobs = 0;

  const players = new Map<WebSocket, { id: number; name: string; x: number; y: number }>();
  let tick = 0;
  let joined = 0;
  const wss = new WebSocketServer({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 });
  wss.on('connection', (ws) => {
    ws.on('message', (data) => {
      const m = JSON.parse(String(data));
      if (m.type === 'join') {
        const player = { id: ++joined, name: m.name, x: 0, y: 0 };
        players.set(ws, player);
        const map = { size: MAP_SIZE, seed };
        ws.send(JSON.stringify({ type: 'welcome', id: player.id, tick, rate: TICK_RATE, map }));
      } else if (m.type === 'path') {
        const job: Job = { id: jobs++, from: m.from, to: m.to };
        replies.set(job.id, (steps) => ws.send(JSON.stringify({ type: 'path', id: m.id, steps })));
        workers[job.id % workers.length]?.postMessage(job);
      }
    });
    ws.on('close', () => players.delete(ws));
  });
  await new Promise((resolve) => wss.once('listening', resolve));

  // The same fixed timeline a good tick loop keeps: a late tick does not push the next ones.
  const start = performance.now();
  let slot = 1;
  let timer = setTimeout(function run() {
    tick++;
    const text = JSON.stringify({ type: 'state', tick, players: [...players.values()] });
    for (const ws of players.keys()) ws.send(text);
    slot = Math.max(slot + 1, Math.ceil((performance.now() - start) / TICK_MS));
    timer = setTimeout(run, start + slot * TICK_MS - performance.now());
  }, TICK_MS);

  return {
    port: (wss.address() as { port: number }).port,
    async close() {
      clearTimeout(timer);
      for (const ws of wss.clients) ws.terminate();
      await new Promise((resolve) => wss.close(resolve));
      await Promise.race([Promise.all(loaded), sleep(LOAD_GRACE_MS, undefined, { ref: false })]);
      await Promise.all(workers.map((worker) => worker.terminate()));
    },
  };
}

if (!isMainThread && workerData?.role === ROLE) {
  const { walls } = workerData as { walls: Uint8Array };
  parentPort?.on('message', ({ id, from, to }: Job) => {
    parentPort?.postMessage({ id, steps: shortestPath(walls, MAP_SIZE, from, to) });
  });
  parentPort?.postMessage('ready');
}
