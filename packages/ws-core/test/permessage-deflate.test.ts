/**
 * Negotiating permessage-deflate (RFC 7692 §7.1): header strings in, the answer and the agreed
 * windows out. One test per rule, server side then client side.
 */
import { describe, expect, test } from 'vitest';
import { HandshakeError } from '../src/errors.ts';
import {
  type DeflateCodec,
  deflatePayload,
  withDecodeRoom,
} from '../src/extensions/deflate-codec.ts';
import {
  acceptDeflateResponse,
  type DeflateConfig,
  formatDeflateOffer,
  negotiateDeflate,
  type PerMessageDeflateOptions,
  resolveDeflateOptions,
} from '../src/extensions/permessage-deflate.ts';

function config(options: PerMessageDeflateOptions = {}): DeflateConfig {
  return resolveDeflateOptions(options) as DeflateConfig;
}

/** What the server answers to `offers`, and the windows each side then compresses with. */
function serverAnswer(offers: string | undefined, options: PerMessageDeflateOptions = {}) {
  const codec = negotiateDeflate(offers, config(options));
  if (codec === undefined) return undefined;
  const { send, receive } = codec.settings;
  return {
    header: codec.header,
    server: `${send.windowBits}${send.contextTakeover ? '' : ' no takeover'}`,
    client: `${receive.windowBits}${receive.contextTakeover ? '' : ' no takeover'}`,
  };
}

describe('the server: the first acceptable offer wins (§7.1)', () => {
  test.each([
    // [offers, server options, answer, server window, client window]
    ['permessage-deflate', {}, 'permessage-deflate', '13', '15'],
    // What Chromium and ws offer: the client can be told a window, and is told 13 bits.
    [
      'permessage-deflate; client_max_window_bits',
      {},
      'permessage-deflate; client_max_window_bits=13',
      '13',
      '13',
    ],
    [
      'permessage-deflate; client_max_window_bits',
      { clientMaxWindowBits: 15 },
      'permessage-deflate; client_max_window_bits=15',
      '13',
      '15',
    ],
    [
      'permessage-deflate; client_max_window_bits',
      { clientMaxWindowBits: 10 },
      'permessage-deflate; client_max_window_bits=10',
      '13',
      '10',
    ],
    // A smaller value in the offer is answered as it is.
    [
      'permessage-deflate; client_max_window_bits=12',
      {},
      'permessage-deflate; client_max_window_bits=12',
      '13',
      '12',
    ],
    [
      'permessage-deflate; client_max_window_bits=15',
      {},
      'permessage-deflate; client_max_window_bits=13',
      '13',
      '13',
    ],
    [
      'permessage-deflate; client_max_window_bits=12',
      { clientMaxWindowBits: 9 },
      'permessage-deflate; client_max_window_bits=9',
      '13',
      '9',
    ],
    // §7.1.2.1: asked for at most N, answered with "the same or smaller value".
    [
      'permessage-deflate; server_max_window_bits=10',
      {},
      'permessage-deflate; server_max_window_bits=10',
      '10',
      '15',
    ],
    [
      'permessage-deflate; server_max_window_bits=15',
      {},
      'permessage-deflate; server_max_window_bits=13',
      '13',
      '15',
    ],
    [
      'permessage-deflate; server_max_window_bits=15',
      { serverMaxWindowBits: 15 },
      'permessage-deflate; server_max_window_bits=15',
      '15',
      '15',
    ],
    // 8 bits: zlib cannot deflate raw with it, and need not (see deflate-codec.ts).
    [
      'permessage-deflate; server_max_window_bits=8',
      {},
      'permessage-deflate; server_max_window_bits=8',
      '8',
      '15',
    ],
    [
      'permessage-deflate; client_max_window_bits=8',
      {},
      'permessage-deflate; client_max_window_bits=8',
      '13',
      '8',
    ],
    // §7.1.1: asked for, or required by us, and said in the answer either way.
    [
      'permessage-deflate; server_no_context_takeover',
      {},
      'permessage-deflate; server_no_context_takeover',
      '13 no takeover',
      '15',
    ],
    [
      'permessage-deflate',
      { serverNoContextTakeover: true },
      'permessage-deflate; server_no_context_takeover',
      '13 no takeover',
      '15',
    ],
    [
      'permessage-deflate; client_no_context_takeover',
      {},
      'permessage-deflate; client_no_context_takeover',
      '13',
      '15 no takeover',
    ],
    [
      'permessage-deflate',
      { clientNoContextTakeover: true },
      'permessage-deflate; client_no_context_takeover',
      '13',
      '15 no takeover',
    ],
    // Quoted values mean the same (RFC 6455 §9.1).
    [
      'permessage-deflate; server_max_window_bits="11"',
      {},
      'permessage-deflate; server_max_window_bits=11',
      '11',
      '15',
    ],
    // Python websockets' default offer.
    [
      'permessage-deflate; server_max_window_bits=12; client_max_window_bits=12',
      {},
      'permessage-deflate; server_max_window_bits=12; client_max_window_bits=12',
      '12',
      '12',
    ],
    [
      'permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=9; client_max_window_bits=9',
      {},
      'permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=9; client_max_window_bits=9',
      '9 no takeover',
      '9 no takeover',
    ],
  ] as const)('answers %j (options %j) with %j', (offers, options, header, server, client) => {
    expect(serverAnswer(offers, options)).toEqual({ header, server, client });
  });

  test.each([
    ['an unknown parameter', 'permessage-deflate; foo'],
    [
      'a parameter given twice',
      'permessage-deflate; server_no_context_takeover; server_no_context_takeover',
    ],
    ['a value on server_no_context_takeover', 'permessage-deflate; server_no_context_takeover=1'],
    ['a value on client_no_context_takeover', 'permessage-deflate; client_no_context_takeover=yes'],
    ['server_max_window_bits without a value', 'permessage-deflate; server_max_window_bits'],
    ['server_max_window_bits=7', 'permessage-deflate; server_max_window_bits=7'],
    ['server_max_window_bits=16', 'permessage-deflate; server_max_window_bits=16'],
    ['a leading zero', 'permessage-deflate; server_max_window_bits=09'],
    ['client_max_window_bits=0x0f', 'permessage-deflate; client_max_window_bits=0x0f'],
    ['client_max_window_bits=1.5e1', 'permessage-deflate; client_max_window_bits=1.5e1'],
    ['a malformed element', 'permessage-deflate; server_max_window_bits="10'],
  ])('declines an offer with %s, and the connection opens uncompressed', (_, offer) => {
    expect(serverAnswer(offer)).toBeUndefined();
  });

  test.each([
    ['a client that lets us choose its window', 'permessage-deflate; client_max_window_bits', 16],
    ['a client that offers plain permessage-deflate (15 bits)', 'permessage-deflate', 40],
  ])(
    'keeps two windows per connection, for %s: %i KiB after a message each way',
    (_, offer, kib) => {
      const codec = negotiateDeflate(offer, config()) as DeflateCodec;
      const message = Buffer.from('{"id":1,"x":2}'.repeat(4000)); // fills any window
      codec.encode(message);
      codec.decode(
        withDecodeRoom(
          deflatePayload(message, undefined, { windowBits: 15, level: -1, memLevel: 8 }),
        ),
        1 << 20,
      );
      expect(codec.heldBytes).toBe(kib * 1024);
    },
  );

  test('declines an offer it cannot limit when clientMaxWindowBits is below 15', () => {
    expect(serverAnswer('permessage-deflate', { clientMaxWindowBits: 12 })).toBeUndefined();
    expect(serverAnswer('permessage-deflate', { clientMaxWindowBits: 15 })?.header).toBe(
      'permessage-deflate',
    );
  });

  test('skips declined offers and other extensions, and takes the first acceptable one', () => {
    const offers =
      'x-webkit-deflate-frame, permessage-deflate; foo, permessage-deflate; server_max_window_bits=10, permessage-deflate';
    expect(serverAnswer(offers)?.header).toBe('permessage-deflate; server_max_window_bits=10');
  });

  test('reads offers spread over several header lines (joined by the request parser)', () => {
    // Two Sec-WebSocket-Extensions lines arrive as one list, in order (RFC 9110 §5.3).
    const joined = [
      'permessage-deflate; server_max_window_bits=99',
      'permessage-deflate; client_max_window_bits',
    ].join(', ');
    expect(serverAnswer(joined)?.header).toBe('permessage-deflate; client_max_window_bits=13');
  });

  test('answers nothing when nothing is offered, or only other extensions', () => {
    expect(serverAnswer(undefined)).toBeUndefined();
    expect(serverAnswer('x-webkit-deflate-frame; no_context_takeover')).toBeUndefined();
  });
});

describe('the client: one offer, and the answer checked (§7.1)', () => {
  test.each([
    [{}, 'permessage-deflate; client_max_window_bits=13'],
    [{ clientMaxWindowBits: 15 }, 'permessage-deflate; client_max_window_bits=15'],
    [
      {
        serverNoContextTakeover: true,
        clientNoContextTakeover: true,
        serverMaxWindowBits: 10,
        clientMaxWindowBits: 9,
      },
      'permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=9',
    ],
  ] as const)('offers %j as %j', (options, offer) => {
    expect(formatDeflateOffer(config(options))).toBe(offer);
  });

  function clientAgreement(response: string | undefined, options: PerMessageDeflateOptions = {}) {
    const codec = acceptDeflateResponse(response, config(options));
    if (codec === undefined) return undefined;
    const { send, receive } = codec.settings;
    return {
      client: `${send.windowBits}${send.contextTakeover ? '' : ' no takeover'}`,
      server: `${receive.windowBits}${receive.contextTakeover ? '' : ' no takeover'}`,
    };
  }

  test.each([
    ['permessage-deflate', {}, '13', '15'],
    ['permessage-deflate; client_max_window_bits=10', {}, '10', '15'],
    ['permessage-deflate; client_max_window_bits=8', {}, '8', '15'],
    // §7.1.2.1: the server may state its window unasked.
    ['permessage-deflate; server_max_window_bits=9', {}, '13', '9'],
    ['permessage-deflate; server_no_context_takeover', {}, '13', '15 no takeover'],
    // §7.1.1.2: the server may forbid our takeover unasked.
    ['permessage-deflate; client_no_context_takeover', {}, '13 no takeover', '15'],
    ['permessage-deflate; server_max_window_bits=10', { serverMaxWindowBits: 12 }, '13', '10'],
    ['permessage-deflate', { clientNoContextTakeover: true }, '13 no takeover', '15'],
    ['Permessage-Deflate; Server_Max_Window_Bits="11"', {}, '13', '11'],
  ] as const)(
    'accepts %j (options %j): we compress with %s, the server with %s',
    (response, options, client, server) => {
      expect(clientAgreement(response, options)).toEqual({ client, server });
    },
  );

  test('takes no extension when the server declined (no header, or an empty one)', () => {
    expect(clientAgreement(undefined)).toBeUndefined();
    expect(clientAgreement('')).toBeUndefined();
  });

  test.each([
    ['an unknown parameter', 'permessage-deflate; foo'],
    [
      'a repeated parameter',
      'permessage-deflate; server_no_context_takeover; server_no_context_takeover',
    ],
    ['client_max_window_bits without a value', 'permessage-deflate; client_max_window_bits'],
    ['a window above the one we offered', 'permessage-deflate; client_max_window_bits=14'],
    ['server_max_window_bits=16', 'permessage-deflate; server_max_window_bits=16'],
    ['a value on a flag', 'permessage-deflate; client_no_context_takeover=1'],
    ['two answers', 'permessage-deflate, permessage-deflate'],
    ['a malformed element', 'permessage-deflate; server_max_window_bits="9'],
  ])('fails the connection on an answer with %s (WS_ERR_INVALID_EXTENSION)', (_, response) => {
    expect(() => acceptDeflateResponse(response, config())).toThrow(
      expect.objectContaining({ code: 'WS_ERR_INVALID_EXTENSION', status: 101 }),
    );
  });

  test('fails the connection when the server ignores what we asked of its side', () => {
    const ignoredTakeover = () =>
      acceptDeflateResponse('permessage-deflate', config({ serverNoContextTakeover: true }));
    expect(ignoredTakeover).toThrow(/server_no_context_takeover we asked for/);
    const biggerWindow = () =>
      acceptDeflateResponse(
        'permessage-deflate; server_max_window_bits=12',
        config({ serverMaxWindowBits: 10 }),
      );
    expect(biggerWindow).toThrow(/at most the 10 bits we asked for/);
    // Not answering the window we asked for means 15: also too big.
    expect(() =>
      acceptDeflateResponse('permessage-deflate', config({ serverMaxWindowBits: 10 })),
    ).toThrow(HandshakeError);
  });

  test('fails the connection on an extension it did not offer (WS_ERR_UNEXPECTED_EXTENSION)', () => {
    expect(() => acceptDeflateResponse('x-webkit-deflate-frame', config())).toThrow(
      expect.objectContaining({ code: 'WS_ERR_UNEXPECTED_EXTENSION' }),
    );
    // With compression off, even permessage-deflate was not offered.
    expect(() => acceptDeflateResponse('permessage-deflate', undefined)).toThrow(
      expect.objectContaining({ code: 'WS_ERR_UNEXPECTED_EXTENSION' }),
    );
  });
});

describe('the option', () => {
  test('true means every default; false or nothing means off', () => {
    expect(resolveDeflateOptions(true)).toEqual({
      serverNoContextTakeover: false,
      clientNoContextTakeover: false,
      serverMaxWindowBits: undefined,
      clientMaxWindowBits: undefined,
      threshold: 1024,
      level: -1,
      memLevel: 8,
    });
    expect(resolveDeflateOptions(false)).toBeUndefined();
    expect(resolveDeflateOptions(undefined)).toBeUndefined();
  });

  test.each([
    [
      { serverMaxWindowBits: 7 },
      'perMessageDeflate.serverMaxWindowBits must be a whole number from 8 to 15, got 7',
    ],
    [
      { clientMaxWindowBits: 16 },
      'perMessageDeflate.clientMaxWindowBits must be a whole number from 8 to 15, got 16',
    ],
    [{ threshold: -1 }, 'perMessageDeflate.threshold must be a whole number from 0'],
    [{ level: 10 }, 'perMessageDeflate.level must be a whole number from -1 to 9, got 10'],
    [
      { serverNoContextTakeover: 'yes' },
      'perMessageDeflate.serverNoContextTakeover must be true or false',
    ],
  ])('refuses %j, naming the field', (options, message) => {
    expect(() => resolveDeflateOptions(options as PerMessageDeflateOptions)).toThrow(message);
  });
});
