/**
 * The original chapter's MPTest, as written and as meant. Kept apart from the section so a test can run
 * both and prove the erratum: close() and join() sit inside the loop there.
 */
import type { Pool } from '../pool/index.ts';
import { tasks } from '../tasks.ts';

/**
 * The original, line for line: `for i in range(1000): apply_async(...); close(); join()`.
 * The first round closes the pool, so the second apply_async throws PoolClosedError.
 */
export async function mpTestAsWritten(pool: Pool, count: number): Promise<string[]> {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const result = pool.applyAsync(tasks.describePair, [i, i + 50]);
    pool.close();
    await pool.join();
    lines.push(await result.get());
  }
  return lines;
}

/** What the original meant: submit everything, then close() once, then join() once. */
export async function mpTestFixed(pool: Pool, count: number): Promise<string[]> {
  const results = Array.from({ length: count }, (_, i) =>
    pool.applyAsync(tasks.describePair, [i, i + 50]),
  );
  pool.close(); // no new work; workers leave once the queue is empty
  await pool.join(); // join() only after close() or terminate()
  // Collect after join: every result is ready by now (the original printed from the workers).
  return Promise.all(results.map((r) => r.get()));
}
