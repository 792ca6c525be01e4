/**
 * §5.3 masking with WebAssembly SIMD: XOR 16 bytes per instruction instead of 4.
 *
 * The module is assembled here, byte by byte, from the listing in `xor-simd.wat` beside this
 * file (the same module in text form, instruction for instruction), so nothing needs a
 * toolchain at install or test time. It is 140 bytes and compiles synchronously when this file
 * loads. test/mask.test.ts pins the bytes to what wabt's wat2wasm makes of the listing.
 *
 * WebAssembly code can only touch its own linear memory, not a Buffer, so the module owns one
 * 64 KiB page (`scratch` below) and every call works in blocks of at most 64 KiB: copy the
 * block in, XOR it in place, copy it out. The two copies are native memcpy; that they still
 * pay off against the JavaScript 32-bit word loop, and from which length, is what
 * `bench/mask-kernels.ts` measures (mask.ts holds the resulting threshold).
 */

// --- The binary format, just the parts this module uses (WebAssembly Core Spec §5) ---------

/** Unsigned LEB128, how the format writes sizes, counts and indices. */
function uleb(value: number): number[] {
  const bytes: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    bytes.push(byte);
  } while (value !== 0);
  return bytes;
}

/** A vector: its length, then its items. */
function vec(items: readonly number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

/** A UTF-8 name, as exports are named. */
function name(text: string): number[] {
  const bytes = [...Buffer.from(text, 'utf8')];
  return [...uleb(bytes.length), ...bytes];
}

/** A section: its id, its size in bytes, its contents. */
function section(id: number, contents: readonly number[]): number[] {
  return [id, ...uleb(contents.length), ...contents];
}

const SECTION = { type: 1, function: 3, memory: 5, export: 7, code: 10 } as const;
const TYPE = { i32: 0x7f, v128: 0x7b, func: 0x60, emptyBlock: 0x40 } as const;
const EXPORT_KIND = { func: 0x00, memory: 0x02 } as const;

// The instructions used below, one function per mnemonic. SIMD instructions are 0xfd followed
// by their number; a memory access carries log2 of its alignment hint and an offset.
const ALIGN_16 = 4;
const local = {
  get: (index: number) => [0x20, index],
  set: (index: number) => [0x21, index],
  tee: (index: number) => [0x22, index],
};
const i32 = {
  // i32.const takes a signed LEB128; the only constant here is 64, which needs two bytes.
  const64: () => [0x41, 0xc0, 0x00],
  add: () => [0x6a],
  ltU: () => [0x49],
};
const i32x4 = { splat: () => [0xfd, 0x11] };
const v128 = {
  load: (offset: number) => [0xfd, 0x00, ALIGN_16, offset],
  store: (offset: number) => [0xfd, 0x0b, ALIGN_16, offset],
  xor: () => [0xfd, 0x51],
};
const loop = () => [0x03, TYPE.emptyBlock];
const brIf = (depth: number) => [0x0d, depth];
const end = () => [0x0b];

// --- The module ----------------------------------------------------------------------------

/** Bytes the module XORs per loop turn: four v128 lanes. Callers round lengths up to this. */
export const STRIDE = 64;
/** One WebAssembly page: the module's whole memory, and the most one call may XOR. */
export const SCRATCH_BYTES = 65536;

// Locals of `xor`: the two parameters, then the declared locals.
const $end = 0;
const $key = 1;
const $at = 2;
const $keyLanes = 3;

/** mem[$at + offset .. +16) ^= $keyLanes */
function xor16(offset: number): number[][] {
  return [
    local.get($at), //                address for the store
    local.get($at),
    v128.load(offset), //             16 bytes at $at + offset
    local.get($keyLanes),
    v128.xor(),
    v128.store(offset),
  ];
}

/**
 * (func $xor (param $end i32) (param $key i32)): mem[0 .. $end) ^= $key repeated, where $end is
 * a multiple of 64 and $key holds the mask bytes in little-endian order (WebAssembly memory is
 * little-endian on every machine). A do-while loop: it XORs at least one stride.
 */
const xorBody: number[] = [
  vec([
    [1, TYPE.i32], //                 (local $at i32)
    [1, TYPE.v128], //                (local $key_lanes v128)
  ]),
  local.get($key),
  i32x4.splat(), //                   the 4 mask bytes in each of the 4 lanes
  local.set($keyLanes),
  loop(), //                          loop $next
  ...xor16(0),
  ...xor16(16),
  ...xor16(32),
  ...xor16(48),
  local.get($at),
  i32.const64(),
  i32.add(),
  local.tee($at), //                  $at += 64
  local.get($end),
  i32.ltU(),
  brIf(0), //                         br_if $next while $at < $end
  end(), //                           end of the loop
  end(), //                           end of the function
].flat();

/** The whole module: one function type, one function, one fixed page of memory, two exports. */
export function buildXorModule(): Uint8Array {
  const bytes = [
    ...[0x00, 0x61, 0x73, 0x6d], // "\0asm"
    ...[0x01, 0x00, 0x00, 0x00], // version 1
    ...section(SECTION.type, vec([[TYPE.func, ...vec([[TYPE.i32], [TYPE.i32]]), ...vec([])]])),
    ...section(SECTION.function, vec([[0]])),
    ...section(SECTION.memory, vec([[0x01, 1, 1]])), // min 1 page, max 1 page: never grows
    ...section(
      SECTION.export,
      vec([
        [...name('memory'), EXPORT_KIND.memory, 0],
        [...name('xor'), EXPORT_KIND.func, 0],
      ]),
    ),
    ...section(SECTION.code, vec([[...uleb(xorBody.length), ...xorBody]])),
  ];
  return Uint8Array.from(bytes);
}

// --- Loading it ----------------------------------------------------------------------------

/** The few WebAssembly calls used here (the project's TypeScript lib has no DOM types). */
interface WebAssemblyApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: Record<string, unknown> };
}

export interface SimdXor {
  /**
   * Writes `source[sourceStart .. +length)` XOR the mask to `target[targetStart ..]`, where
   * source byte 0 takes `mask[phase & 3]`. Source and target may be the same bytes (in place).
   */
  xorInto(
    source: Uint8Array,
    sourceStart: number,
    target: Uint8Array,
    targetStart: number,
    length: number,
    mask: Uint8Array,
    phase: number,
  ): void;
}

/**
 * Compiles the module and returns its XOR, or undefined where WebAssembly or its SIMD
 * proposal is missing (`validate` rejects the SIMD opcodes there) — the caller then keeps
 * the JavaScript loop. `bytes` is a parameter so a test can hand in a module that fails.
 */
export function loadSimdXor(bytes: Uint8Array = buildXorModule()): SimdXor | undefined {
  const api = (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;
  if (api === undefined || !api.validate(bytes)) return undefined;
  const { exports } = new api.Instance(new api.Module(bytes));
  const xor = exports.xor as (end: number, key: number) => void;
  // The memory's maximum is its minimum, so it never grows and this view never detaches.
  const scratch = new Uint8Array((exports.memory as { buffer: ArrayBuffer }).buffer);

  function xorInto(
    source: Uint8Array,
    sourceStart: number,
    target: Uint8Array,
    targetStart: number,
    length: number,
    mask: Uint8Array,
    phase: number,
  ): void {
    // Every block starts at a multiple of 4 bytes into the run, so one key serves them all.
    const key =
      (mask[phase & 3] as number) |
      ((mask[(phase + 1) & 3] as number) << 8) |
      ((mask[(phase + 2) & 3] as number) << 16) |
      ((mask[(phase + 3) & 3] as number) << 24);
    for (let done = 0; done < length; done += SCRATCH_BYTES) {
      const n = Math.min(SCRATCH_BYTES, length - done);
      const from = sourceStart + done;
      scratch.set(n === source.length ? source : source.subarray(from, from + n));
      // The bytes past n up to the next stride are stale; they are XORed but never copied out.
      xor((n + STRIDE - 1) & -STRIDE, key);
      target.set(n === SCRATCH_BYTES ? scratch : scratch.subarray(0, n), targetStart + done);
    }
  }
  return { xorInto };
}
