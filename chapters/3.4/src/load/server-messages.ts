/** What the parent and chat-server.child.ts say to each other over IPC. */

export type ServerRequest = { type: 'usage' } | { type: 'stop' };

/** The hub's own counters (chapter 3.1's ChatHub.stats). */
export interface HubStats {
  broadcasts: number;
  dropped: number;
  closedSlow: number;
  closedFast: number;
  refused: number;
}

export type ServerReply =
  | { type: 'listening'; url: string }
  /** user + system CPU time of the server process since it started, in microseconds. */
  | { type: 'usage'; cpuMicros: number; stats: HubStats };
