/**
 * `npm run exercise -- watch`: runs the current exercise's tests on every save.
 *
 * fs.watch is used where the file system reports changes; where it does not (some network
 * and container mounts) or when asked with --poll, the file is polled instead. Saves that
 * arrive while the tests run are folded into one more run, never a pile of them.
 */
import { type FSWatcher, statSync, watch } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { formatProgress, formatRun } from './exercise-view.ts';
import { type Course, type Exercise, exercisePaths } from './manifest.ts';
import {
  hintHeading,
  markPassed,
  nextExercise,
  type Progress,
  saveProgress,
  takeHint,
} from './progress.ts';
import type { ScoredExercise } from './scoring.ts';

export interface WatchOptions {
  root: string;
  course: Course;
  progress: Progress;
  progressFile: string;
  /** Grades one exercise (the real one spawns vitest; tests pass a fake). */
  grade: (exercise: Exercise) => Promise<ScoredExercise>;
  write: (text: string) => void;
  poll?: boolean;
  pollIntervalMs?: number;
  color?: boolean;
  /** Start here instead of at the first exercise not done. */
  start?: Exercise;
  /** Called once when the session ends (every exercise done, or `q`). */
  onStop?: () => void;
}

export const KEYS_HELP = 'keys: h next hint · l progress · r run again · n skip to next · q quit';

export class WatchSession {
  #current: Exercise | undefined;
  #stopWatching: (() => void) | undefined;
  #running = false;
  #again = false;
  #stopped = false;
  #lastStamp = '';
  /** Resolves after each completed run (tests wait on it). */
  runs = 0;
  idle: Promise<void> = Promise.resolve();

  constructor(readonly options: WatchOptions) {}

  get current(): Exercise | undefined {
    return this.#current;
  }

  start(): Promise<void> {
    const first = this.options.start ?? nextExercise(this.options.course, this.options.progress);
    if (!first) {
      this.options.write('Every exercise is done. `npm run grade` shows your points.\n');
      this.stop();
      return Promise.resolve();
    }
    this.#switchTo(first);
    return this.idle;
  }

  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.options.onStop?.();
    this.#stopWatching?.();
    this.#stopWatching = undefined;
  }

  /** One key press from the terminal. Returns false when the session should end. */
  key(key: string): boolean {
    const { write, progress, progressFile, course, color } = this.options;
    const current = this.#current;
    if (key === 'q' || key === '\u0003') {
      this.stop();
      return false;
    }
    if (key === 'h' && current) {
      const hint = takeHint(progress, current);
      saveProgress(progressFile, progress);
      write(`${hintHeading(hint, current)}: ${hint.text}\n`);
    } else if (key === 'l') {
      write(`${formatProgress(course, progress, current, color)}\n`);
    } else if (key === 'r') {
      this.#trigger();
    } else if (key === 'n' && current) {
      const index = course.exercises.indexOf(current);
      const next = course.exercises[index + 1];
      if (next) this.#switchTo(next);
      else write('that was the last exercise\n');
    }
    return true;
  }

  #switchTo(exercise: Exercise): void {
    this.#stopWatching?.();
    this.#current = exercise;
    const file = join(this.options.root, exercisePaths(exercise).stub);
    this.options.write(
      `\nworking on ${exercise.id}: ${exercise.title}\nedit ${exercisePaths(exercise).stub} — ${KEYS_HELP}\n`,
    );
    this.#lastStamp = stamp(file);
    this.#stopWatching = this.#watch(file);
    this.#trigger();
  }

  #watch(file: string): () => void {
    const onChange = () => {
      // Editors fire several events per save, some without a change: compare size and mtime.
      const now = stamp(file);
      if (now === this.#lastStamp) return;
      this.#lastStamp = now;
      this.#trigger();
    };
    if (!this.options.poll) {
      try {
        // Watch the folder, not the file: many editors save by writing a new file and renaming
        // it over the old one, and a watch on the old file would never hear of it again.
        const name = basename(file);
        const watcher: FSWatcher = watch(dirname(file), (_event, changed) => {
          if (changed === null || changed === name) onChange();
        });
        watcher.on('error', () => {
          watcher.close();
          this.#stopWatching = this.#poll(onChange);
        });
        return () => watcher.close();
      } catch {
        // fs.watch is not available on this file system: poll instead.
      }
    }
    return this.#poll(onChange);
  }

  #poll(onChange: () => void): () => void {
    // Our own timer rather than fs.watchFile: each tick compares against the stamp taken
    // when watching began, so a save made before the first poll is not missed.
    const timer = setInterval(onChange, this.options.pollIntervalMs ?? 500);
    timer.unref();
    return () => clearInterval(timer);
  }

  #trigger(): void {
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.idle = this.#runLoop();
  }

  async #runLoop(): Promise<void> {
    this.#running = true;
    try {
      do {
        this.#again = false;
        const exercise = this.#current;
        if (!exercise || this.#stopped) break;
        const scored = await this.options.grade(exercise);
        this.runs++;
        if (this.#stopped) break;
        this.#report(scored);
      } while (this.#again);
    } finally {
      this.#running = false;
    }
  }

  #report(scored: ScoredExercise): void {
    const { write, progress, progressFile, course, color } = this.options;
    write(`${formatRun(scored, color)}\n`);
    if (scored.status !== 'pass') {
      write(`save the file to run again · ${KEYS_HELP}\n`);
      return;
    }
    markPassed(progress, scored.exercise.id);
    saveProgress(progressFile, progress);
    const next = nextExercise(course, progress);
    if (!next) {
      write('\nEvery exercise is done! Run `npm run grade` to see your points.\n');
      this.stop();
      return;
    }
    write(`\n${scored.exercise.id} done. Next up:`);
    this.#switchTo(next);
  }
}

function stamp(file: string): string {
  try {
    const s = statSync(file);
    return `${s.size}:${s.mtimeMs}`;
  } catch {
    return 'missing';
  }
}
