/**
 * Loads ws's own Receiver and Sender (ws/lib/receiver.js, ws/lib/sender.js) twice: once on
 * ws's pure-JavaScript masking loops and once with the native `bufferutil` addon, and proves
 * which paths each copy runs.
 *
 * Why createRequire: ws's package.json "exports" only exposes ".", so `import 'ws/lib/…'`
 * fails with ERR_PACKAGE_PATH_NOT_EXPORTED. Requiring the files by absolute path loads the very
 * same modules ws itself uses.
 *
 * Why twice: ws/lib/buffer-util.js reads WS_NO_BUFFER_UTIL once, when it loads, and
 * receiver.js and sender.js copy its mask/unmask at their own load. So each flavour loads the
 * three afresh from an emptied module cache, with the variable set or unset, and then puts the
 * cache back as it was, so the rest of the process (e.g. `import 'ws'`) is unaffected.
 */
import type { EventEmitter } from 'node:events';
import http from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

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
interface WsBufferUtil {
  mask: { name: string };
  unmask: { name: string };
}

/** 'js': ws's byte loops (WS_NO_BUFFER_UTIL set); 'bufferutil': its native addon. */
export type WsFlavour = 'js' | 'bufferutil';

/** What ws will use for masking and UTF-8 checks, and whether it is pure JS. */
export interface WsPathReport {
  pureJsMask: boolean;
  nativeAddons: { bufferutil: boolean; 'utf-8-validate': boolean };
  nodeWebsocketMask: boolean;
  description: string;
}

export interface WsLib {
  flavour: WsFlavour;
  Receiver: WsReceiverConstructor;
  Sender: WsSenderConstructor;
  paths: WsPathReport;
}

function resolvable(name: string): boolean {
  try {
    require.resolve(name, { paths: [WS_LIB] });
    return true;
  } catch {
    return false;
  }
}

/** Reports on the buffer-util.js instance given, or on the one `import 'ws'` uses. */
export function inspectWsPaths(
  bufferUtil = require(join(WS_LIB, 'buffer-util.js')) as WsBufferUtil,
): WsPathReport {
  // ws keeps its plain loops under these names and swaps in wrappers only for native helpers.
  const pureJsMask = bufferUtil.mask.name === '_mask' && bufferUtil.unmask.name === '_unmask';
  const nativeAddons = {
    bufferutil: resolvable('bufferutil'),
    'utf-8-validate': resolvable('utf-8-validate'),
  };
  const nodeWebsocketMask = 'websocketMask' in http;
  const addon = (name: keyof typeof nativeAddons, used: boolean) =>
    `${name} ${nativeAddons[name] ? (used ? 'in use' : 'installed, disabled') : 'not installed'}`;
  const description = [
    `mask/unmask: ${pureJsMask ? 'pure JS byte loops' : 'NATIVE'}`,
    addon('bufferutil', !pureJsMask),
    addon('utf-8-validate', false),
    `node http.websocketMask ${nodeWebsocketMask ? 'present' : 'absent'}`,
  ].join('; ');
  return { pureJsMask, nativeAddons, nodeWebsocketMask, description };
}

/** Loads ws's receiver and sender in the given flavour (see the header for how). */
export function loadWs(flavour: WsFlavour): WsLib {
  const saved = Object.entries(require.cache).filter(([path]) => path.startsWith(WS_LIB));
  const savedEnv = process.env.WS_NO_BUFFER_UTIL;
  for (const [path] of saved) delete require.cache[path];
  if (flavour === 'js') process.env.WS_NO_BUFFER_UTIL = '1';
  else delete process.env.WS_NO_BUFFER_UTIL;
  try {
    return {
      flavour,
      Receiver: require(join(WS_LIB, 'receiver.js')) as WsReceiverConstructor,
      Sender: require(join(WS_LIB, 'sender.js')) as WsSenderConstructor,
      paths: inspectWsPaths(require(join(WS_LIB, 'buffer-util.js')) as WsBufferUtil),
    };
  } finally {
    for (const path of Object.keys(require.cache)) {
      if (path.startsWith(WS_LIB)) delete require.cache[path];
    }
    for (const [path, module] of saved) require.cache[path] = module;
    if (savedEnv === undefined) delete process.env.WS_NO_BUFFER_UTIL;
    else process.env.WS_NO_BUFFER_UTIL = savedEnv;
  }
}

/** True when the flavour's masking really is what it says: JS loops, or the native addon. */
export function runsAsLabelled(lib: WsLib): boolean {
  return lib.flavour === 'js' ? lib.paths.pureJsMask : !lib.paths.pureJsMask;
}
