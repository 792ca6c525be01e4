/**
 * A module-level counter. Every process — and every worker thread, since each is its own
 * V8 isolate — loads its own copy of this module, so bumping it changes only that copy.
 */
export const state = { counter: 0 };

export function bump(): number {
  state.counter += 1;
  return state.counter;
}
