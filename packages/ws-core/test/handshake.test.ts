import { describe, expect, test } from 'vitest';
import {
  computeAcceptKey,
  formatErrorResponse,
  formatSwitchingProtocols,
  formatUpgradeRequest,
  generateKey,
  HandshakeError,
  type HttpRequestHead,
  HttpRequestParser,
  HttpResponseParser,
  validateUpgradeRequest,
  validateUpgradeResponse,
} from '../src/index.ts';
import { chunkings } from './helpers.ts';

const RFC_KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

const request = [
  'GET /chat?room=1 HTTP/1.1',
  'Host: server.example.com',
  'Upgrade: websocket',
  'Connection: Upgrade',
  `Sec-WebSocket-Key: ${RFC_KEY}`,
  'Origin: http://example.com',
  'Sec-WebSocket-Protocol: chat, superchat',
  'Sec-WebSocket-Version: 13',
  '',
  '',
].join('\r\n');

function parseHead(text: string): HttpRequestHead {
  const parsed = new HttpRequestParser().push(Buffer.from(text));
  if (parsed === undefined) throw new Error('head incomplete');
  return parsed.head;
}

/** The RFC request with one header replaced (value undefined removes it). */
function requestWith(name: string, value: string | undefined, startLine?: string): HttpRequestHead {
  const head = parseHead(request);
  if (value === undefined) head.headers.delete(name);
  else head.headers.set(name, value);
  if (startLine !== undefined) {
    const [method = '', , version = ''] = startLine.split(' ');
    head.method = method;
    head.version = version;
  }
  return head;
}

function statusOf(run: () => unknown): {
  status: number;
  code: string;
  message: string;
  headers?: Record<string, string>;
} {
  try {
    run();
  } catch (error) {
    if (error instanceof HandshakeError) {
      const { status, code, message, headers } = error;
      return { status, code, message, headers };
    }
    throw error;
  }
  throw new Error('expected a HandshakeError');
}

describe('computeAcceptKey', () => {
  test('matches the RFC 6455 §1.3 example', () => {
    expect(computeAcceptKey(RFC_KEY)).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  });
});

describe('HttpRequestParser', () => {
  test('parses the RFC request with case-insensitive header names', () => {
    const head = parseHead(request.replace('Upgrade: websocket', 'UPGRADE: websocket'));
    expect(head).toMatchObject({ method: 'GET', target: '/chat?room=1', version: 'HTTP/1.1' });
    expect(head.headers.get('upgrade')).toBe('websocket');
    expect(head.headers.get('sec-websocket-key')).toBe(RFC_KEY);
    expect(head.rawHeaders[1]).toEqual(['UPGRADE', 'websocket']);
  });

  test('joins repeated headers with a comma', () => {
    const head = parseHead('GET / HTTP/1.1\r\nX-A: 1\r\nx-a: 2\r\n\r\n');
    expect(head.headers.get('x-a')).toBe('1, 2');
  });

  test('gives the same head fed whole, split at every offset, and byte by byte, and keeps the rest', () => {
    const bytes = Buffer.concat([Buffer.from(request), Buffer.from([0x81, 0x85])]);
    for (const { name, chunks } of chunkings(bytes)) {
      const parser = new HttpRequestParser();
      let result: ReturnType<HttpRequestParser['push']>;
      const rest: Uint8Array[] = [];
      for (const chunk of chunks) {
        if (result === undefined) result = parser.push(chunk);
        else rest.push(chunk);
      }
      expect(result?.head.target, name).toBe('/chat?room=1');
      expect(result?.head.headers.size, name).toBe(7);
      expect(Buffer.concat([result?.rest ?? Buffer.alloc(0), ...rest]).toString('hex'), name).toBe(
        '8185',
      );
    }
  });

  test('answers 431 once the head exceeds the limit, without waiting for its end', () => {
    const parser = new HttpRequestParser({ maxHeaderBytes: 1024 });
    expect(parser.push(Buffer.from('GET / HTTP/1.1\r\n'))).toBeUndefined();
    expect(statusOf(() => parser.push(Buffer.from(`X-Big: ${'a'.repeat(2000)}`)))).toMatchObject({
      status: 431,
      code: 'WS_ERR_HEAD_TOO_LARGE',
    });
  });

  test('answers 431 for a head over the default 8 KiB', () => {
    const big = `GET / HTTP/1.1\r\nX-Big: ${'a'.repeat(8200)}\r\n\r\n`;
    expect(statusOf(() => new HttpRequestParser().push(Buffer.from(big))).status).toBe(431);
  });

  test('accepts a head of exactly the limit', () => {
    const head = 'GET / HTTP/1.1\r\nHost: x\r\n';
    const padded = `${head}X: ${'a'.repeat(100 - head.length - 5)}\r\n`;
    expect(padded.length).toBe(100);
    expect(
      new HttpRequestParser({ maxHeaderBytes: 100 }).push(Buffer.from(`${padded}\r\n`)),
    ).toBeDefined();
  });

  test.each([
    ['a malformed request line', 'GET /\r\n\r\n'],
    ['a header without a colon', 'GET / HTTP/1.1\r\nHost\r\n\r\n'],
    ['a header name with a space', 'GET / HTTP/1.1\r\nBad Name: x\r\n\r\n'],
    ['a folded header line', 'GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n'],
  ])('answers 400 for %s', (_name, text) => {
    expect(statusOf(() => new HttpRequestParser().push(Buffer.from(text)))).toMatchObject({
      status: 400,
      code: 'WS_ERR_MALFORMED_HEAD',
    });
  });
});

describe('validateUpgradeRequest', () => {
  test('accepts the RFC request and computes the accept value', () => {
    expect(validateUpgradeRequest(parseHead(request))).toEqual({
      accept: 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=',
      protocol: undefined,
      key: RFC_KEY,
    });
  });

  test('accepts "Upgrade" and "Connection" in any case and inside token lists', () => {
    const head = requestWith('upgrade', 'WebSocket');
    head.headers.set('connection', 'keep-alive, UPGRADE');
    expect(validateUpgradeRequest(head).accept).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  });

  test('answers 405 with Allow: GET for another method', () => {
    const error = statusOf(() =>
      validateUpgradeRequest(requestWith('host', 'x', 'POST / HTTP/1.1')),
    );
    expect(error).toMatchObject({
      status: 405,
      code: 'WS_ERR_METHOD_NOT_ALLOWED',
      headers: { Allow: 'GET' },
    });
  });

  test('answers 400 for HTTP/1.0', () => {
    expect(
      statusOf(() => validateUpgradeRequest(requestWith('host', 'x', 'GET / HTTP/1.0'))),
    ).toMatchObject({ status: 400, code: 'WS_ERR_INVALID_HTTP_VERSION' });
  });

  test.each([
    ['no Host', 'host', undefined, 'WS_ERR_MISSING_HOST'],
    ['no Upgrade', 'upgrade', undefined, 'WS_ERR_INVALID_UPGRADE_HEADER'],
    ['Upgrade: h2c', 'upgrade', 'h2c', 'WS_ERR_INVALID_UPGRADE_HEADER'],
    ['no Connection', 'connection', undefined, 'WS_ERR_INVALID_CONNECTION_HEADER'],
    ['Connection: keep-alive', 'connection', 'keep-alive', 'WS_ERR_INVALID_CONNECTION_HEADER'],
    ['no key', 'sec-websocket-key', undefined, 'WS_ERR_INVALID_KEY'],
    [
      'a 15-byte key',
      'sec-websocket-key',
      Buffer.alloc(15).toString('base64'),
      'WS_ERR_INVALID_KEY',
    ],
    [
      'a 17-byte key',
      'sec-websocket-key',
      Buffer.alloc(17).toString('base64'),
      'WS_ERR_INVALID_KEY',
    ],
    [
      'a key that is not base64',
      'sec-websocket-key',
      '!!!!!!!!!!!!!!!!!!!!!!==',
      'WS_ERR_INVALID_KEY',
    ],
  ])('answers 400 for %s', (_name, header, value, code) => {
    expect(statusOf(() => validateUpgradeRequest(requestWith(header, value)))).toMatchObject({
      status: 400,
      code,
    });
  });

  test.each([['8'], ['14'], [undefined]])(
    'answers 426 with Sec-WebSocket-Version: 13 for version %s',
    (version) => {
      const error = statusOf(() =>
        validateUpgradeRequest(requestWith('sec-websocket-version', version)),
      );
      expect(error).toMatchObject({
        status: 426,
        code: 'WS_ERR_UNSUPPORTED_VERSION',
        headers: { 'Sec-WebSocket-Version': '13' },
      });
    },
  );

  test('answers 403 when the origin check refuses', () => {
    const seen: Array<string | undefined> = [];
    const checkOrigin = (origin: string | undefined) => {
      seen.push(origin);
      return origin === 'http://good.example';
    };
    expect(
      statusOf(() => validateUpgradeRequest(parseHead(request), { checkOrigin })),
    ).toMatchObject({ status: 403, code: 'WS_ERR_ORIGIN_REFUSED' });
    expect(seen).toEqual(['http://example.com']);
    const good = requestWith('origin', 'http://good.example');
    expect(validateUpgradeRequest(good, { checkOrigin }).key).toBe(RFC_KEY);
  });

  test('answers 404 for a path outside `paths`, ignoring the query, and accepts the listed ones', () => {
    const paths = ['/echo', '/chat'];
    // The RFC request asks for /chat?room=1: the query does not matter.
    expect(validateUpgradeRequest(parseHead(request), { paths }).key).toBe(RFC_KEY);
    const elsewhere = parseHead(request);
    elsewhere.target = '/chatroom?room=1';
    expect(statusOf(() => validateUpgradeRequest(elsewhere, { paths }))).toMatchObject({
      status: 404,
      code: 'WS_ERR_UNKNOWN_PATH',
      message: 'no websocket endpoint at /chatroom: try /echo or /chat',
    });
    expect(validateUpgradeRequest(elsewhere).key).toBe(RFC_KEY); // no `paths`: any path
    expect(statusOf(() => validateUpgradeRequest(elsewhere, { paths: [] })).message).toBe(
      'no websocket endpoint at /chatroom: there are none',
    );
  });

  test('checks the request itself before the path: a bad version on an unknown path is 426', () => {
    const head = requestWith('sec-websocket-version', '8');
    head.target = '/nowhere';
    expect(statusOf(() => validateUpgradeRequest(head, { paths: ['/chat'] })).status).toBe(426);
  });

  test("picks the subprotocol by the server's preference, not the client's order", () => {
    const head = parseHead(request); // offers "chat, superchat"
    expect(validateUpgradeRequest(head, { protocols: ['superchat', 'chat'] }).protocol).toBe(
      'superchat',
    );
    expect(validateUpgradeRequest(head, { protocols: ['chat', 'superchat'] }).protocol).toBe(
      'chat',
    );
  });

  test('never selects a subprotocol it does not support, and sends no header without a match', () => {
    const decision = validateUpgradeRequest(parseHead(request), { protocols: ['mqtt'] });
    expect(decision.protocol).toBeUndefined();
    expect(formatSwitchingProtocols(decision)).not.toMatch(/sec-websocket-protocol/i);
  });

  test('never accepts an offered extension', () => {
    const head = requestWith(
      'sec-websocket-extensions',
      'permessage-deflate; client_max_window_bits',
    );
    expect(formatSwitchingProtocols(validateUpgradeRequest(head))).not.toMatch(/extensions/i);
  });
});

describe('responses', () => {
  test('formats the 101 response of the RFC example', () => {
    const decision = validateUpgradeRequest(parseHead(request), { protocols: ['chat'] });
    expect(formatSwitchingProtocols(decision)).toBe(
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: chat\r\n\r\n',
    );
  });

  test('formats a refusal with its headers and a short text body', () => {
    const text = formatErrorResponse(
      new HandshakeError(426, 'WS_ERR_UNSUPPORTED_VERSION', 'use version 13', {
        'Sec-WebSocket-Version': '13',
      }),
    );
    expect(text).toBe(
      'HTTP/1.1 426 Upgrade Required\r\nContent-Type: text/plain; charset=utf-8\r\n' +
        'Sec-WebSocket-Version: 13\r\nContent-Length: 15\r\nConnection: close\r\n\r\nuse version 13\n',
    );
  });
});

describe('client side', () => {
  test('generates 16-byte base64 keys that the server side accepts', () => {
    const key = generateKey();
    expect(Buffer.from(key, 'base64')).toHaveLength(16);
    const text = formatUpgradeRequest(new URL('ws://127.0.0.1:9000/chat?x=1'), key, {
      protocols: ['a', 'b'],
    });
    const head = parseHead(text);
    expect(head.target).toBe('/chat?x=1');
    expect(head.headers.get('host')).toBe('127.0.0.1:9000');
    expect(validateUpgradeRequest(head, { protocols: ['b'] })).toMatchObject({
      key,
      protocol: 'b',
    });
  });

  function response(lines: string[]) {
    const parsed = new HttpResponseParser().push(Buffer.from(`${lines.join('\r\n')}\r\n\r\n`));
    if (parsed === undefined) throw new Error('incomplete');
    return parsed.head;
  }
  const good = [
    'HTTP/1.1 101 Switching Protocols',
    'Upgrade: websocket',
    'Connection: Upgrade',
    'Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=',
  ];

  test('accepts a correct 101', () => {
    expect(validateUpgradeResponse(response(good), RFC_KEY)).toEqual({ protocol: undefined });
  });

  test('rejects a wrong Sec-WebSocket-Accept with a HandshakeError', () => {
    const wrong = [...good.slice(0, 3), 'Sec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA='];
    expect(() => validateUpgradeResponse(response(wrong), RFC_KEY)).toThrow(
      'sec-websocket-accept does not match',
    );
    expect(statusOf(() => validateUpgradeResponse(response(wrong), RFC_KEY)).code).toBe(
      'WS_ERR_INVALID_ACCEPT',
    );
  });

  test('rejects a refusal, carrying its status', () => {
    expect(
      statusOf(() => validateUpgradeResponse(response(['HTTP/1.1 404 Not Found']), RFC_KEY)),
    ).toMatchObject({ status: 404, code: 'WS_ERR_UPGRADE_REFUSED' });
  });

  test('rejects a subprotocol it did not offer and an extension it did not ask for', () => {
    expect(
      statusOf(() =>
        validateUpgradeResponse(response([...good, 'Sec-WebSocket-Protocol: x']), RFC_KEY, ['y']),
      ).code,
    ).toBe('WS_ERR_UNEXPECTED_SUBPROTOCOL');
    expect(
      statusOf(() =>
        validateUpgradeResponse(
          response([...good, 'Sec-WebSocket-Extensions: permessage-deflate']),
          RFC_KEY,
        ),
      ).code,
    ).toBe('WS_ERR_UNEXPECTED_EXTENSION');
  });
});
