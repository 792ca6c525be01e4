/**
 * 3.4.5's table and closing lines, from the measured rows alone: every number the reader sees
 * is one that was counted in this run.
 */
import { formatTable } from '@course/course-kit';
import { CUT_LABELS, type Cut, type OutageResult } from './measure-outage.ts';

const CUT_PHRASES: Record<Cut, string> = {
  receiver: "the receiver's server cut off",
  both: 'both servers cut off',
  redis: 'Redis killed and restarted',
};

export function formatOutageTable(rows: readonly OutageResult[]): string {
  return formatTable(
    [
      'bus',
      'what failed',
      'sent',
      'during cut',
      'received',
      'lost',
      'duplicates',
      'outage ms',
      'notices',
    ],
    rows.map((r) => [
      r.bus,
      CUT_LABELS[r.cut],
      r.sent,
      r.saidDuringCut,
      r.received,
      r.lost,
      r.duplicates,
      r.outageMs,
      r.notices,
    ]),
  );
}

/** What the rows say, one sentence per bus, then what this run did not show. */
export function describeOutages(rows: readonly OutageResult[]): string[] {
  const lines: string[] = [];
  const of = (bus: OutageResult['bus']) => rows.filter((r) => r.bus === bus);
  const each = (picked: readonly OutageResult[]) =>
    picked.map((r) => `${r.lost} of ${r.sent} with ${CUT_PHRASES[r.cut]}`).join(', ');

  const pubsub = of('pub/sub');
  if (pubsub.length > 0) {
    lines.push(
      `pub/sub lost ${each(pubsub)}: at most once — Redis relays a line to whoever is subscribed at that moment and keeps nothing.`,
    );
    if (pubsub.some((r) => r.lost > r.saidDuringCut))
      lines.push(
        '  more than were said during the cut: a subscriber also misses what is said until it has reconnected and subscribed again.',
      );
  }
  const streams = of('streams');
  if (streams.length > 0) {
    const repeated = streams.reduce((sum, r) => sum + r.duplicates, 0);
    const dropped = streams.reduce((sum, r) => sum + r.droppedAsDuplicate, 0);
    lines.push(
      `streams lost ${each(streams)}, and delivered ${repeated} twice: the stream kept what the receiver missed, and it read on from the last id it had seen.`,
    );
    lines.push(
      `  at least once: an entry stored twice (a publish resent after its connection broke) is dropped by its producer number — ${dropped} this run.`,
    );
    if (streams.some((r) => r.cut === 'both' || r.cut === 'redis'))
      lines.push(
        "  with both servers cut off, or Redis down, nothing reached Redis meanwhile: the sender's server held its lines in a bounded outbox and sent them, in order, when Redis was back.",
      );
  }
  const restarted = rows.filter((r) => r.cut === 'redis');
  if (restarted.length > 0)
    lines.push(
      `Redis killed (SIGKILL) for ${Math.max(...restarted.map((r) => r.outageMs))} ms and started again on its append-only file: with appendfsync always every write it had answered was on disk, so the stream came back whole and each reader went on from its last id. The price: a disk flush before every write is answered.`,
    );
  const told = rows.filter((r) => r.notices > 0).length;
  lines.push(`the receiver got notices in ${told} of ${rows.length} runs (relay down, then back).`);
  lines.push(
    restarted.length > 0
      ? "not shown: Redis restarting without its data. The link runs use one that keeps nothing (--save '' --appendonly no); restarted, it comes back with empty streams, lines no server had read yet are gone, and the Streams bus tells each room so."
      : "not shown: Redis itself restarting. Ours keeps nothing (--save '' --appendonly no), so a restart empties the streams too; lines no server had read yet are gone, and the Streams bus says so. With appendonly yes and appendfsync always, Redis writes each line to disk before it answers.",
  );
  return lines;
}
