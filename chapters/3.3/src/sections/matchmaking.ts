/**
 * A small matchmaking service built from the gevent-style structures (used by 3.3.4).
 *
 *   players ──put(timeout)──▶ lobby: Queue(lobbySize) ──get──▶ matchmaker pairs them
 *     matchmaker ──waitAvailable──▶ rooms: Group(limit) ──▶ each player's AsyncResult
 *     every match ──Lock──▶ ladder (an update with an await inside)
 *
 * Backpressure runs backwards: rooms full → matchmaker waits → lobby fills → arriving
 * players wait, and give up (WaitTimeoutError) after joinTimeoutMs.
 */
import { AsyncResult, Event, Group, Lock, Queue, WaitTimeoutError } from '../sync/index.ts';

export interface MatchmakingOptions {
  players: number;
  lobbySize: number;
  rooms: number;
  joinTimeoutMs: number;
  matchMs: number;
}

export interface MatchmakingReport {
  seated: number;
  turnedAway: number;
  matches: number;
  peakRooms: number;
  ladderPoints: number;
  outcomes: string[];
}

interface Player {
  name: string;
  rating: number;
  result: AsyncResult<string>;
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runMatchmaking(options: MatchmakingOptions): Promise<MatchmakingReport> {
  const lobby = new Queue<Player | 'closing'>(options.lobbySize);
  const rooms = new Group(options.rooms);
  const ladderLock = new Lock();
  const ladder = new Map<string, number>();
  const open = new Event();
  const report = { seated: 0, turnedAway: 0, matches: 0, peakRooms: 0 };

  // #region arrive
  // 1. A player waits for the doors, then for a place in the lobby, but not forever.
  async function arrive(i: number): Promise<Player | undefined> {
    const player = { name: `p${i}`, rating: (i * 37) % 100, result: new AsyncResult<string>() };
    await open.wait();
    try {
      await lobby.put(player, { timeoutMs: options.joinTimeoutMs });
      report.seated++;
      return player;
    } catch (error) {
      if (!(error instanceof WaitTimeoutError)) throw error;
      report.turnedAway++;
      return undefined;
    }
  }
  // #endregion arrive

  // 2. A match: play, then update the ladder under the lock (the update awaits midway).
  async function play(a: Player, b: Player): Promise<void> {
    report.peakRooms = Math.max(report.peakRooms, rooms.active);
    await wait(options.matchMs);
    const [winner, loser] = a.rating >= b.rating ? [a, b] : [b, a];
    await ladderLock.with(async () => {
      const before = ladder.get(winner.name) ?? 0;
      await Promise.resolve(); // without the lock, another room could write in between
      ladder.set(winner.name, before + 3);
    });
    winner.result.set(`${winner.name} beat ${loser.name}`);
    loser.result.set(`${loser.name} lost to ${winner.name}`);
  }

  // 3. The matchmaker pairs players in arrival order, one free room at a time.
  async function matchmaker(): Promise<void> {
    let first: Player | undefined;
    for (let next = await lobby.get(); next !== 'closing'; next = await lobby.get()) {
      if (!first) {
        first = next;
        continue;
      }
      const pair: [Player, Player] = [first, next];
      first = undefined;
      await rooms.waitAvailable();
      report.matches++;
      void rooms.spawn(() => play(...pair));
    }
    first?.result.set(`${first.name} found no opponent`);
  }

  const matchmaking = matchmaker();
  const arrivals = Array.from({ length: options.players }, (_, i) => arrive(i));
  open.set();
  const players = (await Promise.all(arrivals)).filter((p): p is Player => p !== undefined);
  await lobby.put('closing');
  await matchmaking;
  const outcomes = await Promise.all(players.map((p) => p.result.get({ timeoutMs: 10_000 })));
  await rooms.join();
  const ladderPoints = [...ladder.values()].reduce((sum, points) => sum + points, 0);
  return { ...report, ladderPoints, outcomes };
}
