import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import '@course/classroom/matchers';
import { checkUpgrade } from './06-validate-upgrade.ts';

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

/** A valid browser-like request; `change` replaces or (with undefined) removes headers. */
function request(
  change: Record<string, string | undefined> = {},
  requestLine = 'GET /chat HTTP/1.1',
): string {
  const headers: Record<string, string | undefined> = {
    Host: 'server.example.com',
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Key': KEY,
    'Sec-WebSocket-Version': '13',
    Origin: 'http://example.com',
    ...change,
  };
  const lines = Object.entries(headers)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}: ${v}`);
  return `${requestLine}\r\n${lines.join('\r\n')}\r\n\r\n`;
}

describe('3.1/06 checkUpgrade', () => {
  it('accepts a valid request with 101 and the RFC accept value', () => {
    expect(checkUpgrade(request())).toBeHandshake(101, {
      Upgrade: 'websocket',
      Connection: 'Upgrade',
      'Sec-WebSocket-Accept': 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=',
    });
  });

  it('treats header names and the Upgrade value case-insensitively, as browsers send them', () => {
    const head = request()
      .replace('Sec-WebSocket-Key', 'sec-websocket-key')
      .replace('Upgrade: websocket', 'UPGRADE: WebSocket');
    const key = 'x3JJHMbDL1EzLkh9GBhXDw==';
    const accept = createHash('sha1')
      .update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)
      .digest('base64');
    expect(checkUpgrade(head.replace(KEY, key))).toBeHandshake(101, {
      'Sec-WebSocket-Accept': accept,
    });
  });

  it('finds "upgrade" inside a Connection token list such as "keep-alive, Upgrade"', () => {
    expect(checkUpgrade(request({ Connection: 'keep-alive, Upgrade' }))).toBeHandshake(101);
  });

  it('refuses a method other than GET with 405', () => {
    expect(checkUpgrade(request({}, 'POST /chat HTTP/1.1'))).toBeHandshake(405);
  });

  it('refuses HTTP/1.0 with 400', () => {
    expect(checkUpgrade(request({}, 'GET /chat HTTP/1.0'))).toBeHandshake(400);
  });

  it('refuses with 400 when Host, Upgrade, Connection or the key is missing or wrong', () => {
    const faults: Array<[string, string | undefined]> = [
      ['Host', undefined],
      ['Upgrade', undefined],
      ['Upgrade', 'h2c'],
      ['Connection', 'keep-alive'],
      ['Sec-WebSocket-Key', undefined],
      ['Sec-WebSocket-Key', 'c2hvcnQ='],
    ];
    for (const [name, value] of faults) {
      const response = checkUpgrade(request({ [name]: value }));
      expect(response, `${name}: ${value ?? '(missing)'}`).toBeHandshake(400);
    }
  });

  it('refuses another protocol version with 426 and says which version it speaks', () => {
    expect(checkUpgrade(request({ 'Sec-WebSocket-Version': '8' }))).toBeHandshake(426, {
      'Sec-WebSocket-Version': '13',
    });
  });

  it("picks the server's preferred subprotocol among those the client offered", () => {
    const head = request({ 'Sec-WebSocket-Protocol': 'chat, superchat' });
    expect(checkUpgrade(head, ['superchat', 'chat'])).toBeHandshake(101, {
      'Sec-WebSocket-Protocol': 'superchat',
    });
  });

  it('sends no subprotocol when none matches (the original chapter always claims "chat")', () => {
    const response = checkUpgrade(request({ 'Sec-WebSocket-Protocol': 'mqtt' }), ['chat']);
    expect(response).toBeHandshake(101);
    const names = Object.keys(response.headers).map((n) => n.toLowerCase());
    expect(names, 'response header names').not.toContain('sec-websocket-protocol');
  });
});
