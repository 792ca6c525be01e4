/**
 * 3.3.2 Coroutines — generators that produce, generators that consume, and a scheduler.
 * Shows:  1. a lazy Fibonacci generator, measured against an array (time and peak heap);
 *         2. the grep coroutine: prime with next(), send with next(line), close with return();
 *         3. async generators and for await over a chunked stream;
 *         4. a round-robin scheduler running generator tasks with sleep and I/O traps.
 * Run:    npm run chapter:3.3 -- 3.3.2 [--count 2000000] [--json]
 * Expect: the generator's peak heap stays near zero while the array's grows with --count;
 *         the generator is *slower* per item than a plain loop.
 */
import { type Section, wholeNumberArg } from '@course/course-kit';
import {
  compareLazyAndEager,
  fibonacci,
  grep,
  grepLines,
  io,
  primed,
  Scheduler,
  sleep,
  splitLines,
  type Task,
  take,
} from '../coroutines/index.ts';

export const coroutines: Section = {
  id: '3.3.2',
  title: 'Coroutines',
  summary:
    'lazy generators (measured), the grep coroutine, async generators, a cooperative scheduler',
  options: { count: { type: 'string' } },
  async run({ args, say, step }) {
    const count = wholeNumberArg(args, 'count', 2_000_000, { max: 50_000_000 });

    step(`1. fibonacci(): lazy values; sum the first ${count.toLocaleString('en')} three ways`);
    say(`first ten: ${take(fibonacci(), 10).join(' ')}`);
    const results = compareLazyAndEager(count);
    for (const r of results) {
      say(
        `${r.name.padEnd(11)} ${r.ms.toFixed(1).padStart(7)} ms   peak heap +${r.peakHeapMiB.toFixed(1)} MiB`,
      );
    }

    step('2. grep coroutine (the original chapter calls it gerp)');
    const search = primed(
      grep('coroutine', {
        started: (p) => say(`searching for "${p}"`),
        match: (line) => say(`match: ${line}`),
        closed: () => say('closed: the finally block ran'),
      }),
    );
    for (const line of ['I love you', "Don't you love me?", 'I love coroutine instead!'])
      search.next(line);
    search.return();

    step('3. async generators: lines cut at random places, filtered with for await');
    const chunks = [
      'log: player joined\nlog: coroutine st',
      'arted\nlog: player left\nlog: corou',
      'tine done\n',
    ];
    for await (const line of grepLines('coroutine', splitLines(chunks))) say(`found: ${line}`);

    step('4. a cooperative scheduler: three generator tasks take turns');
    const started = performance.now();
    const scheduler = new Scheduler(undefined, (e) => {
      const at = (e.at - started).toFixed(0).padStart(4);
      if (e.event !== 'resume') say(`${at} ms  ${e.task.padEnd(6)} ${e.event}`);
    });
    function* player(name: string, thinkMs: number): Task<string> {
      yield* sleep(thinkMs);
      const move = yield* io(new Promise<string>((resolve) => setTimeout(() => resolve('e4'), 5)));
      return `${name} played ${move}`;
    }
    const games = ['alice', 'bob', 'carol'].map((name, i) =>
      scheduler.spawn(name, player(name, 30 - i * 10)),
    );
    await scheduler.run();
    say(
      `${(await Promise.all(games)).join('; ')} — in ${(performance.now() - started).toFixed(0)} ms, not the 75 ms of one after another`,
    );
    return { results: results.map((r) => ({ ...r })) };
  },
};
