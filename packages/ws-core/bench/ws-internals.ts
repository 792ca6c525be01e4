/**
 * Loads ws's own Receiver and Sender (ws/lib/receiver.js, ws/lib/sender.js) and proves that
 * ws runs its pure-JavaScript paths, so the comparison is TypeScript against JavaScript.
 *
 * Why createRequire: ws's package.json "exports" only exposes ".", so `import 'ws/lib/…'`
 * fails with ERR_PACKAGE_PATH_NOT_EXPORTED. Requiring the files by absolute path loads the very
 * same module instances ws itself uses.
 */
import type { EventEmitter } from 'node:events';
import http from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

// ws reads these when lib/buffer-util.js and lib/validation.js first load: never use the
// optional native addons even if someone installs them later.
process.env.WS_NO_BUFFER_UTIL = '1';
process.env.WS_NO_UTF_8_VALIDATE = '1';

const require = createRequire(import.meta.url);
const WS_LIB = join(dirname(require.resolve('ws')), 'lib');

export interface WsReceiver extends EventEmitter {
  write(chunk: Buffer): boolean;
}
export interface WsReceiverConstructor {
  new (options?: {
    isServer?: boolean;
    maxPayload?: number;
    binaryType?: 'nodebuffer';
    skipUTF8Validation?: boolean;
  }): WsReceiver;
}
export interface WsFrameOptions {
  fin: boolean;
  opcode: number;
  mask: boolean;
  readOnly: boolean;
  rsv1: boolean;
  maskBuffer?: Buffer;
  generateMask?: (mask: Buffer) => void;
}
export interface WsSenderConstructor {
  /** Builds one frame; returns [header+payload] when it copies, [header, payload] otherwise. */
  frame(data: Buffer, options: WsFrameOptions): Buffer[];
}

export const Receiver = require(join(WS_LIB, 'receiver.js')) as WsReceiverConstructor;
export const Sender = require(join(WS_LIB, 'sender.js')) as WsSenderConstructor;

/** What ws will use for masking and UTF-8 checks in this process, and whether it is pure JS. */
export interface WsPathReport {
  pureJsMask: boolean;
  nativeAddons: { bufferutil: boolean; 'utf-8-validate': boolean };
  nodeWebsocketMask: boolean;
  description: string;
}

function resolvable(name: string): boolean {
  try {
    require.resolve(name, { paths: [WS_LIB] });
    return true;
  } catch {
    return false;
  }
}

export function inspectWsPaths(): WsPathReport {
  const bufferUtil = require(join(WS_LIB, 'buffer-util.js')) as {
    mask: { name: string };
    unmask: { name: string };
  };
  // ws keeps its plain loops under these names and swaps in wrappers only for native helpers.
  const pureJsMask = bufferUtil.mask.name === '_mask' && bufferUtil.unmask.name === '_unmask';
  const nativeAddons = {
    bufferutil: resolvable('bufferutil'),
    'utf-8-validate': resolvable('utf-8-validate'),
  };
  const nodeWebsocketMask = 'websocketMask' in http;
  const description = [
    `ws mask/unmask: ${pureJsMask ? 'pure JS byte loops' : 'NATIVE'}`,
    `bufferutil ${nativeAddons.bufferutil ? 'installed (disabled)' : 'not installed'}`,
    `utf-8-validate ${nativeAddons['utf-8-validate'] ? 'installed (disabled)' : 'not installed'}`,
    `node http.websocketMask ${nodeWebsocketMask ? 'present' : 'absent'}`,
  ].join('; ');
  return { pureJsMask, nativeAddons, nodeWebsocketMask, description };
}
