/**
 * UTF-8 validation for text messages (§8.1: invalid UTF-8 fails the connection with 1007).
 *
 * A message in one frame is checked with Node's native `isUtf8` and decoded in one go.
 * A fragmented message is decoded fragment by fragment with a fatal, streaming TextDecoder:
 * it keeps an incomplete trailing sequence for the next fragment, but throws as soon as a
 * byte makes the text invalid — even a prefix such as ED A0 (a surrogate) at the end of a
 * fragment — so a bad byte in fragment 2 of 1000 fails the connection at fragment 2.
 */
import { isUtf8 } from 'node:buffer';
import { CloseCode } from './constants.ts';
import { ProtocolError } from './errors.ts';
import { stringCollector } from './pieces.ts';

function invalidUtf8(what: string, cause?: unknown): ProtocolError {
  return new ProtocolError(
    CloseCode.INVALID_PAYLOAD,
    'WS_ERR_INVALID_UTF8',
    `${what} is not valid utf-8`,
    { cause },
  );
}

/** Decodes a complete text payload, or throws ProtocolError(1007). */
export function decodeUtf8(bytes: Buffer, what = 'text message'): string {
  if (!isUtf8(bytes)) throw invalidUtf8(what);
  return bytes.toString('utf8');
}

/** Decodes a text message that arrives in fragments, failing on the first invalid byte. */
export class StreamingUtf8Decoder {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  // Decoded pieces, joined into blocks so that tiny fragments cost no more than their text.
  private readonly parts = stringCollector();

  /** Adds one fragment; throws ProtocolError(1007) if the text so far cannot be valid. */
  push(bytes: Uint8Array): void {
    try {
      this.parts.push(this.decoder.decode(bytes, { stream: true }));
    } catch (error) {
      throw invalidUtf8('text message', error);
    }
  }

  /** Ends the message; throws ProtocolError(1007) if it stops in the middle of a character. */
  end(): string {
    try {
      this.parts.push(this.decoder.decode());
    } catch (error) {
      throw invalidUtf8('text message', error);
    }
    return this.parts.take();
  }
}
