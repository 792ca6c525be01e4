import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { ConnectionClosedError, ERROR_CODES, ProtocolError, WebSocketError } from '../src/index.ts';

const sources = readdirSync(new URL('../src/', import.meta.url), { recursive: true })
  .map(String)
  .filter((name) => name.endsWith('.ts'))
  .map((name) => readFileSync(new URL(`../src/${name}`, import.meta.url), 'utf8'))
  .join('\n');

describe('error codes', () => {
  test.each(Object.keys(ERROR_CODES))('%s is given by a throw site in src/', (code) => {
    // Each must appear as a literal outside the table itself (whose keys are not quoted).
    expect(sources.includes(`'${code}'`)).toBe(true);
  });

  test('every error of the tree carries its code; a closed connection keeps its close code apart', () => {
    const closed = new ConnectionClosedError(1001, 'going away');
    expect(closed).toBeInstanceOf(WebSocketError);
    expect(closed).toMatchObject({ code: 'WS_ERR_CONNECTION_CLOSED', closeCode: 1001 });
    const failure = new ProtocolError(1002, 'WS_ERR_INVALID_OPCODE', 'reserved data opcode 0x3');
    expect(failure).toMatchObject({ code: 'WS_ERR_INVALID_OPCODE', closeCode: 1002 });
  });
});
