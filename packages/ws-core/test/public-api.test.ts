/**
 * The package's public surface: the names `@course/ws-core` exports at run time, and the one
 * entry point package.json offers. A new export fails the first test until it is added here,
 * so making a name public is a decision (the README and docs/ws-core.md list the same names).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, test } from 'vitest';
import * as api from '../src/index.ts';

/** Sorted by UTF-16 code units, as Array.prototype.sort() sorts strings. */
const PUBLIC_NAMES = [
  'CloseCode',
  'ConnectionClosedError',
  'DEFAULT_CLOSE_TIMEOUT',
  'DEFAULT_HANDSHAKE_TIMEOUT',
  'DEFAULT_HIGH_WATER_MARK',
  'DEFAULT_MAX_BUFFERED_AMOUNT',
  'DEFAULT_MAX_HEADER_BYTES',
  'DEFAULT_MAX_INFLATED_PAYLOAD',
  'DEFAULT_MAX_PAYLOAD',
  'DEFAULT_PING_INTERVAL',
  'DEFAULT_PONG_TIMEOUT',
  'ERROR_CODES',
  'FrameParser',
  'HandshakeError',
  'HttpRequestParser',
  'HttpResponseParser',
  'MAGIC_GUID',
  'MAX_CLOSE_REASON_BYTES',
  'MAX_CONTROL_PAYLOAD',
  'MAX_HEADER_LENGTH',
  'MessageTooBigError',
  'Opcode',
  'Protocol',
  'ProtocolError',
  'RETRY_AFTER_SECONDS',
  'WRITE_SLICE',
  'WebSocketConnection',
  'WebSocketError',
  'WebSocketServer',
  'ZERO_COPY_THRESHOLD',
  'applyMask',
  'computeAcceptKey',
  'connect',
  'createServer',
  'decodeClosePayload',
  'decodeFrameHeader',
  'encodeClosePayload',
  'encodeFrame',
  'firstHeaderByte',
  'formatErrorResponse',
  'formatHttpResponse',
  'formatSwitchingProtocols',
  'formatUpgradeRequest',
  'frame',
  'frameHeaderLength',
  'generateKey',
  'isUpgradeRequest',
  'isValidCloseCode',
  'randomMask',
  'selectProtocol',
  'targetPath',
  'truncateReason',
  'validateUpgradeRequest',
  'validateUpgradeResponse',
  'writeFrameHeader',
];

describe('the public API', () => {
  test('src/index.ts exports exactly the listed names at run time', () => {
    expect(Object.keys(api).sort()).toEqual(PUBLIC_NAMES);
  });

  test('package.json exports only "." (no file of src/ is importable on its own)', () => {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(manifest.exports).toEqual({ '.': './src/index.ts' });
  });

  test("node's resolver finds @course/ws-core and refuses @course/ws-core/<file>", () => {
    const require = createRequire(import.meta.url);
    expect(require.resolve('@course/ws-core')).toBe(
      new URL('../src/index.ts', import.meta.url).pathname,
    );
    expect(() => require.resolve('@course/ws-core/frames')).toThrow(
      expect.objectContaining({ code: 'ERR_PACKAGE_PATH_NOT_EXPORTED' }),
    );
  });
});
