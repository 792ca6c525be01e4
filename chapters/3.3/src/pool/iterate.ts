/**
 * imap and imapUnordered, written once over "submit one item". Both keep at most `window`
 * items in flight: the input may be an endless async generator, and memory stays bounded
 * because the next item is read only when a result has been taken.
 */
import { Deque } from '../sync/deque.ts';

export type SubmitOne<T, R> = (item: T) => Promise<R>;
type Outcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

/** Results in submission order (Python's imap). */
export async function* inOrder<T, R>(
  submit: SubmitOne<T, R>,
  items: Iterable<T> | AsyncIterable<T>,
  window: number,
): AsyncGenerator<R> {
  const pending = new Deque<Promise<R>>();
  for await (const item of items) {
    const promise = submit(item);
    // Marked as handled: a consumer that stops early must leave no unhandled rejections.
    promise.catch(() => {});
    pending.push(promise);
    if (pending.length >= window) yield await (pending.shift() as Promise<R>);
  }
  while (pending.length > 0) yield await (pending.shift() as Promise<R>);
}

/** Results as they finish (Python's imap_unordered). */
export async function* asCompleted<T, R>(
  submit: SubmitOne<T, R>,
  items: Iterable<T> | AsyncIterable<T>,
  window: number,
): AsyncGenerator<R> {
  const finished = new Deque<Outcome<R>>();
  let inFlight = 0;
  let wake: (() => void) | undefined;
  const settle = (outcome: Outcome<R>) => {
    inFlight--;
    finished.push(outcome);
    wake?.();
  };
  const takeOne = async (): Promise<R> => {
    while (finished.length === 0) await new Promise<void>((resolve) => (wake = resolve));
    const outcome = finished.shift() as Outcome<R>;
    if (!outcome.ok) throw outcome.error;
    return outcome.value;
  };
  for await (const item of items) {
    inFlight++;
    submit(item).then(
      (value) => settle({ ok: true, value }),
      (error: unknown) => settle({ ok: false, error }),
    );
    if (inFlight + finished.length >= window) yield await takeOne();
  }
  while (inFlight + finished.length > 0) yield await takeOne();
}
