/**
 * 3.1.5 Unmasking — XOR each payload byte with the 4-byte key, round and round.
 * Shows:  RFC 6455 §5.3's rule on §5.7's example: 7f 9f 4d 51 58 with key 37 fa 21 3d is "Hello".
 * Run:    npx tsx chapters/3.1/src/plain/unmask.ts
 * Expect: "7f 9f 4d 51 58 → Hello", and masking "Hello" again gives the wire bytes back.
 */
import { pathToFileURL } from 'node:url';

/** Byte i is XORed with mask[i % 4]. XOR undoes itself, so the same call masks and unmasks. */
export function unmask(payload: Uint8Array, mask: Uint8Array): Uint8Array {
  if (mask.length !== 4) throw new RangeError(`a masking key is 4 bytes, not ${mask.length}`);
  return Uint8Array.from(payload, (byte, i) => byte ^ (mask[i % 4] ?? 0));
}

function main(): void {
  const mask = Uint8Array.from([0x37, 0xfa, 0x21, 0x3d]);
  const onTheWire = Uint8Array.from([0x7f, 0x9f, 0x4d, 0x51, 0x58]);
  const clear = unmask(onTheWire, mask);
  const hex = (bytes: Uint8Array) =>
    Buffer.from(bytes)
      .toString('hex')
      .replace(/(..)(?!$)/g, '$1 ');
  console.log(`${hex(onTheWire)} → ${Buffer.from(clear).toString('utf8')}`);
  console.log(`masking "Hello" again → ${hex(unmask(clear, mask))}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
