import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { runIdleBenchmark } from './idle.ts';
import { OURS } from './report.ts';
import { IDLE_TARGETS } from './run.ts';

describe('idle benchmark', () => {
  let scratch: string | undefined;
  afterEach(() => {
    if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
    scratch = undefined;
  });

  test('--heap-snapshot into a directory that does not exist yet makes it and writes both snapshots there', {
    timeout: 120_000,
  }, async () => {
    scratch = mkdtempSync(join(tmpdir(), 'ws-core-idle-'));
    const dir = join(scratch, 'snapshots', 'idle');
    const ours = IDLE_TARGETS.filter((target) => target.name === OURS);
    expect(ours).toHaveLength(1);
    const rows = await runIdleBenchmark(
      { connections: [5], rounds: 1, heapSnapshotDir: dir },
      ours,
    );
    expect(rows).toHaveLength(1);
    const [row] = rows;
    expect(row?.errors).toEqual([]);
    expect(row?.upgraded).toBe(5);
    expect(row?.snapshots?.before).toBe(join(dir, 'ours-5-0-before.heapsnapshot'));
    expect(row?.snapshots?.after).toBe(join(dir, 'ours-5-0-after.heapsnapshot'));
    expect(existsSync(row?.snapshots?.before ?? '')).toBe(true);
    expect(existsSync(row?.snapshots?.after ?? '')).toBe(true);
  });
});
