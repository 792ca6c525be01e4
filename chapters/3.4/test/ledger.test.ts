import { describe, expect, test } from 'vitest';
import { fencesIn, newLedger, noteFence, noteLine, totals } from '../src/load/ledger.ts';

describe('the load ledger', () => {
  test('the first members are the senders, and nothing is sent or heard yet', () => {
    const ledger = newLedger(4, 2);
    expect(ledger.senders.map((sender) => sender.member.index)).toEqual([0, 1]);
    expect(totals(ledger)).toEqual({ lines: 0, deliveries: 0, dropped: 0, unaccounted: 0 });
  });

  test('adds up: every line sent is, at every member, received or reported dropped', () => {
    const ledger = newLedger(3, 1);
    const [sender] = ledger.senders;
    if (!sender) throw new Error('no sender');
    sender.sent = 5;
    for (const member of ledger.members) {
      for (let seq = 0; seq < 4; seq++) noteLine(ledger, member, 0, seq);
    }
    // Line 4 reached two members; the third was told it missed one.
    const [a, b, c] = ledger.members;
    if (!a || !b || !c) throw new Error('three members');
    noteLine(ledger, a, 0, 4);
    noteLine(ledger, b, 0, 4);
    expect(totals(ledger).unaccounted).toBe(1);
    c.dropped = 1;
    expect(totals(ledger)).toEqual({ lines: 5, deliveries: 14, dropped: 1, unaccounted: 0 });
  });

  test('counts a line that comes before an earlier one of the same sender as out of order', () => {
    const ledger = newLedger(2, 1);
    const member = ledger.members[1];
    if (!member) throw new Error('no member');
    expect(noteLine(ledger, member, 0, 0)).toBe(true);
    expect(noteLine(ledger, member, 0, 2)).toBe(true); // a gap is a drop, not disorder
    expect(noteLine(ledger, member, 0, 1)).toBe(false);
    expect(noteLine(ledger, member, 0, 2)).toBe(false);
    expect(ledger.outOfOrder).toBe(2);
    expect(member.delivered).toBe(4);
  });

  test('a fence round is in when every member still there has it from every sender still there', () => {
    const ledger = newLedger(3, 2);
    const [m0, m1, m2] = ledger.members;
    if (!m0 || !m1 || !m2) throw new Error('three members');
    for (const member of [m0, m1, m2]) noteFence(member, 0, 0);
    expect(fencesIn(ledger, 0)).toBe(false); // nobody has sender 1's
    for (const member of [m0, m1]) noteFence(member, 1, 0);
    expect(fencesIn(ledger, 0)).toBe(false);
    m2.closed = true; // a member that left is not waited for
    expect(fencesIn(ledger, 0)).toBe(true);
    expect(fencesIn(ledger, 1)).toBe(false);
    noteFence(m0, 0, 1);
    noteFence(m1, 0, 1);
    m1.closed = true;
    // Sender 1 (member 1) is gone: its fences are no longer needed.
    noteFence(m0, 1, 1);
    expect(fencesIn(ledger, 1)).toBe(true);
  });

  test('a closed member drops out of the sums it can no longer complete', () => {
    const ledger = newLedger(2, 1);
    const [sender] = ledger.senders;
    const gone = ledger.members[1];
    if (!sender || !gone) throw new Error('two members');
    sender.sent = 3;
    for (let seq = 0; seq < 3; seq++) noteLine(ledger, sender.member, 0, seq);
    noteLine(ledger, gone, 0, 0);
    gone.closed = true;
    expect(totals(ledger)).toEqual({ lines: 3, deliveries: 4, dropped: 0, unaccounted: 0 });
  });
});
