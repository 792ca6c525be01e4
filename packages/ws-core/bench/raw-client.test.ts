import { describe, expect, test } from 'vitest';
import { buildBinaryFrame, pseudoRandomBytes } from './frames-ref.ts';
import { readProcessCpuMs } from './process-cpu.ts';
import { FrameInbox, maskedCloseFrame } from './raw-client.ts';

describe('FrameInbox', () => {
  test.each([0, 125, 126, 65535, 65536, 200_000])(
    'reads a %i-byte server frame fed whole, then fed one byte at a time',
    (size) => {
      const payload = pseudoRandomBytes(size, size + 7);
      const frame = buildBinaryFrame(payload);
      const whole = new FrameInbox();
      whole.push(frame);
      expect(whole.take()?.payload.equals(payload)).toBe(true);
      expect(whole.take()).toBeUndefined();

      const trickle = new FrameInbox();
      const seen: Buffer[] = [];
      // Byte by byte is quadratic for 200 KB; 97-byte steps still split every header field.
      const step = size > 1000 ? 97 : 1;
      for (let at = 0; at < frame.length; at += step) {
        trickle.push(frame.subarray(at, at + step));
        const got = trickle.take();
        if (got) seen.push(got.payload);
      }
      expect(seen).toHaveLength(1);
      expect(seen[0]?.equals(payload)).toBe(true);
    },
  );

  test('hands out several frames that arrived in one read, in order', () => {
    const inbox = new FrameInbox();
    inbox.push(
      Buffer.concat([buildBinaryFrame(Buffer.from('one')), buildBinaryFrame(Buffer.from('two'))]),
    );
    expect(inbox.take()?.payload.toString()).toBe('one');
    expect(inbox.take()?.payload.toString()).toBe('two');
    expect(inbox.take()).toBeUndefined();
  });

  test('refuses a masked frame from a server', () => {
    const inbox = new FrameInbox();
    inbox.push(buildBinaryFrame(Buffer.from('hi'), Buffer.from([1, 2, 3, 4])));
    expect(() => inbox.take()).toThrow(/server sent a masked frame/);
  });
});

test('the close frame carries status 1000 under its mask', () => {
  const frame = maskedCloseFrame(Buffer.from([0xa1, 0xb2, 0xc3, 0xd4]));
  expect([...frame.subarray(0, 6)]).toEqual([0x88, 0x82, 0xa1, 0xb2, 0xc3, 0xd4]);
  expect(((frame[6] ?? 0) ^ 0xa1) * 256 + ((frame[7] ?? 0) ^ 0xb2)).toBe(1000);
});

test('reads a process CPU time from /proc, and NaN for a process that does not exist', () => {
  expect(readProcessCpuMs(process.pid)).toBeGreaterThanOrEqual(0);
  expect(readProcessCpuMs(2 ** 30)).toBeNaN();
  expect(readProcessCpuMs(undefined)).toBeNaN();
});
