/**
 * The load generator's books: per member, what it received and was told it missed; per sender,
 * what it sent and still waits for. Kept apart from the sockets so the sums are tested alone.
 */

export interface MemberTally {
  readonly index: number;
  /** The server welcomed it to the room. */
  welcomed: boolean;
  /** The last hello round that reached it (-1 for none): it is in the room's fan-out. */
  greeted: number;
  /** Our chat lines it received, fences included. */
  delivered: number;
  /** Lines the server told it it missed ({type:'dropped', count}). */
  dropped: number;
  closed: boolean;
  /** Per sender: the highest fence round received, -1 for none. */
  readonly fences: number[];
  /** Per sender: the highest sequence number received, -1 for none. */
  readonly lastSeq: number[];
}

export interface SenderTally {
  readonly member: MemberTally;
  /** Lines sent, fences included. */
  sent: number;
  /** Its own lines it has not yet received back. */
  outstanding: number;
  /** At a rate: the earliest time (performance.now) for its next line. */
  notBefore: number;
}

export interface ClosedEarly {
  member: number;
  code: number;
  reason: string;
}

export interface Ledger {
  readonly members: MemberTally[];
  /** The first `senders` members also send. */
  readonly senders: SenderTally[];
  /** Lines in the room that were not ours (someone else chatting there). */
  foreign: number;
  /** A line from a sender that came before one it sent earlier: 3.1's hub never does this. */
  outOfOrder: number;
  /** `notice` events received (the chat saying something about itself). */
  notices: number;
  readonly closedEarly: ClosedEarly[];
}

export function newLedger(members: number, senders: number): Ledger {
  const tallies = Array.from(
    { length: members },
    (_, index): MemberTally => ({
      index,
      welcomed: false,
      greeted: -1,
      delivered: 0,
      dropped: 0,
      closed: false,
      fences: new Array<number>(senders).fill(-1),
      lastSeq: new Array<number>(senders).fill(-1),
    }),
  );
  return {
    members: tallies,
    senders: tallies
      .slice(0, senders)
      .map((member) => ({ member, sent: 0, outstanding: 0, notBefore: 0 })),
    foreign: 0,
    outOfOrder: 0,
    notices: 0,
    closedEarly: [],
  };
}

/** Notes line `seq` of sender `s` at `member`; returns false for a repeat or an overtaking line. */
export function noteLine(ledger: Ledger, member: MemberTally, s: number, seq: number): boolean {
  member.delivered++;
  const inOrder = seq > (member.lastSeq[s] ?? -1);
  if (inOrder) member.lastSeq[s] = seq;
  else ledger.outOfOrder++;
  return inOrder;
}

export function noteFence(member: MemberTally, s: number, round: number): void {
  member.delivered++;
  member.fences[s] = Math.max(member.fences[s] ?? -1, round);
}

/** True when every member still there has fence `round` (or later) from every sender still there. */
export function fencesIn(ledger: Ledger, round: number): boolean {
  const live = ledger.senders.filter((sender) => !sender.member.closed);
  return ledger.members.every(
    (member) =>
      member.closed || live.every((sender) => (member.fences[sender.member.index] ?? -1) >= round),
  );
}

export interface Totals {
  lines: number;
  deliveries: number;
  dropped: number;
  /** lines × members − deliveries − dropped, over the members still there: 0 when all add up. */
  unaccounted: number;
}

export function totals(ledger: Ledger): Totals {
  const lines = ledger.senders.reduce((sum, sender) => sum + sender.sent, 0);
  const live = ledger.members.filter((member) => !member.closed);
  const deliveries = ledger.members.reduce((sum, member) => sum + member.delivered, 0);
  const dropped = ledger.members.reduce((sum, member) => sum + member.dropped, 0);
  const heard = live.reduce((sum, member) => sum + member.delivered + member.dropped, 0);
  return { lines, deliveries, dropped, unaccounted: lines * live.length - heard };
}
