/**
 * The reference solutions of chapter 3.1 agree with @course/ws-core, the course's own
 * WebSocket implementation, on arbitrary inputs — so the exercises grade students against
 * the same protocol the chapters run. (3.1's exercise tests do not import ws-core: there the
 * student writes those pieces.)
 */
import * as core from '@course/ws-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import '../src/matchers.ts';
import { computeAcceptKey } from '../../../solutions/3.1/01-accept-key.ts';
import { applyMask } from '../../../solutions/3.1/02-unmask.ts';
import { encodeFrame } from '../../../solutions/3.1/03-encode-frame.ts';
import { decodeFrameHeader } from '../../../solutions/3.1/04-decode-frame-header.ts';
import { isSendableCloseCode } from '../../../solutions/3.1/05-close-frame.ts';

const bytes = (max: number) => fc.uint8Array({ maxLength: max });
const mask = fc.uint8Array({ minLength: 4, maxLength: 4 });
/** Payload lengths around every boundary of the three length forms. */
const length = fc.oneof(
  fc.integer({ min: 0, max: 130 }),
  fc.integer({ min: 65_530, max: 65_540 }),
  fc.integer({ min: 0, max: 70_000 }),
);

describe('the 3.1 reference solutions agree with @course/ws-core', () => {
  it('compute the same accept key for any 16-byte client key', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (raw) => {
        const key = Buffer.from(raw).toString('base64');
        expect(computeAcceptKey(key)).toBe(core.computeAcceptKey(key));
      }),
    );
  });

  it('mask any payload the same way from any offset', () => {
    fc.assert(
      fc.property(bytes(300), mask, fc.nat(1000), (payload, key, offset) => {
        const ours = payload.slice();
        const theirs = payload.slice();
        applyMask(ours, key, offset);
        core.applyMask(theirs, key, offset);
        expect(ours).toEqual(theirs);
      }),
    );
  });

  it('encode the same bytes for any data frame length and for control frames', () => {
    fc.assert(
      fc.property(fc.constantFrom(0x0, 0x1, 0x2), length, fc.boolean(), (opcode, n, fin) => {
        const payload = new Uint8Array(n).fill(0x61);
        // toEqualBytes, not toEqual: a deep comparison of 70 000 bytes takes vitest ages.
        expect(encodeFrame(opcode, payload, fin)).toEqualBytes(
          new Uint8Array(core.encodeFrame(core.frame(opcode, payload, fin))),
        );
      }),
      { numRuns: 60 },
    );
    fc.assert(
      fc.property(fc.constantFrom(0x8, 0x9, 0xa), bytes(125), (opcode, payload) => {
        expect(encodeFrame(opcode, payload)).toEqualBytes(
          new Uint8Array(core.encodeFrame(core.frame(opcode, payload))),
        );
      }),
    );
  });

  it('decode any frame header to the same fields, and wait for the same missing bytes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xf }),
        length,
        fc.option(mask, { nil: undefined }),
        fc.boolean(),
        (opcode, n, key, fin) => {
          const frame = core.encodeFrame(core.frame(opcode, new Uint8Array(n), fin), key);
          const header = frame.subarray(0, core.frameHeaderLength(n, key !== undefined));
          const ours = decodeFrameHeader(header);
          const theirs = core.decodeFrameHeader(header);
          expect(ours).toEqual({
            fin: theirs?.fin,
            opcode: theirs?.opcode,
            masked: theirs?.masked,
            mask: theirs?.mask,
            payloadLength: theirs?.payloadLength,
            headerLength: theirs?.headerLength,
          });
          const short = header.subarray(0, header.length - 1);
          expect(decodeFrameHeader(short)).toBe(core.decodeFrameHeader(short));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('allow exactly the same close codes on the wire', () => {
    const disagree = Array.from({ length: 6000 }, (_, code) => code).filter(
      (code) => isSendableCloseCode(code) !== core.isValidCloseCode(code),
    );
    expect(disagree).toEqual([]);
  });
});
