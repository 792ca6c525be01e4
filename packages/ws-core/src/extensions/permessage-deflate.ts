/**
 * Negotiating permessage-deflate (RFC 7692 §7.1), sans-I/O: header values in, a codec (or
 * none, or a HandshakeError) out.
 *
 * Server: the client lists offers in order of preference, in one header or several. Each is
 * checked on its own; "A server MUST decline an extension negotiation offer for this extension
 * if ... [it] contains an extension parameter not defined for use in an offer ... with an
 * invalid value ... multiple extension parameters with the same name ... [or] the server
 * doesn't support the offered configuration." Declining is not refusing: the first acceptable
 * offer wins, and with none the connection opens uncompressed.
 *
 * Client: we send one offer. "A client MUST _Fail the WebSocket Connection_ if the peer server
 * accepted an extension negotiation offer for this extension with an extension negotiation
 * response meeting any of the following conditions" (unknown, invalid or repeated parameters,
 * or a configuration we do not support). During the opening handshake that means: no
 * connection (RFC 6455 §4.1), so `acceptDeflateResponse` throws and `connect` rejects.
 *
 * The four parameters, and what each side may say:
 *
 *   parameter                   client offer          server response
 *   server_no_context_takeover  asks the server       the server will not take over (MAY answer unasked)
 *   client_no_context_takeover  a hint: we won't      the client MUST NOT take over (MAY answer unasked)
 *   server_max_window_bits=N    asks for <= N         the server's window, <= the N asked (MAY answer unasked)
 *   client_max_window_bits[=N]  we can honour a limit the client's window, <= N; only if offered
 */
import { HandshakeError } from '../errors.ts';
import { DeflateCodec, type DeflateCodecSettings } from './deflate-codec.ts';
import {
  type ExtensionElement,
  formatExtension,
  isMalformed,
  parseExtensions,
} from './extension-header.ts';

export const PERMESSAGE_DEFLATE = 'permessage-deflate';

/** §7.1.2: "a decimal integer value without leading zeroes between 8 to 15, inclusive". */
const WINDOW_BITS = /^(?:[89]|1[0-5])$/;
const MIN_WINDOW_BITS = 8;
const MAX_WINDOW_BITS = 15;

/**
 * The window each side compresses with unless configured: 8 KiB, ours always, the peer's when
 * it lets us choose (a client that offers client_max_window_bits, as browsers and `ws` do).
 * Each message's deflate primes zlib with the window kept, and hashing 32 KiB of it costs
 * more than compressing a 1 KiB message; a connection keeps both windows between messages
 * (bench/deflate-cost.ts measures both).
 */
export const DEFAULT_OWN_WINDOW_BITS = 13;
/** Messages smaller than this are sent uncompressed (as `ws`'s `threshold`). */
export const DEFAULT_DEFLATE_THRESHOLD = 1024;

/**
 * The `perMessageDeflate` option of the server and the client (`true` for all defaults).
 * Names as `ws` has them; what each means depends on the side (see the README's table).
 */
export interface PerMessageDeflateOptions {
  /** Server: never take over context in what it sends. Client: ask the server not to. */
  serverNoContextTakeover?: boolean;
  /** Server: require the client not to take over. Client: do not take over (and say so). */
  clientNoContextTakeover?: boolean;
  /**
   * Server: the largest window it compresses with (default 13); a client asking for less gets
   * less. Client: ask the server to compress with at most this many bits (default: no limit).
   */
  serverMaxWindowBits?: number;
  /**
   * Server: the largest window it lets the client use, when the client offers to be told (default
   * 13); with a value below 15, an offer that cannot be limited (no client_max_window_bits) is
   * declined. Client: the largest window it compresses with (default 13), offered as
   * client_max_window_bits.
   */
  clientMaxWindowBits?: number;
  /** Messages below this many bytes are sent uncompressed (default 1024). */
  threshold?: number;
  /** zlib compression level 0–9, or -1 for zlib's default (6). */
  level?: number;
  /** zlib memLevel 1–9 (default 8): memory for the compressor's hash table during a call. */
  memLevel?: number;
}

/** The options with every default filled in and checked. */
export interface DeflateConfig {
  serverNoContextTakeover: boolean;
  clientNoContextTakeover: boolean;
  serverMaxWindowBits: number | undefined;
  clientMaxWindowBits: number | undefined;
  threshold: number;
  level: number;
  memLevel: number;
}

/**
 * Checks the option and fills in the defaults; undefined when compression is off.
 * Throws TypeError or RangeError naming the bad field: a bug in the caller, found at the call.
 */
export function resolveDeflateOptions(
  option: boolean | PerMessageDeflateOptions | undefined,
): DeflateConfig | undefined {
  if (option === undefined || option === false) return undefined;
  const given: PerMessageDeflateOptions = option === true ? {} : option;
  if (typeof given !== 'object' || given === null) {
    throw new TypeError('perMessageDeflate must be true, false or an options object');
  }
  const flag = (name: 'serverNoContextTakeover' | 'clientNoContextTakeover') => {
    const value = given[name] ?? false;
    if (typeof value !== 'boolean') {
      throw new TypeError(`perMessageDeflate.${name} must be true or false`);
    }
    return value;
  };
  const whole = (name: keyof PerMessageDeflateOptions, min: number, max: number) => {
    const value = given[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw new RangeError(
        `perMessageDeflate.${name} must be a whole number from ${min} to ${max}, got ${String(value)}`,
      );
    }
    return value;
  };
  return {
    serverNoContextTakeover: flag('serverNoContextTakeover'),
    clientNoContextTakeover: flag('clientNoContextTakeover'),
    serverMaxWindowBits: whole('serverMaxWindowBits', MIN_WINDOW_BITS, MAX_WINDOW_BITS),
    clientMaxWindowBits: whole('clientMaxWindowBits', MIN_WINDOW_BITS, MAX_WINDOW_BITS),
    threshold: whole('threshold', 0, Number.MAX_SAFE_INTEGER) ?? DEFAULT_DEFLATE_THRESHOLD,
    level: whole('level', -1, 9) ?? -1,
    memLevel: whole('memLevel', 1, 9) ?? 8,
  };
}

/** One offer's or response's parameters, checked: RFC 7692 §7.1. */
export interface DeflateParams {
  serverNoContextTakeover: boolean;
  clientNoContextTakeover: boolean;
  serverMaxWindowBits: number | undefined;
  /** `true`: offered without a value (only an offer may do that). */
  clientMaxWindowBits: number | true | undefined;
}

/**
 * Reads an element's parameters, or says what is wrong with them: a parameter not defined for
 * this side, one given twice, or a value out of its syntax. A response must give
 * client_max_window_bits a value; an offer need not.
 */
export function readDeflateParams(
  element: ExtensionElement,
  from: 'offer' | 'response',
): DeflateParams | string {
  const params: DeflateParams = {
    serverNoContextTakeover: false,
    clientNoContextTakeover: false,
    serverMaxWindowBits: undefined,
    clientMaxWindowBits: undefined,
  };
  const seen = new Set<string>();
  for (const [name, value] of element.params) {
    if (seen.has(name)) return `${name} given twice`;
    seen.add(name);
    switch (name) {
      case 'server_no_context_takeover':
      case 'client_no_context_takeover':
        if (value !== true) return `${name} takes no value`;
        if (name === 'server_no_context_takeover') params.serverNoContextTakeover = true;
        else params.clientNoContextTakeover = true;
        break;
      case 'server_max_window_bits':
        if (value === true || !WINDOW_BITS.test(value)) return `${name} must be 8 to 15`;
        params.serverMaxWindowBits = Number(value);
        break;
      case 'client_max_window_bits':
        if (value === true) {
          if (from === 'response') return `${name} needs a value in a response`;
          params.clientMaxWindowBits = true;
        } else if (!WINDOW_BITS.test(value)) {
          return `${name} must be 8 to 15`;
        } else {
          params.clientMaxWindowBits = Number(value);
        }
        break;
      default:
        return `unknown parameter ${name}`;
    }
  }
  return params;
}

// ---- server side ----

/** What the server answered to the offer it accepted, and the codec that goes with it. */
export function negotiateDeflate(
  offers: string | readonly string[] | undefined,
  config: DeflateConfig,
): DeflateCodec | undefined {
  for (const element of parseExtensions(offers)) {
    if (isMalformed(element) || element.name !== PERMESSAGE_DEFLATE) continue;
    const params = readDeflateParams(element, 'offer');
    if (typeof params === 'string') continue; // declined; the next offer may do
    const settings = acceptOffer(params, config);
    if (settings !== undefined) return new DeflateCodec(settings);
  }
  return undefined;
}

/** The server's answer to one valid offer, or undefined to decline it. */
function acceptOffer(
  offer: DeflateParams,
  config: DeflateConfig,
): DeflateCodecSettings | undefined {
  const answer: ExtensionElement = { name: PERMESSAGE_DEFLATE, params: [] };
  // §7.1.1.1: the client asked, or we never take over: either way we say so.
  const serverTakeover = !(offer.serverNoContextTakeover || config.serverNoContextTakeover);
  if (!serverTakeover) answer.params.push(['server_no_context_takeover', true]);
  // §7.1.1.2: the client's hint, or our requirement; either way the client must not take
  // over, so we keep no window for it.
  const clientTakeover = !(offer.clientNoContextTakeover || config.clientNoContextTakeover);
  if (!clientTakeover) answer.params.push(['client_no_context_takeover', true]);
  // §7.1.2.1: asked for a window of at most N, "the same or smaller value" in the answer.
  // Unasked, a compressor may always use less than 15 bits without saying so.
  const ownBits = config.serverMaxWindowBits ?? DEFAULT_OWN_WINDOW_BITS;
  const serverBits = Math.min(ownBits, offer.serverMaxWindowBits ?? MAX_WINDOW_BITS);
  if (offer.serverMaxWindowBits !== undefined) {
    answer.params.push(['server_max_window_bits', String(serverBits)]);
  }
  // §7.1.2.2: only a client that offered client_max_window_bits can be told a window. One that
  // did not will use 15 bits, which a configured limit below 15 does not allow. One that did
  // gets our limit (by default the same 13 bits we compress with), or its own if smaller.
  const limit = config.clientMaxWindowBits;
  let clientBits = MAX_WINDOW_BITS;
  if (offer.clientMaxWindowBits === undefined) {
    if (limit !== undefined && limit < MAX_WINDOW_BITS) return undefined;
  } else {
    const offered =
      offer.clientMaxWindowBits === true ? MAX_WINDOW_BITS : offer.clientMaxWindowBits;
    clientBits = Math.min(offered, limit ?? DEFAULT_OWN_WINDOW_BITS);
    answer.params.push(['client_max_window_bits', String(clientBits)]);
  }
  return {
    header: formatExtension(answer),
    send: { windowBits: serverBits, contextTakeover: serverTakeover },
    receive: { windowBits: clientBits, contextTakeover: clientTakeover },
    threshold: config.threshold,
    level: config.level,
    memLevel: config.memLevel,
  };
}

// ---- client side ----

/** The offer a client sends: one element, always with client_max_window_bits (we honour any). */
export function formatDeflateOffer(config: DeflateConfig): string {
  const offer: ExtensionElement = { name: PERMESSAGE_DEFLATE, params: [] };
  if (config.serverNoContextTakeover) offer.params.push(['server_no_context_takeover', true]);
  if (config.clientNoContextTakeover) offer.params.push(['client_no_context_takeover', true]);
  if (config.serverMaxWindowBits !== undefined) {
    offer.params.push(['server_max_window_bits', String(config.serverMaxWindowBits)]);
  }
  const ownBits = config.clientMaxWindowBits ?? DEFAULT_OWN_WINDOW_BITS;
  offer.params.push(['client_max_window_bits', String(ownBits)]);
  return formatExtension(offer);
}

function invalidResponse(message: string): HandshakeError {
  return new HandshakeError(101, 'WS_ERR_INVALID_EXTENSION', message);
}

/**
 * Checks the server's Sec-WebSocket-Extensions against the offer made with `config` (undefined:
 * none was made). Returns the codec, or undefined when the server declined. Throws
 * HandshakeError: WS_ERR_UNEXPECTED_EXTENSION for an extension we did not offer,
 * WS_ERR_INVALID_EXTENSION for a permessage-deflate answer that breaks §7.1.
 */
export function acceptDeflateResponse(
  lines: string | readonly string[] | undefined,
  config: DeflateConfig | undefined,
): DeflateCodec | undefined {
  const elements = parseExtensions(lines);
  const header = typeof lines === 'string' ? lines : lines?.join(', ');
  if (elements.length === 0) return undefined;
  // RFC 6455 §9.1: the server answers only with extensions the client listed.
  const foreign = elements.find(
    (element) => !isMalformed(element) && element.name !== PERMESSAGE_DEFLATE,
  );
  if (config === undefined || foreign !== undefined) {
    const name = foreign && !isMalformed(foreign) ? foreign.name : header;
    throw new HandshakeError(
      101,
      'WS_ERR_UNEXPECTED_EXTENSION',
      `server accepted an extension we did not offer: ${name}`,
    );
  }
  const [first] = elements;
  if (first === undefined || isMalformed(first)) {
    throw invalidResponse(`malformed sec-websocket-extensions in the response: ${header}`);
  }
  if (elements.length > 1) {
    // We offered one; two elements would both claim RSV1 (RFC 7692 §6: one such extension).
    throw invalidResponse(`server answered with more than one extension: ${header}`);
  }
  const params = readDeflateParams(first, 'response');
  if (typeof params === 'string') throw invalidResponse(`permessage-deflate response: ${params}`);
  // We asked for server_no_context_takeover or a server window: the answer must agree to it.
  if (config.serverNoContextTakeover && !params.serverNoContextTakeover) {
    throw invalidResponse('server ignored the server_no_context_takeover we asked for');
  }
  const asked = config.serverMaxWindowBits;
  if (asked !== undefined && (params.serverMaxWindowBits ?? MAX_WINDOW_BITS) > asked) {
    throw invalidResponse(`server window must be at most the ${asked} bits we asked for`);
  }
  const ownBits = config.clientMaxWindowBits ?? DEFAULT_OWN_WINDOW_BITS;
  const clientBits = params.clientMaxWindowBits;
  if (typeof clientBits === 'number' && clientBits > ownBits) {
    throw invalidResponse(
      `client_max_window_bits=${clientBits} is above the ${ownBits} we offered`,
    );
  }
  return new DeflateCodec({
    header: formatExtension(first),
    send: {
      windowBits: typeof clientBits === 'number' ? clientBits : ownBits,
      contextTakeover: !(params.clientNoContextTakeover || config.clientNoContextTakeover),
    },
    receive: {
      windowBits: params.serverMaxWindowBits ?? MAX_WINDOW_BITS,
      contextTakeover: !params.serverNoContextTakeover,
    },
    threshold: config.threshold,
    level: config.level,
    memLevel: config.memLevel,
  });
}
