import { describe, expect, test } from 'vitest';
import { DEFAULT_PING_INTERVAL, DEFAULT_PONG_TIMEOUT } from '../src/index.ts';
import { KeepaliveSweep } from '../src/keepalive.ts';
import { keepaliveSettings, Liveness } from '../src/liveness.ts';

const settings = { pingInterval: 1_000, pongTimeout: 500 };

describe('Liveness: the keepalive rule, on a clock the test moves', () => {
  test('with the defaults, pings after 20 s of silence and gives up 20 s after that ping', () => {
    expect([DEFAULT_PING_INTERVAL, DEFAULT_PONG_TIMEOUT]).toEqual([20_000, 20_000]);
    const resolved = keepaliveSettings({});
    expect(resolved).toEqual({ pingInterval: 20_000, pongTimeout: 20_000 });
    const liveness = new Liveness(resolved as NonNullable<typeof resolved>, 0);
    expect(liveness.due(19_999)).toBeUndefined();
    expect(liveness.due(20_000)).toBe('ping');
    expect(liveness.due(39_999)).toBeUndefined();
    expect(liveness.due(40_000)).toBe('dead');
  });

  test('asks for one ping per silence, not one per check', () => {
    const liveness = new Liveness(settings, 0);
    expect(liveness.due(1_000)).toBe('ping');
    expect(liveness.due(1_100)).toBeUndefined();
    expect(liveness.due(1_499)).toBeUndefined();
  });

  test('anything heard from the peer restarts the idle clock', () => {
    const liveness = new Liveness(settings, 0);
    liveness.onActivity(900);
    expect(liveness.due(1_000)).toBeUndefined();
    expect(liveness.due(1_899)).toBeUndefined();
    expect(liveness.due(1_900)).toBe('ping');
  });

  test('an answer after the ping (a pong, or any data) keeps the peer alive; the next ping is a full interval later', () => {
    const liveness = new Liveness(settings, 0);
    expect(liveness.due(1_000)).toBe('ping');
    liveness.onActivity(1_499);
    expect(liveness.due(1_500)).toBeUndefined(); // not dead: it answered in time
    expect(liveness.due(2_498)).toBeUndefined();
    expect(liveness.due(2_499)).toBe('ping');
  });

  test('a peer silent for pongTimeout after the ping is dead, and stays dead', () => {
    const liveness = new Liveness(settings, 0);
    liveness.due(1_000);
    expect(liveness.due(1_499)).toBeUndefined();
    expect(liveness.due(1_500)).toBe('dead');
    expect(liveness.due(9_000)).toBe('dead');
  });
});

describe('Liveness: what our writes show, on a clock the test moves', () => {
  const MiB = 1024 * 1024;

  test('a ping queued behind bytes we owe gets its pongTimeout from when the peer last took some', () => {
    const liveness = new Liveness(settings, 0);
    // Silent for pingInterval while 8 MiB wait for the peer: the ping goes behind them.
    expect(liveness.due(1_000, { sent: 0, owed: 8 * MiB, listening: true })).toBe('ping');
    // The peer reads steadily, too slowly to reach the ping within pongTimeout (500 ms).
    expect(liveness.due(1_400, { sent: 2 * MiB, owed: 6 * MiB, listening: true })).toBeUndefined();
    expect(liveness.due(1_800, { sent: 4 * MiB, owed: 4 * MiB, listening: true })).toBeUndefined();
    expect(liveness.due(2_200, { sent: 8 * MiB, owed: 0, listening: true })).toBeUndefined();
    // Everything, the ping included, has left; no pong pongTimeout after the last progress.
    expect(liveness.due(2_699, { sent: 8 * MiB, owed: 0, listening: true })).toBeUndefined();
    expect(liveness.due(2_700, { sent: 8 * MiB, owed: 0, listening: true })).toBe('dead');
  });

  test('bytes sent while we owed nothing prove nothing: the kernel takes them for a vanished peer too', () => {
    const liveness = new Liveness(settings, 0);
    expect(liveness.due(1_000, { sent: 100, owed: 0, listening: true })).toBe('ping');
    expect(liveness.due(1_250, { sent: 200, owed: 0, listening: true })).toBeUndefined();
    expect(liveness.due(1_500, { sent: 300, owed: 0, listening: true })).toBe('dead');
  });

  test('a peer that takes none of what we owe for pongTimeout is stalled, even while we are not listening', () => {
    const liveness = new Liveness(settings, 0);
    // Reading is paused for backpressure: its silence is not judged, but its not reading is.
    const stuck = { sent: 1 * MiB, owed: 32 * MiB, listening: false };
    expect(liveness.due(100, stuck)).toBeUndefined();
    expect(liveness.due(599, stuck)).toBeUndefined();
    expect(liveness.due(600, stuck)).toBe('stalled');
  });

  test('a slow reader that keeps taking bytes is never stalled, and never pinged while it does', () => {
    const liveness = new Liveness(settings, 0);
    for (let now = 100, sent = 0; now <= 60_000; now += 400, sent += 1024) {
      expect(liveness.due(now, { sent, owed: 32 * MiB, listening: true })).toBeUndefined();
    }
  });
});

describe('keepaliveSettings', () => {
  test('fills in defaults, and pingInterval 0 turns keepalive off', () => {
    expect(keepaliveSettings({ pingInterval: 50 })).toEqual({
      pingInterval: 50,
      pongTimeout: 20_000,
    });
    expect(keepaliveSettings({ pingInterval: 0 })).toBeUndefined();
    const off = { pingInterval: 0, pongTimeout: 20_000 };
    expect(keepaliveSettings({}, off)).toBeUndefined();
    expect(keepaliveSettings({ pingInterval: 10 }, off)).toEqual({
      pingInterval: 10,
      pongTimeout: 20_000,
    });
  });

  test.each([
    [{ pingInterval: -1 }, 'pingInterval must be a number of ms (0 turns keepalive off), got -1'],
    [
      { pingInterval: Number.NaN },
      'pingInterval must be a number of ms (0 turns keepalive off), got NaN',
    ],
    [{ pongTimeout: 0 }, 'pongTimeout must be a positive number of ms, got 0'],
    [
      { pongTimeout: Number.POSITIVE_INFINITY },
      'pongTimeout must be a positive number of ms, got Infinity',
    ],
  ])('refuses %o with a TypeError', (options, message) => {
    expect(() => keepaliveSettings(options)).toThrow(new TypeError(message));
  });
});

describe('KeepaliveSweep', () => {
  test('sweeps every quarter of the shorter setting', () => {
    expect(new KeepaliveSweep({ pingInterval: 20_000, pongTimeout: 20_000 }, () => []).period).toBe(
      5_000,
    );
    expect(new KeepaliveSweep({ pingInterval: 60, pongTimeout: 200 }, () => []).period).toBe(15);
  });
});

describe('KeepaliveSweep.tick, on a clock the test moves', () => {
  function sweepOf(count: number) {
    const checked: number[] = [];
    const members = Array.from({ length: count }, () => ({
      checkLiveness: (now: number) => checked.push(now),
    }));
    const sweep = new KeepaliveSweep({ pingInterval: 100, pongTimeout: 100 }, () => members);
    return { sweep, checked };
  }

  test('asks every connection at each tick: one timer serves them all', () => {
    const { sweep, checked } = sweepOf(3);
    sweep.tick(0);
    sweep.tick(25);
    expect(checked).toEqual([0, 0, 0, 25, 25, 25]);
  });

  test('judges no one on a tick that comes more than two periods late (a blocked event loop)', () => {
    const { sweep, checked } = sweepOf(1);
    sweep.tick(0);
    sweep.tick(25);
    sweep.tick(76); // 51 ms after the last: pongs may be waiting unread in the sockets
    sweep.tick(101);
    expect(checked).toEqual([0, 25, 101]);
  });

  test('under lag that lasts, skips at most one late tick in a row: keepalive never turns itself off', () => {
    const { sweep, checked } = sweepOf(1);
    // Every tick 60 ms after the last, more than two 25 ms periods: each one is late.
    for (let now = 0; now <= 300; now += 60) sweep.tick(now);
    expect(checked).toEqual([0, 120, 240]);
  });
});
