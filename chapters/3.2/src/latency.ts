/**
 * 3.2.5's load: a light client pings in a loop and times each answer, while a heavy client
 * keeps several route-planning jobs in flight. The light client's p99 shows whether the
 * heavy work stands between it and the event loop.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { connect, type WebSocketConnection } from '@course/ws-core';
import type { ServerMessage } from './game-server.ts';
import { percentile, round } from './measure.ts';
import { planRoute } from './pathfinding.ts';

/** Answers keyed by id, so requests may overlap on one connection. */
class Client {
  private nextId = 1;
  private readonly waiting = new Map<number, (message: ServerMessage) => void>();
  constructor(readonly connection: WebSocketConnection) {
    connection.on('message', (data: string | Buffer) => {
      const message = JSON.parse(String(data)) as ServerMessage;
      if (message.id !== undefined) this.waiting.get(message.id)?.(message);
      if (message.id !== undefined) this.waiting.delete(message.id);
    });
    connection.on('close', () => {
      for (const resolve of this.waiting.values())
        resolve({ kind: 'error', message: 'connection closed' });
      this.waiting.clear();
    });
  }
  request(body: Record<string, unknown>): Promise<ServerMessage> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.connection.send(JSON.stringify({ id, ...body }));
    });
  }
}

export type LatencyRow = {
  name: string;
  pings: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
  heavy_jobs: number;
  wall_ms: number;
};

export interface LoadOptions {
  url: string;
  name: string;
  durationMs: number;
  /** Heavy jobs kept in flight; 0 measures an idle server. */
  heavyInFlight: number;
  mapSize: number;
  pingEveryMs?: number;
  signal?: AbortSignal;
}

/** Map numbers the heavy client cycles through, with their answers computed before the clock starts. */
const MAPS = [11, 12, 13, 14];

export async function measureLatency(options: LoadOptions): Promise<LatencyRow> {
  const expected = new Map(MAPS.map((map) => [map, planRoute({ map, size: options.mapSize })]));
  const light = new Client(await connect(options.url));
  const heavy = new Client(await connect(options.url));
  const samples: number[] = [];
  let jobs = 0;
  let running = true;
  const start = performance.now();
  const stopAt = start + options.durationMs;
  const keepBusy = async (lane: number) => {
    for (let i = lane; running; i += options.heavyInFlight) {
      const map = MAPS[i % MAPS.length] as number;
      const answer = await heavy.request({ kind: 'plan', map, size: options.mapSize });
      if (!running) return;
      if (answer.kind !== 'route' || answer.steps !== expected.get(map))
        throw new Error(`plan for map ${map} came back as ${JSON.stringify(answer)}`);
      jobs++;
    }
  };
  const lanes = Promise.all(
    Array.from({ length: options.heavyInFlight }, (_, lane) => keepBusy(lane)),
  );
  lanes.catch(() => {}); // awaited below; this only stops an early failure counting as unhandled
  try {
    while (performance.now() < stopAt && !options.signal?.aborted) {
      const sent = performance.now();
      const answer = await light.request({ kind: 'ping' });
      if (answer.kind !== 'pong') throw new Error(`ping came back as ${JSON.stringify(answer)}`);
      samples.push(performance.now() - sent);
      await sleep(options.pingEveryMs ?? 10);
    }
  } finally {
    running = false;
    light.connection.close();
    heavy.connection.close();
  }
  await lanes;
  return {
    name: options.name,
    pings: samples.length,
    p50_ms: round(percentile(samples, 50)),
    p99_ms: round(percentile(samples, 99)),
    max_ms: round(Math.max(...samples)),
    heavy_jobs: jobs,
    wall_ms: round(performance.now() - start, 1),
  };
}
