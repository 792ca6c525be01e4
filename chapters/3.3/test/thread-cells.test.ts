import { describe, expect, test } from 'vitest';
import {
  beginImport,
  createThreadCells,
  endImport,
  IMPORTS_IN_FLIGHT,
  stopImports,
} from '../src/pool/thread-cells.ts';

describe('thread cells: a pool thread is never terminated in the middle of a module import', () => {
  test('the pool sees an import in flight and waits; once it ends, the thread may go', () => {
    const cells = createThreadCells();
    expect(beginImport(cells)).toBe(true);
    expect(stopImports(cells)).toBe(false);
    endImport(cells);
    expect(stopImports(cells)).toBe(true);
  });

  test('once the pool is stopping a thread, the thread starts no import and counts none', () => {
    const cells = createThreadCells();
    expect(stopImports(cells)).toBe(true);
    expect(beginImport(cells)).toBe(false);
    expect(Atomics.load(cells, IMPORTS_IN_FLIGHT)).toBe(0);
    expect(stopImports(cells)).toBe(true);
  });

  test('several imports in flight all have to end', () => {
    const cells = createThreadCells();
    beginImport(cells);
    beginImport(cells);
    endImport(cells);
    expect(stopImports(cells)).toBe(false);
    endImport(cells);
    expect(stopImports(cells)).toBe(true);
  });
});
