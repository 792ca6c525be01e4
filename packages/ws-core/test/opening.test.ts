import { describe, expect, test } from 'vitest';
import { DEFAULT_HANDSHAKE_TIMEOUT, HandshakeError } from '../src/index.ts';
import { ServerOpening } from '../src/opening.ts';
import { UPGRADE_REQUEST } from './tcp-helpers.ts';

const request = Buffer.from(UPGRADE_REQUEST);

/** The HTTP status an opening step refuses with, or its kind when it does not refuse. */
function outcome(step: ReturnType<ServerOpening['receive']>): number | string {
  return step.kind === 'refused' ? step.error.status : step.kind;
}

describe('ServerOpening: the deadline, on a clock the test moves', () => {
  test('gives the whole opening DEFAULT_HANDSHAKE_TIMEOUT (10 s) when none is configured', () => {
    expect(DEFAULT_HANDSHAKE_TIMEOUT).toBe(10_000);
    const inTime = new ServerOpening({ startedAt: 0 });
    const never = new ServerOpening({ startedAt: 0 });
    expect(never.waiting).toBe(true);
    expect(outcome(inTime.receive(request.subarray(0, 20), 0))).toBe('waiting');
    expect(outcome(never.receive(request.subarray(0, 20), 0))).toBe('waiting');

    expect(inTime.expire(9_999)).toBeUndefined();
    expect(inTime.timeLeft(9_999)).toBe(1);
    const step = inTime.receive(request.subarray(20), 9_999);
    expect(step.kind === 'request' && step.head.headers.get('sec-websocket-key')).toBe(
      'dGhlIHNhbXBsZSBub25jZQ==',
    );

    expect(never.expire(9_999)).toBeUndefined();
    const late = never.expire(10_000);
    expect(late).toBeInstanceOf(HandshakeError);
    expect([late?.status, late?.code, late?.message]).toEqual([
      408,
      'WS_ERR_HANDSHAKE_TIMEOUT',
      'handshake not completed in time',
    ]);
    expect(never.timeLeft(10_000)).toBe(0);
  });

  test('counts a configured handshakeTimeout from when the connection was accepted', () => {
    const opening = new ServerOpening({ startedAt: 5_000, handshakeTimeout: 300 });
    expect(opening.deadline).toBe(5_300);
    expect(opening.timeLeft(5_100)).toBe(200);
    expect(opening.expire(5_299)).toBeUndefined();
    expect(opening.expire(5_300)?.status).toBe(408);
  });

  test('refuses bytes that complete the head after the deadline, even if no timer ran', () => {
    const opening = new ServerOpening({ startedAt: 0, handshakeTimeout: 1_000 });
    opening.receive(request.subarray(0, 10), 100);
    expect(outcome(opening.receive(request.subarray(10), 1_000))).toBe(408);
  });

  test('keeps its first decision: an accepted head is never expired, a refusal never undone', () => {
    const accepted = new ServerOpening({ startedAt: 0, handshakeTimeout: 1_000 });
    expect(outcome(accepted.receive(request, 10))).toBe('request');
    expect(accepted.waiting).toBe(false);
    expect(accepted.expire(60_000)).toBeUndefined();
    expect(outcome(accepted.receive(Buffer.from('more'), 60_000))).toBe('request');

    const refused = new ServerOpening({ startedAt: 0, handshakeTimeout: 1_000 });
    refused.expire(1_000);
    expect(outcome(refused.receive(request, 1_000))).toBe(408);
  });

  test('passes on the bytes that came after the head in the same read', () => {
    const frame = Buffer.from([0x81, 0x80, 1, 2, 3, 4]);
    const step = new ServerOpening({ startedAt: 0 }).receive(Buffer.concat([request, frame]), 0);
    expect(step.kind === 'request' && Buffer.from(step.rest)).toEqual(frame);
  });
});

describe('ServerOpening: an async admit hook spends from the same deadline', () => {
  function admitting(handshakeTimeout: number) {
    const opening = new ServerOpening({ startedAt: 0, handshakeTimeout });
    expect(outcome(opening.receive(request, 100))).toBe('request');
    opening.startAdmission();
    return opening;
  }

  test('an answer just before the deadline stands', () => {
    const opening = admitting(1_000);
    expect(opening.waiting).toBe(true); // the server keeps its deadline timer
    expect(opening.expire(999)).toBeUndefined();
    expect(opening.finishAdmission(999)).toBeUndefined();
    expect(opening.waiting).toBe(false);
    expect(opening.expire(60_000)).toBeUndefined();
  });

  test('the deadline refuses with 503 and Retry-After while the hook is still deciding; its later answer gets the same 503', () => {
    // The request was complete: the server was slow, not the client, so not 408.
    const opening = admitting(1_000);
    const late = opening.expire(1_000);
    expect(late).toBeInstanceOf(HandshakeError);
    expect([late?.status, late?.code, late?.message, late?.headers]).toEqual([
      503,
      'WS_ERR_ADMISSION_TIMEOUT',
      'admission not decided in time: try again later',
      { 'Retry-After': '5' },
    ]);
    expect(opening.finishAdmission(1_500)).toBe(late);
  });

  test('an answer at or after the deadline is refused with 503 even if no timer ran first', () => {
    expect(admitting(1_000).finishAdmission(1_000)?.code).toBe('WS_ERR_ADMISSION_TIMEOUT');
  });

  test('an admission starts only once the head is in', () => {
    const opening = new ServerOpening({ startedAt: 0 });
    expect(() => opening.startAdmission()).toThrow(
      'an admission starts once the request head is in',
    );
  });
});

describe('ServerOpening: the request head', () => {
  test('refuses a head over maxHeaderBytes with 431 before it is complete', () => {
    const opening = new ServerOpening({ startedAt: 0, maxHeaderBytes: 1024 });
    const step = opening.receive(Buffer.from(`GET / HTTP/1.1\r\nX-Big: ${'a'.repeat(4000)}`), 0);
    expect(outcome(step)).toBe(431);
  });

  test('refuses a malformed request line with 400', () => {
    const opening = new ServerOpening({ startedAt: 0 });
    expect(outcome(opening.receive(Buffer.from('NOT HTTP\r\n\r\n'), 0))).toBe(400);
  });

  test('decides the same whether the head arrives whole or one byte at a time', () => {
    const opening = new ServerOpening({ startedAt: 0 });
    const steps = [...request].map((byte, at) => outcome(opening.receive(Uint8Array.of(byte), at)));
    expect(steps.slice(0, -1).every((step) => step === 'waiting')).toBe(true);
    expect(steps.at(-1)).toBe('request');
  });
});
