import { ThreadPool } from '../src/pool/index.ts';
import { tasks } from '../src/tasks.ts';
import { fixtures } from '../test/fixtures/tasks.ts';

const pool = new ThreadPool({ size: 1 });
await pool.apply(fixtures.whoAmI, []);
const r = await Promise.allSettled([
  pool.apply(tasks.square, [11]),
  pool.apply(fixtures.exitNow, [7]),
  pool.apply(tasks.square, [12]),
]);
console.log(r.map((x) => (x.status === 'fulfilled' ? x.value : (x.reason as Error).name)));
await pool.terminate();
