/**
 * The one message both ends agree on: a worker posts READY once its module is loaded and it
 * listens. Until then a parent sends nothing, so start-up cost is never counted as work.
 */
export const READY = { type: 'ready' } as const;

export function isReady(message: unknown): message is typeof READY {
  return (message as { type?: unknown } | null)?.type === READY.type;
}
