/**
 * Masking kernels alone: the JavaScript word loop, the WebAssembly SIMD kernel and the
 * `bufferutil` addon that `ws` uses, on one buffer per length, in GB/s.
 * Shows:  from which length copying into WebAssembly memory and back pays off (mask.ts's
 *         SIMD_THRESHOLD), and how far the SIMD kernel is from native code.
 * Run:    npx tsx packages/ws-core/bench/mask-kernels.ts [--json]
 * Expect: a table per operation (copy-and-mask, mask in place); "simd/js" above 1 from a few
 *         hundred bytes on, and the crossover length printed under each table.
 */
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { formatTable } from '@course/course-kit';
import { applyMaskJs, copyMaskedJs, SIMD_THRESHOLD } from '../src/mask.ts';
import { loadSimdXor } from '../src/wasm/xor-simd.ts';
import { median } from './stats.ts';

export const KERNEL_SIZES = [16, 32, 48, 64, 96, 128, 256, 1024, 4096, 65536, 1 << 20];
const BYTES_PER_SAMPLE = 16 << 20;
const SAMPLES = 7;
const MASK = Uint8Array.from([0x37, 0xfa, 0x21, 0x3d]);

/** `payload` is a view 1 byte into a larger buffer, `target` a buffer with room at offset 3. */
type Kernel = (payload: Uint8Array, target: Uint8Array) => void;

interface NativeMask {
  mask(
    source: Uint8Array,
    mask: Uint8Array,
    output: Uint8Array,
    offset: number,
    length: number,
  ): void;
  unmask(buffer: Uint8Array, mask: Uint8Array): void;
}

function loadBufferutil(): NativeMask | undefined {
  try {
    return createRequire(import.meta.url)('bufferutil') as NativeMask;
  } catch {
    return undefined;
  }
}

/** Each operation's contestants: copy-and-mask (encode, whole frames) and in place (pieces). */
function kernels(): Record<'copy' | 'in place', Record<string, Kernel>> {
  const simd = loadSimdXor();
  const native = loadBufferutil();
  const copy: Record<string, Kernel> = {
    js: (p, t) => copyMaskedJs(p, 0, t, 3, p.length, MASK),
  };
  const inPlace: Record<string, Kernel> = { js: (p) => applyMaskJs(p, MASK, 2) };
  if (simd) {
    copy.simd = (p, t) => simd.xorInto(p, 0, t, 3, p.length, MASK, 0);
    inPlace.simd = (p) => simd.xorInto(p, 0, p, 0, p.length, MASK, 2);
  }
  if (native) {
    copy.bufferutil = (p, t) => native.mask(p, MASK, t, 3, p.length);
    inPlace.bufferutil = (p) => native.unmask(p, MASK);
  }
  return { copy, 'in place': inPlace };
}

/** GB/s of each kernel at `size`: median of SAMPLES, kernels taking turns within a sample. */
function measure(contestants: Record<string, Kernel>, size: number): Record<string, number> {
  const payload = new Uint8Array(size + 8).map((_, i) => i * 7).subarray(1, 1 + size);
  const target = new Uint8Array(size + 8);
  const calls = Math.max(1, Math.floor(BYTES_PER_SAMPLE / size));
  const samples = new Map(Object.keys(contestants).map((name) => [name, [] as number[]]));
  for (let round = -2; round < SAMPLES; round++) {
    for (const [name, kernel] of Object.entries(contestants)) {
      const start = performance.now();
      for (let i = 0; i < calls; i++) kernel(payload, target);
      const seconds = (performance.now() - start) / 1000;
      if (round >= 0) samples.get(name)?.push((calls * size) / 1e9 / seconds);
    }
  }
  return Object.fromEntries([...samples].map(([name, s]) => [name, median(s)]));
}

/** The shortest measured length from which the SIMD kernel wins at every longer length too. */
function crossover(bySize: Record<number, Record<string, number>>): string {
  let from: number | undefined;
  for (const size of KERNEL_SIZES) {
    const r = bySize[size];
    const ahead = r !== undefined && (r.simd ?? 0) > (r.js ?? Number.POSITIVE_INFINITY);
    if (!ahead) from = undefined;
    else from ??= size;
  }
  return from === undefined ? 'no measured length' : `${from} bytes`;
}

function main(): void {
  const { values } = parseArgs({ options: { json: { type: 'boolean' } } });
  const load = loadavg().map((l) => l.toFixed(2));
  console.log(`load ${load.join(' ')}; SIMD_THRESHOLD ${SIMD_THRESHOLD}`);
  const results: Record<string, Record<number, Record<string, number>>> = {};
  for (const [operation, contestants] of Object.entries(kernels())) {
    const bySize: Record<number, Record<string, number>> = {};
    for (const size of KERNEL_SIZES) bySize[size] = measure(contestants, size);
    results[operation] = bySize;
    const names = Object.keys(contestants);
    const rows = KERNEL_SIZES.map((size) => {
      const gbps = bySize[size] ?? {};
      const ratio = (gbps.simd ?? Number.NaN) / (gbps.js ?? Number.NaN);
      return [size, ...names.map((n) => (gbps[n] ?? 0).toFixed(2)), ratio.toFixed(2)];
    });
    console.log(`\n${operation}: GB/s`);
    console.log(formatTable(['bytes', ...names, 'simd/js'], rows));
    console.log(`simd ahead of js at every length from ${crossover(bySize)}`);
  }
  if (values.json) console.log(JSON.stringify(results));
}

main();
