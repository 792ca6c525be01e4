import { VARIANTS } from '../bench/variants.ts';

const pick = VARIANTS.filter((v) =>
  ['our ThreadPool', 'piscina', 'raw worker_threads'].includes(v.name),
);
const runners = pick.map((v) => ({ name: v.name, r: v.start(2) }));
for (const { r } of runners)
  await Promise.all(Array.from({ length: 20000 }, (_, i) => r.run('square', i)));
for (let round = 0; round < 4; round++) {
  const line: string[] = [];
  for (const { name, r } of runners) {
    const t = performance.now();
    await Promise.all(Array.from({ length: 20000 }, (_, i) => r.run('square', i)));
    line.push(`${name} ${Math.round(20000 / ((performance.now() - t) / 1000))}`);
  }
  console.log(line.join(' | '));
}
await Promise.all(runners.map(({ r }) => r.stop()));
