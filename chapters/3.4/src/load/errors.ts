/**
 * What can go wrong while loading a chat server, as one error class whose message says what
 * happened and what to do: a member refused at the door, a server that never answered, a run
 * stopped by Ctrl-C.
 */
export class LoadError extends Error {
  override name = 'LoadError';
}
