/**
 * Counting an outage from what the receiver saw (numbers only, no servers), and the sentences
 * 3.4.5 prints from its rows.
 */
import { describe, expect, it, test } from 'vitest';
import type { OutageResult } from '../src/outage/measure-outage.ts';
import { describeOutages, formatOutageTable } from '../src/outage/report.ts';
import { formatRanges, tallyLines } from '../src/outage/tally.ts';

describe('tallying numbered lines', () => {
  it('counts the missing numbers as lost, as ranges', () => {
    const seen = [1, 2, 3, 9, 10];
    expect(tallyLines(12, seen)).toEqual({
      sent: 12,
      received: 5,
      lost: 7,
      lostRanges: '4–8, 11–12',
      duplicates: 0,
      outOfOrder: 0,
    });
  });

  it('counts a number seen again as a duplicate, and a smaller one after a larger as out of order', () => {
    expect(tallyLines(5, [1, 3, 2, 3, 4, 5, 5])).toMatchObject({
      received: 5,
      lost: 0,
      lostRanges: '',
      duplicates: 2,
      outOfOrder: 1,
    });
  });

  test.each([0, 6, -1, 2.5])('refuses a received number (%s) that was never sent', (n) => {
    expect(() => tallyLines(5, [1, n])).toThrow(`received line ${n}, but only 1…5 were sent`);
  });

  test.each([
    [[], ''],
    [[7], '7'],
    [[1, 2], '1–2'],
    [[1, 3, 4, 5, 8], '1, 3–5, 8'],
  ])('formats %j as "%s"', (numbers, text) => {
    expect(formatRanges(numbers)).toBe(text);
  });
});

describe("3.4.5's report", () => {
  const row = (bus: OutageResult['bus'], cut: OutageResult['cut'], lost: number): OutageResult => ({
    name: `${bus}, ${cut}`,
    bus,
    cut,
    sent: 200,
    received: 200 - lost,
    lost,
    lostRanges: lost > 0 ? `50–${49 + lost}` : '',
    duplicates: 0,
    outOfOrder: 0,
    outageMs: 1000,
    saidDuringCut: 100,
    notices: 2,
    noticeTexts: ['down', 'back'],
    droppedAsDuplicate: bus === 'streams' ? 1 : 0,
  });
  const rows = [
    row('pub/sub', 'receiver', 143),
    row('streams', 'receiver', 0),
    row('pub/sub', 'both', 90),
    row('streams', 'both', 0),
  ];

  it('prints a row per run with what was sent, lost and told', () => {
    const table = formatOutageTable(rows).split('\n');
    expect(table[0]).toMatch(
      /^bus\s+what failed\s+sent\s+during cut\s+received\s+lost\s+duplicates\s+outage ms\s+notices$/,
    );
    expect(table[2]).toMatch(
      /^pub\/sub\s+receiver's server\s+200\s+100\s+57\s+143\s+0\s+1000\s+2$/,
    );
    expect(table).toHaveLength(6);
  });

  it('says what each bus lost from the rows, and that pub/sub lost more than the cut when it did', () => {
    const lines = describeOutages(rows);
    expect(lines[0]).toBe(
      "pub/sub lost 143 of 200 with the receiver's server cut off, 90 of 200 with both servers cut off: at most once — Redis relays a line to whoever is subscribed at that moment and keeps nothing.",
    );
    expect(lines[1]).toContain('more than were said during the cut');
    expect(lines[2]).toContain('streams lost 0 of 200 with the receiver');
    expect(lines[3]).toContain('dropped by its producer number — 2 this run');
    expect(lines.at(-2)).toBe('the receiver got notices in 4 of 4 runs (relay down, then back).');
    expect(lines.at(-1)).toMatch(/^not shown: Redis itself restarting/);
  });
});
