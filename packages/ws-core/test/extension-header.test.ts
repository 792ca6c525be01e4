import { describe, expect, test } from 'vitest';
import { formatExtension, parseExtensions } from '../src/extensions/extension-header.ts';

describe('the Sec-WebSocket-Extensions list (RFC 6455 §9.1)', () => {
  test('reads each element with its parameters, in order, names lower-cased', () => {
    expect(
      parseExtensions(
        'permessage-deflate; client_max_window_bits, Permessage-Deflate;Server_No_Context_Takeover ;server_max_window_bits = 10, x-foo',
      ),
    ).toEqual([
      { name: 'permessage-deflate', params: [['client_max_window_bits', true]] },
      {
        name: 'permessage-deflate',
        params: [
          ['server_no_context_takeover', true],
          ['server_max_window_bits', '10'],
        ],
      },
      { name: 'x-foo', params: [] },
    ]);
  });

  test('unquotes a quoted value, and a comma or semicolon inside quotes splits nothing', () => {
    expect(parseExtensions('permessage-deflate; server_max_window_bits="10"')).toEqual([
      { name: 'permessage-deflate', params: [['server_max_window_bits', '10']] },
    ]);
    // The value after unquoting must still be a token: "a,b" is not one.
    expect(parseExtensions('x; p="a,b", permessage-deflate')).toEqual([
      { malformed: 'x; p="a,b"', reason: 'bad value in p="a,b"' },
      { name: 'permessage-deflate', params: [] },
    ]);
  });

  test('keeps a repeated parameter repeated (offers that repeat one are declined later)', () => {
    expect(parseExtensions('permessage-deflate; a; a')).toEqual([
      {
        name: 'permessage-deflate',
        params: [
          ['a', true],
          ['a', true],
        ],
      },
    ]);
  });

  test('skips empty elements and returns nothing for no header', () => {
    expect(parseExtensions(undefined)).toEqual([]);
    expect(parseExtensions('')).toEqual([]);
    expect(parseExtensions(' , ,permessage-deflate,')).toEqual([
      { name: 'permessage-deflate', params: [] },
    ]);
  });

  test.each([
    ['permessage deflate', 'bad extension name permessage deflate'],
    ['permessage-deflate; =10', 'bad parameter =10'],
    ['permessage-deflate; a b', 'bad parameter a b'],
    ['permessage-deflate; a=', 'bad value in a='],
    ['permessage-deflate; a=1 2', 'bad value in a=1 2'],
  ])('marks %j as malformed (%s) and still reads the elements after it', (text, reason) => {
    expect(parseExtensions(`${text}, permessage-deflate`)).toEqual([
      { malformed: text, reason },
      { name: 'permessage-deflate', params: [] },
    ]);
  });

  test('an unterminated quote runs to the end of the header: the elements before it stand', () => {
    expect(parseExtensions('permessage-deflate, permessage-deflate; a="10, x')).toEqual([
      { name: 'permessage-deflate', params: [] },
      { malformed: 'permessage-deflate; a="10, x', reason: 'unterminated quoted string' },
    ]);
  });

  test('formats an element the way the 101 carries it', () => {
    expect(
      formatExtension({
        name: 'permessage-deflate',
        params: [
          ['server_no_context_takeover', true],
          ['client_max_window_bits', '10'],
        ],
      }),
    ).toBe('permessage-deflate; server_no_context_takeover; client_max_window_bits=10');
  });
});
