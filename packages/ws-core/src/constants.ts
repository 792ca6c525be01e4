/**
 * RFC 6455 constants and the package's defaults, in one place so every file agrees.
 * Tables are `as const` objects rather than enums so they read the same in JS and TS.
 */

/** §1.3: appended to Sec-WebSocket-Key before hashing, to prove the server speaks WebSocket. */
export const MAGIC_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** §5.2 opcodes. 0x3–0x7 are reserved for further data frames, 0xB–0xF for control frames. */
export const Opcode = {
  CONTINUATION: 0x0,
  TEXT: 0x1,
  BINARY: 0x2,
  CLOSE: 0x8,
  PING: 0x9,
  PONG: 0xa,
} as const;
export type OpcodeValue = (typeof Opcode)[keyof typeof Opcode];

/** §7.4.1 status codes (1012–1014 were registered later with IANA). */
export const CloseCode = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  PROTOCOL_ERROR: 1002,
  UNSUPPORTED_DATA: 1003,
  // 1004 reserved
  NO_STATUS: 1005, // never sent on the wire: "no code was present"
  ABNORMAL: 1006, // never sent on the wire: "the connection dropped without a close frame"
  INVALID_PAYLOAD: 1007,
  POLICY_VIOLATION: 1008,
  MESSAGE_TOO_BIG: 1009,
  MANDATORY_EXTENSION: 1010,
  INTERNAL_ERROR: 1011,
  SERVICE_RESTART: 1012, // IANA registry: the server is restarting
  TRY_AGAIN_LATER: 1013, // IANA registry: temporary condition, e.g. the server is full
  BAD_GATEWAY: 1014, // IANA registry: a gateway got a bad answer from upstream
} as const;

/** §5.5: "All control frames MUST have a payload length of 125 bytes or less". */
export const MAX_CONTROL_PAYLOAD = 125;
/** A close reason must fit in a control frame after its 2-byte code. */
export const MAX_CLOSE_REASON_BYTES = MAX_CONTROL_PAYLOAD - 2;
/** §5.2: the 64-bit length's top bit MUST be 0; JS numbers are exact only up to 2^53 − 1. */
export const MAX_SAFE_PAYLOAD_LENGTH = Number.MAX_SAFE_INTEGER;
/** Longest possible frame header: 2 fixed bytes + 8 length bytes + 4 mask bytes. */
export const MAX_HEADER_LENGTH = 14;

/**
 * Largest message (all fragments together) we accept by default: 64 MiB.
 * Large enough for the 16 MiB messages the interop tests send with room to spare,
 * small enough that one peer cannot make the server hold gigabytes. Lower it for chat-sized
 * traffic (`maxPayload: 64 * 1024`); the check happens before any payload is buffered.
 */
export const DEFAULT_MAX_PAYLOAD = 64 * 1024 * 1024;
/**
 * Largest message a compressed one may inflate to when `maxPayload` is not set: 4 MiB. A
 * compressed message costs the event loop in proportion to what it inflates to, not to what
 * crossed the wire: at DEFAULT_MAX_PAYLOAD a frame of 64 KiB would hold the loop, and every other
 * connection of the process, for as long as inflating 64 MiB takes, many times what receiving
 * those 64 KiB uncompressed costs. 4 MiB is far above the messages a chat or a game compresses
 * and keeps one message's inflation a short pause (bench/deflate-cost.ts measures it against
 * receiving the same message uncompressed). A `maxPayload` that is set applies to both.
 */
export const DEFAULT_MAX_INFLATED_PAYLOAD = 4 * 1024 * 1024;
/**
 * Payloads at least this big are sent without copying: the frame header and the caller's
 * buffer go to the socket as two pieces (one writev). Smaller frames are copied into one
 * buffer with their header, and a batch of them is joined into a single write.
 */
export const ZERO_COPY_THRESHOLD = 16 * 1024;
/**
 * Most bytes a connection hands its socket in one write, and about as many as it lets wait in
 * the socket behind that write; the rest waits in the connection. Node reports a write as done
 * only once the kernel has taken all of it, so a 64 MiB message written in one go shows no
 * progress until its last byte has left, however steadily a slow peer reads it. In slices, each
 * slice the peer takes shows, and keepalive counts that as a sign of life (liveness.ts). Big
 * enough that a fast peer's writes are rarely split, and a slice the kernel takes at once is
 * followed by the next in the same call.
 */
export const WRITE_SLICE = 256 * 1024;
/** Request head limit; a longer head is answered with 431. */
export const DEFAULT_MAX_HEADER_BYTES = 8192;
/** A handshake that has not completed after this many ms is closed (slow-loris defence). */
export const DEFAULT_HANDSHAKE_TIMEOUT = 10_000;
/**
 * Seconds a 503 refusal asks the client to wait before trying again (its Retry-After header):
 * when the server is full (maxConnections) or its admit hook did not decide in time.
 */
export const RETRY_AFTER_SECONDS = 5;
/** After sending a close frame, how long we wait for the peer's close before destroying. */
export const DEFAULT_CLOSE_TIMEOUT = 5_000;
/**
 * Keepalive (liveness.ts), on by default on the server: without it a peer that vanished
 * without a FIN (a laptop put to sleep, a dropped NAT mapping) holds its connection for ever —
 * Node's sockets have TCP keepalive off, and Linux's would wait two hours — and proxies close
 * WebSockets that stay silent (nginx's proxy_read_timeout and AWS load balancers' idle timeout
 * are 60 s by default). A ping after 20 s of silence keeps such a path open with room to
 * spare; a peer that sends nothing for 20 s after it is dead. The same values as
 * python-websockets; two small frames per idle connection every 20 s cost next to nothing.
 */
export const DEFAULT_PING_INTERVAL = 20_000;
export const DEFAULT_PONG_TIMEOUT = 20_000;
/**
 * Backpressure policy (see README "Design"). Past the high-water mark of bytes waiting to be
 * written, the connection stops reading from the socket until it drains — a peer that stops
 * reading cannot make an echo-style server queue its replies forever.
 */
export const DEFAULT_HIGH_WATER_MARK = 1024 * 1024;
/**
 * Hard limit: a send that would leave more than this many bytes waiting fails the connection
 * (1008) and destroys the socket. It is above DEFAULT_MAX_PAYLOAD so one large message fits.
 */
export const DEFAULT_MAX_BUFFERED_AMOUNT = 2 * DEFAULT_MAX_PAYLOAD;
