/**
 * The seam between the protocol and an extension that transforms messages (RFC 6455 §9), such
 * as permessage-deflate (RFC 7692). The handshake negotiates one and hands it to the Protocol;
 * the Protocol calls it once per message. Frames, the frame parser and the masking code know
 * nothing of it: an extension sees whole message payloads, never frames.
 *
 *   receive: frames (RSV1 on the first) ──▶ Protocol joins the payload ──▶ decode ──▶ text / binary
 *   send:    sendText / sendBinary ──▶ encode ──▶ one frame, RSV1 set ──▶ dataToSend()
 *
 * The contract, checked by the Protocol so that each extension need not:
 *   - RSV1 on the first frame of a data message marks it as transformed; RSV1 on a control or
 *     continuation frame, or with no extension, fails the connection with 1002 (RFC 7692 §6.1).
 *   - `decode` gets the message's payload only after every fragment has arrived, gathered into
 *     one buffer with `decodeRoom` spare bytes after it, and is told `maxPayload`: it must stop
 *     producing bytes as soon as its output would pass it.
 *   - Text is checked for UTF-8 after `decode`, on what the application would see.
 */

export interface Extension {
  /** The extension token, e.g. 'permessage-deflate'. */
  readonly name: string;
  /** The negotiated element as it appears in Sec-WebSocket-Extensions (e.g. in the 101). */
  readonly header: string;
  /**
   * Spare bytes `decode` needs after a payload: the Protocol gathers each compressed message
   * into a buffer that much longer, so that the extension can append to it without a copy.
   */
  readonly decodeRoom: number;
  /**
   * Turns the payload of a message that arrived with RSV1 into the message itself. `input` is
   * the payload followed by `decodeRoom` spare bytes, which decode may overwrite.
   * Throws ProtocolError: 1009 (MessageTooBigError) once the result would pass `maxPayload`,
   * 1007 when the bytes cannot be decoded.
   */
  decode(input: Buffer, maxPayload: number): Buffer;
  /**
   * The payload to send for a message with RSV1 set, or undefined to send the message as it is
   * (too small to be worth it, or it did not shrink).
   */
  encode(message: Uint8Array): Buffer | undefined;
  /** Messages shorter than this many bytes are sent as they are, without asking `encode`. */
  readonly threshold: number;
  /** Bytes the extension keeps between messages (context takeover windows): memory per connection. */
  readonly heldBytes: number;
}
