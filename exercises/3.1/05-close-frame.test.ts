import { fromHex } from '@course/classroom/bytes';
import { describe, expect, it } from 'vitest';
import { CloseFrameError, parseClosePayload } from './05-close-frame.ts';

function closeCodeFor(hex: string): number | string {
  try {
    parseClosePayload(fromHex(hex));
    return 'no error';
  } catch (error) {
    return error instanceof CloseFrameError
      ? error.closeCode
      : `a ${(error as Error).name}, not a CloseFrameError`;
  }
}

describe('3.1/05 parseClosePayload', () => {
  it('reads the code and the utf-8 reason', () => {
    expect(parseClosePayload(fromHex('03 e8 62 79 65'))).toEqual({ code: 1000, reason: 'bye' });
    expect(parseClosePayload(fromHex('0f a0 c3 a9'))).toEqual({ code: 4000, reason: 'é' });
  });

  it('reports 1005 with an empty reason for an empty payload', () => {
    expect(parseClosePayload(new Uint8Array(0))).toEqual({ code: 1005, reason: '' });
  });

  it('fails with 1002 on a 1-byte payload', () => {
    expect(closeCodeFor('03')).toBe(1002);
  });

  it('fails with 1002 on codes no peer may send: 0, 999, 1004–1006, 1015, 1016, 2999, 5000', () => {
    for (const code of [0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000]) {
      const hex = code.toString(16).padStart(4, '0');
      expect(closeCodeFor(hex), `close code ${code}`).toBe(1002);
    }
  });

  it('accepts the codes a peer may send: 1000–1003, 1007–1011, 3000, 4999', () => {
    for (const code of [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 4999]) {
      const hex = code.toString(16).padStart(4, '0');
      expect(parseClosePayload(fromHex(hex)).code, `close code ${code}`).toBe(code);
    }
  });

  it('fails with 1007 when the reason is not valid utf-8', () => {
    expect(closeCodeFor('03 e8 ff fe')).toBe(1007);
    expect(closeCodeFor('03 e8 c3')).toBe(1007);
  });
});
