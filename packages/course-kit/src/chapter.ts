/**
 * The command line every chapter shares:
 *
 *   npm run chapter:3.2                 every section in order, with narration
 *                                       (except those marked `byNameOnly`)
 *   npm run chapter:3.2 -- --list       one line per section
 *   npm run chapter:3.2 -- 3.2.3        one section (its own flags may follow)
 *   npm run chapter:3.2 -- 3.2.3 --json one JSON object per measured section
 *   npm run chapter:3.2 -- --help
 *
 * `runChapter` returns an exit code instead of exiting, so tests can drive it in-process.
 */
import { availableParallelism } from 'node:os';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { paint } from './style.ts';

type OptionSpec = NonNullable<ParseArgsConfig['options']>;
export type SectionArgs = Record<string, string | boolean | undefined>;

/** What a measured section returns; the runner adds `section` and `cores`. */
export interface MeasuredResult {
  results: Array<{ name: string; [field: string]: unknown }>;
  [field: string]: unknown;
}

export interface SectionContext {
  /** The section's own flags, parsed (strings stay strings: use `numberArg`). */
  readonly args: SectionArgs;
  /** True with `--json`: narration goes to stderr so stdout stays one JSON object per line. */
  readonly json: boolean;
  /** Aborted on Ctrl-C (SIGINT/SIGTERM); long-running sections stop when it fires. */
  readonly signal: AbortSignal;
  /** Narration for a human reader. */
  say(text?: string): void;
  /** A highlighted step title, e.g. "step 2: compute the accept key". */
  step(text: string): void;
}

export interface Section {
  /** The original chapter's numbering, e.g. "3.2.3"; concept-only parts use e.g. "3.2". */
  id: string;
  title: string;
  /** One line for `--list`. */
  summary: string;
  /** Flags this section accepts besides the shared ones. */
  options?: OptionSpec;
  /** A server or other section that runs until Ctrl-C; run last when running everything. */
  untilInterrupted?: boolean;
  /**
   * Left out when running everything: run only when named (e.g. an interactive page a student
   * opens on purpose). `--list` still shows it, marked "run by name only".
   */
  byNameOnly?: boolean;
  run(ctx: SectionContext): Promise<MeasuredResult | undefined> | MeasuredResult | undefined;
}

export interface Chapter {
  id: string;
  title: string;
  sections: readonly Section[];
}

export interface ChapterIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  color: boolean;
  signal: AbortSignal;
}

/** 128 + SIGINT, as a shell reports a command stopped by Ctrl-C. */
export const EXIT_INTERRUPTED = 130;

const SHARED_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  list: { type: 'boolean' },
  json: { type: 'boolean' },
} as const satisfies OptionSpec;

/** Reads a numeric flag, with a clear error when it is not a finite number. */
export function numberArg(args: SectionArgs, name: string, fallback: number): number {
  const raw = args[name];
  if (raw === undefined || typeof raw === 'boolean') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new UsageError(`--${name} expects a number, got "${raw}"`);
  return value;
}

/**
 * Reads a whole-number flag within bounds (`min` defaults to 1). The upper bound is what keeps
 * `--count 1e12` a one-line usage error instead of an out-of-memory crash minutes later.
 */
export function wholeNumberArg(
  args: SectionArgs,
  name: string,
  fallback: number,
  { min = 1, max }: { min?: number; max: number },
): number {
  const value = numberArg(args, name, fallback);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(`--${name} expects a whole number from ${min} to ${max}, got ${value}`);
  }
  return value;
}

/** A mistake on the command line: printed as one line, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * Runs a section's body and tells an interruption apart from a failure. Ctrl-C aborts
 * `ctx.signal`; the section then stops its workers, children or pools, and the calls still
 * waiting on them reject. That rejection is the expected end of an interrupted run, so it is
 * said as one line, `interrupted: <whatStopped>`, instead of a stack trace. An error while
 * the signal is not aborted is thrown as usual.
 */
export async function endQuietlyOnAbort<T>(
  ctx: Pick<SectionContext, 'signal' | 'say'>,
  whatStopped: string,
  body: () => Promise<T> | T,
): Promise<T | undefined> {
  try {
    return await body();
  } catch (error) {
    if (!ctx.signal.aborted) throw error;
    ctx.say(`interrupted: ${whatStopped}`);
    return undefined;
  }
}

/** A section whose whole run ends quietly on Ctrl-C (see `endQuietlyOnAbort`). */
export function quietWhenInterrupted(section: Section, whatStopped: string): Section {
  return { ...section, run: (ctx) => endQuietlyOnAbort(ctx, whatStopped, () => section.run(ctx)) };
}

function helpText(chapter: Chapter): string {
  const flags = new Map<string, string>();
  for (const section of chapter.sections) {
    for (const [name, spec] of Object.entries(section.options ?? {})) {
      const shown = spec.type === 'string' ? `--${name} <value>` : `--${name}`;
      flags.set(shown, [flags.get(shown), section.id].filter(Boolean).join(', '));
    }
  }
  return [
    `Chapter ${chapter.id}: ${chapter.title}`,
    '',
    `usage: npm run chapter:${chapter.id} -- [section] [flags]`,
    '',
    '  (no section)   run every section in order, with narration (not those run by name only)',
    `  <section>      run one section, e.g. ${chapter.sections[0]?.id ?? ''}`,
    '  --list         list the sections',
    '  --json         measured sections print one JSON object each',
    '  --help, -h     this text',
    ...(flags.size > 0 ? ['', 'section flags:'] : []),
    ...[...flags].map(([flag, ids]) => `  ${flag.padEnd(22)} (${ids})`),
  ].join('\n');
}

function listText(chapter: Chapter): string {
  const width = Math.max(...chapter.sections.map((s) => s.id.length));
  return chapter.sections
    .map((s) => {
      const note = s.byNameOnly ? ' (run by name only)' : '';
      return `${s.id.padEnd(width)}  ${s.title} — ${s.summary}${note}`;
    })
    .join('\n');
}

function parse(chapter: Chapter, argv: readonly string[]) {
  const sectionOptions: OptionSpec = {};
  for (const section of chapter.sections) Object.assign(sectionOptions, section.options);
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: { ...sectionOptions, ...SHARED_OPTIONS },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length > 1)
    throw new UsageError(`expected at most one section, got ${positionals.join(' ')}`);
  const wanted = positionals[0];
  const selected =
    wanted === undefined ? orderForRunAll(chapter.sections) : [findSection(chapter, wanted)];
  const allowed = new Set(selected.flatMap((s) => Object.keys(s.options ?? {})));
  for (const name of Object.keys(values)) {
    if (name in SHARED_OPTIONS || allowed.has(name)) continue;
    throw new UsageError(`--${name} does not apply to section ${wanted ?? 'list'}; see --help`);
  }
  return { values: values as SectionArgs, selected };
}

function orderForRunAll(sections: readonly Section[]): Section[] {
  const everyday = sections.filter((s) => !s.byNameOnly);
  return [
    ...everyday.filter((s) => !s.untilInterrupted),
    ...everyday.filter((s) => s.untilInterrupted),
  ];
}

function findSection(chapter: Chapter, id: string): Section {
  const found = chapter.sections.find((s) => s.id === id);
  if (found) return found;
  throw new UsageError(
    `unknown section "${id}"; sections are ${chapter.sections.map((s) => s.id).join(', ')} (see --list)`,
  );
}

/** Runs the chapter's command line and returns the process exit code. */
export async function runChapter(
  chapter: Chapter,
  argv: readonly string[],
  io: ChapterIo,
): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(chapter, argv);
  } catch (error) {
    io.stderr(`error: ${(error as Error).message}\n`);
    return 2;
  }
  const { values, selected } = parsed;
  if (values.help || values.list) {
    io.stdout(`${values.help ? helpText(chapter) : listText(chapter)}\n`);
    return 0;
  }

  const json = values.json === true;
  const narrate = json ? io.stderr : io.stdout;
  for (const section of selected) {
    if (io.signal.aborted) return EXIT_INTERRUPTED;
    narrate(`${paint('bold', `== ${section.id} ${section.title} ==`, io.color)}\n`);
    const ctx: SectionContext = {
      args: values,
      json,
      signal: io.signal,
      say: (text = '') => narrate(`${text}\n`),
      step: (text) => narrate(`${paint('cyan', `-- ${text}`, io.color)}\n`),
    };
    try {
      const result = await section.run(ctx);
      if (json && result) {
        io.stdout(
          `${JSON.stringify({ section: section.id, cores: availableParallelism(), ...result })}\n`,
        );
      }
    } catch (error) {
      const err = error as Error;
      io.stderr(
        `error in ${section.id}: ${err instanceof UsageError ? err.message : (err.stack ?? err.message)}\n`,
      );
      return err instanceof UsageError ? 2 : 1;
    }
    narrate('\n');
    // A server stopping on Ctrl-C is its normal end (exit 0); any other section cut short
    // reports the interruption the way shells do.
    if (io.signal.aborted && !section.untilInterrupted) return EXIT_INTERRUPTED;
  }
  return 0;
}

/**
 * Entry point for `chapters/<id>/src/main.ts`: wires stdout, Ctrl-C and the exit code.
 * The first Ctrl-C asks sections to stop gracefully; a second one exits at once.
 */
export async function chapterMain(chapter: Chapter, argv = process.argv.slice(2)): Promise<void> {
  const controller = new AbortController();
  const stop = () => {
    if (controller.signal.aborted) process.exit(EXIT_INTERRUPTED);
    controller.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // `npm run chapter:3.2 | head` closes the pipe early: that is the reader's choice, not a crash.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    controller.abort();
    process.exit(0);
  });
  const code = await runChapter(chapter, argv, {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
    signal: controller.signal,
  });
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  process.exitCode = code;
}
