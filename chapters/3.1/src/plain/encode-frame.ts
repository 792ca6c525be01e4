/**
 * 3.1.5 Sending — a server frame with the shortest of the three length forms.
 * Shows:  0–125 in byte 1 itself; 126 + a 16-bit length; 127 + a 64-bit length. A server
 *         never masks (RFC 6455 §5.1), so MASK is 0 and no key follows.
 * Run:    npx tsx chapters/3.1/src/plain/encode-frame.ts
 * Expect: "5 bytes → 81 05", "200 bytes → 81 7e 00 c8", "70000 bytes → 82 7f 00 00 00 00 00 01 11 70".
 */
import { pathToFileURL } from 'node:url';
import { Opcode } from './frame-header.ts';

/** §5.5: control frames (close, ping, pong) carry at most 125 bytes and are never split. */
const MAX_CONTROL_PAYLOAD = 125;

/** One whole message in one frame: FIN set, `opcode`, the length, then the payload as it is. */
export function encodeServerFrame(opcode: number, payload: Uint8Array): Buffer {
  const length = payload.length;
  if (opcode >= Opcode.CLOSE && length > MAX_CONTROL_PAYLOAD) {
    throw new RangeError(`a control frame carries at most 125 bytes, not ${length}`);
  }
  let header: Buffer;
  if (length <= 125) {
    header = Buffer.alloc(2);
    header.writeUInt8(length, 1);
  } else if (length <= 0xffff) {
    header = Buffer.alloc(4);
    header.writeUInt8(126, 1);
    header.writeUInt16BE(length, 2); // Python: struct.pack("!H", length)
  } else {
    header = Buffer.alloc(10);
    header.writeUInt8(127, 1);
    header.writeBigUInt64BE(BigInt(length), 2); // Python: struct.pack("!Q", length)
  }
  header.writeUInt8(0x80 | opcode, 0); // FIN=1, RSV1-3=0
  return Buffer.concat([header, payload]);
}

function main(): void {
  for (const [opcode, size] of [
    [Opcode.TEXT, 5],
    [Opcode.TEXT, 200],
    [Opcode.BINARY, 70_000],
  ] as const) {
    const frame = encodeServerFrame(opcode, Buffer.alloc(size, 0x61));
    const header = frame.subarray(0, frame.length - size);
    console.log(`${size} bytes → ${header.toString('hex').replace(/(..)(?!$)/g, '$1 ')}`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
