/** A task as the pool holds it, from submission until it is settled. */
import type { TaskRequest } from './messages.ts';

export interface QueuedTask {
  readonly request: TaskRequest;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  /** Blamed for a worker's death once and sent again (retryOnExit); see blame.ts. */
  retried: boolean;
  /** Held by a worker whose death no running task explains; travels alone (see blame.ts). */
  suspect: boolean;
}

/** How errors name a task; built only when needed, not for every submission. */
export function labelOf(request: { id: number; exportName: string }): string {
  return `task ${request.id} (${request.exportName})`;
}
