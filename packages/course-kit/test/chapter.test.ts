import { describe, expect, it } from 'vitest';
import {
  type Chapter,
  EXIT_INTERRUPTED,
  endQuietlyOnAbort,
  numberArg,
  quietWhenInterrupted,
  runChapter,
  UsageError,
  wholeNumberArg,
} from '../src/chapter.ts';

function makeChapter(log: string[]): Chapter {
  return {
    id: '9.9',
    title: 'test chapter',
    sections: [
      {
        id: '9.9.9',
        title: 'server',
        summary: 'runs until interrupted',
        untilInterrupted: true,
        run: () => void log.push('server'),
      },
      {
        id: '9.9.1',
        title: 'first',
        summary: 'says hello',
        run: (ctx) => {
          log.push('first');
          ctx.say('hello');
          return undefined;
        },
      },
      {
        id: '9.9.2',
        title: 'measured',
        summary: 'returns results',
        options: { n: { type: 'string' } },
        run: (ctx) => {
          log.push('measured');
          return { results: [{ name: 'x', value: numberArg(ctx.args, 'n', 3) }] };
        },
      },
    ],
  };
}

async function run(argv: string[]) {
  const log: string[] = [];
  const out: string[] = [];
  const err: string[] = [];
  const code = await runChapter(makeChapter(log), argv, {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    color: false,
    signal: new AbortController().signal,
  });
  return { code, log, out: out.join(''), err: err.join('') };
}

describe('runChapter', () => {
  it('runs every section with the long-running one last', async () => {
    const { code, log, out } = await run([]);
    expect(code).toBe(0);
    expect(log).toEqual(['first', 'measured', 'server']);
    expect(out).toContain('== 9.9.1 first ==');
    expect(out).toContain('hello');
  });

  it('leaves a by-name-only section out of a full run, yet runs it and lists it when named', async () => {
    const log: string[] = [];
    const base = makeChapter(log);
    const chapter: Chapter = {
      ...base,
      sections: [
        ...base.sections,
        {
          id: 'lab',
          title: 'lab',
          summary: 'an interactive page',
          byNameOnly: true,
          run: () => void log.push('lab'),
        },
      ],
    };
    const out: string[] = [];
    const io = {
      stdout: (t: string) => out.push(t),
      stderr: () => {},
      color: false,
      signal: new AbortController().signal,
    };
    expect(await runChapter(chapter, [], io)).toBe(0);
    expect(log).toEqual(['first', 'measured', 'server']);
    expect(await runChapter(chapter, ['lab'], io)).toBe(0);
    expect(log).toEqual(['first', 'measured', 'server', 'lab']);
    expect(await runChapter(chapter, ['--list'], io)).toBe(0);
    expect(out.join('')).toContain('lab    lab — an interactive page (run by name only)');
  });

  it('runs one section and prints its JSON with section and cores', async () => {
    const { code, out, err } = await run(['9.9.2', '--json', '--n', '7']);
    expect(code).toBe(0);
    const parsed = JSON.parse(out.trim());
    expect(parsed).toMatchObject({ section: '9.9.2', results: [{ name: 'x', value: 7 }] });
    expect(parsed.cores).toBeGreaterThan(0);
    expect(err).toContain('== 9.9.2 measured ==');
  });

  it('lists sections one per line', async () => {
    const { out } = await run(['--list']);
    expect(out.trim().split('\n')).toHaveLength(3);
    expect(out).toContain('9.9.1  first — says hello');
  });

  it('rejects an unknown section with a one-line error and exit code 2', async () => {
    const { code, err, log } = await run(['9.9.7']);
    expect(code).toBe(2);
    expect(err.trim().split('\n')).toHaveLength(1);
    expect(err).toContain('unknown section "9.9.7"');
    expect(log).toEqual([]);
  });

  it('rejects a flag that the chosen section does not take', async () => {
    const { code, err } = await run(['9.9.1', '--n', '3']);
    expect(code).toBe(2);
    expect(err).toContain('--n does not apply');
  });

  it('rejects a non-numeric value for a numeric flag', async () => {
    const { code, err } = await run(['9.9.2', '--n', 'lots']);
    expect(code).toBe(2);
    expect(err).toContain('--n expects a number, got "lots"');
  });

  it('explains every flag in --help', async () => {
    const { out } = await run(['--help']);
    expect(out).toContain('--n <value>');
    expect(out).toContain('--list');
  });

  it('exits 0 when Ctrl-C ends a section that runs until interrupted', async () => {
    const controller = new AbortController();
    const chapter: Chapter = {
      id: '9.8',
      title: 'interrupts',
      sections: [
        {
          id: '9.8.1',
          title: 'server',
          summary: 'waits for Ctrl-C',
          untilInterrupted: true,
          run: () => {
            controller.abort();
            return undefined;
          },
        },
      ],
    };
    const io = { stdout: () => {}, stderr: () => {}, color: false, signal: controller.signal };
    expect(await runChapter(chapter, [], io)).toBe(0);
  });

  it('exits 130 and runs nothing more when Ctrl-C cuts a section short', async () => {
    const controller = new AbortController();
    const ran: string[] = [];
    const section = (id: string) => ({
      id,
      title: id,
      summary: id,
      run: () => {
        ran.push(id);
        controller.abort();
        return undefined;
      },
    });
    const chapter: Chapter = {
      id: '9.7',
      title: 'x',
      sections: [section('9.7.1'), section('9.7.2')],
    };
    const io = { stdout: () => {}, stderr: () => {}, color: false, signal: controller.signal };
    expect(await runChapter(chapter, [], io)).toBe(EXIT_INTERRUPTED);
    expect(ran).toEqual(['9.7.1']);
  });
});

describe('quietWhenInterrupted', () => {
  /** A section that aborts the run, as Ctrl-C would, then fails the way a closed worker does. */
  function cutShort(controller: AbortController): Chapter {
    const failing = {
      id: '9.6.1',
      title: 'workers',
      summary: 'waits on a worker',
      run: () => {
        controller.abort();
        throw new Error('worker exited before answering');
      },
    };
    return {
      id: '9.6',
      title: 'x',
      sections: [quietWhenInterrupted(failing, '9.6.1 stopped its workers')],
    };
  }

  it('turns a failure after Ctrl-C into one "interrupted:" line and exit 130', async () => {
    const controller = new AbortController();
    const out: string[] = [];
    const err: string[] = [];
    const io = {
      stdout: (t: string) => out.push(t),
      stderr: (t: string) => err.push(t),
      color: false,
      signal: controller.signal,
    };
    expect(await runChapter(cutShort(controller), [], io)).toBe(EXIT_INTERRUPTED);
    expect(out.join('')).toContain('interrupted: 9.6.1 stopped its workers\n');
    expect(err).toEqual([]);
  });

  it('still reports a failure that is not an interruption, with exit 1', async () => {
    const section = quietWhenInterrupted(
      {
        id: '9.6.2',
        title: 'broken',
        summary: 'fails',
        run: () => {
          throw new Error('a real bug');
        },
      },
      'never said',
    );
    const out: string[] = [];
    const err: string[] = [];
    const io = {
      stdout: (t: string) => out.push(t),
      stderr: (t: string) => err.push(t),
      color: false,
      signal: new AbortController().signal,
    };
    expect(await runChapter({ id: '9.6', title: 'x', sections: [section] }, [], io)).toBe(1);
    expect(err.join('')).toContain('error in 9.6.2: Error: a real bug');
    expect(out.join('')).not.toContain('interrupted');
  });

  it('keeps what the section returns, and the section body form returns it too', async () => {
    const said: string[] = [];
    const ctx = { signal: new AbortController().signal, say: (t = '') => said.push(t) };
    expect(await endQuietlyOnAbort(ctx, 'x', async () => 42)).toBe(42);
    const section = quietWhenInterrupted(
      { id: '9.6.3', title: 't', summary: 's', run: () => ({ results: [{ name: 'r' }] }) },
      'x',
    );
    expect(section).toMatchObject({ id: '9.6.3', title: 't', summary: 's' });
    const context = { ...ctx, args: {}, json: false, step: () => {} };
    expect(await section.run(context)).toEqual({ results: [{ name: 'r' }] });
    expect(said).toEqual([]);
  });
});

describe('wholeNumberArg', () => {
  it('takes the fallback when the flag is absent and accepts both bounds', () => {
    expect(wholeNumberArg({}, 'n', 7, { max: 10 })).toBe(7);
    expect(wholeNumberArg({ n: '1' }, 'n', 7, { max: 10 })).toBe(1);
    expect(wholeNumberArg({ n: '10' }, 'n', 7, { max: 10 })).toBe(10);
    expect(wholeNumberArg({ n: '2' }, 'n', 7, { min: 2, max: 10 })).toBe(2);
  });

  it('turns a fraction, a value out of bounds or a non-number into a UsageError naming the flag', () => {
    const read = (raw: string) => () => wholeNumberArg({ n: raw }, 'n', 7, { min: 2, max: 10 });
    expect(read('2.5')).toThrow(new UsageError('--n expects a whole number from 2 to 10, got 2.5'));
    expect(read('1')).toThrow('--n expects a whole number from 2 to 10, got 1');
    expect(read('1e12')).toThrow('--n expects a whole number from 2 to 10, got 1000000000000');
    expect(read('ten')).toThrow('--n expects a number, got "ten"');
  });
});
