import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { computeAcceptKey } from './01-accept-key.ts';

describe('3.1/01 computeAcceptKey', () => {
  it('turns the RFC 6455 sample key into the RFC sample accept value', () => {
    expect(computeAcceptKey('dGhlIHNhbXBsZSBub25jZQ==')).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  });

  it('answers random client keys the way a browser will check them', () => {
    for (let i = 0; i < 20; i++) {
      const key = randomBytes(16).toString('base64');
      const expected = createHash('sha1')
        .update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)
        .digest('base64');
      expect(computeAcceptKey(key), `accept for key ${key}`).toBe(expected);
    }
  });

  it('returns 28 base64 characters, the size of a SHA-1 digest', () => {
    expect(computeAcceptKey('x3JJHMbDL1EzLkh9GBhXDw==')).toMatch(/^[A-Za-z0-9+/]{27}=$/);
  });
});
