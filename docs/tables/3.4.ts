/**
 * Chapter 3.4's measured tables: which section each comes from, and how its --json becomes
 * Markdown. `npm run docs:tables -- 3.4-ceiling` re-measures one; see docs/tools/tables.ts.
 * Each render also writes the sentence that reads the table, so the words always match the run.
 */
import { markdownTable, type TableSource } from '../tools/tables.ts';

const whole = (value: number) => Math.round(value).toLocaleString('en');
const fixed = (value: number, digits: number) => value.toFixed(digits);
/** A ratio of two runs; null in the JSON when a side could not be measured (e.g. no CPU tick). */
const times = (ratio: number | null) => (ratio === null ? 'n/a' : `${fixed(ratio, 2)}×`);
const onCores = (json: { cores: number }) =>
  `Measured on ${json.cores} logical CPU${json.cores === 1 ? '' : 's'}; your numbers will differ — compare the ratios, not the absolute numbers.`;

interface CeilingRow {
  members: number;
  senders: number;
  linesPerSecond: number;
  deliveriesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  serverCpuPercent: number | null;
  serverMicrosPerDelivery: number | null;
  loadCpuPercent: number;
  dropped: number;
  unaccounted: number;
  outOfOrder: number;
  closedEarly: number;
}

/** Past this share of one core, the server's one thread counts as full. */
const SATURATED_PERCENT = 90;

/** Section 3.4.1: chapter 3.1's chat server in one process, one room at a time, 2 to 128 members. */
const ceiling: TableSource = {
  name: '3.4-ceiling',
  command: ['chapters/3.4/src/main.ts', '3.4.1', '--quick', '--json'],
  render(json) {
    const data = json as {
      cores: number;
      windowMs: number;
      loadAverage: number;
      results: CeilingRow[];
    };
    const checked = (r: CeilingRow) =>
      r.unaccounted + r.outOfOrder + r.closedEarly === 0
        ? 'ok'
        : `${r.unaccounted} unaccounted, ${r.outOfOrder} out of order`;
    const table = markdownTable(
      [
        'members',
        'lines/s',
        'deliveries/s',
        'p50 ms',
        'p99 ms',
        'server CPU %',
        'server µs per delivery',
        'load generator CPU %',
        'every line accounted for',
      ],
      data.results.map((r) => [
        r.members,
        whole(r.linesPerSecond),
        whole(r.deliveriesPerSecond),
        fixed(r.p50Ms, 1),
        fixed(r.p99Ms, 1),
        r.serverCpuPercent === null ? '–' : whole(r.serverCpuPercent),
        r.serverMicrosPerDelivery === null ? '–' : fixed(r.serverMicrosPerDelivery, 2),
        whole(r.loadCpuPercent),
        checked(r),
      ]),
    );
    const first = data.results[0];
    const largest = data.results.at(-1);
    if (!first || !largest) return table;
    const micros = largest.serverMicrosPerDelivery ?? Number.NaN;
    const oneCore = 1e6 / micros;
    const reading = `In this run a line reached ${first.members} members ${whole(first.linesPerSecond)} times a second and ${largest.members} members ${whole(largest.linesPerSecond)} times a second. In the room of ${largest.members} the server spent ${fixed(micros, 2)} µs of CPU per delivery: at that cost one core tops out near ${whole(oneCore)} deliveries/s, about ${whole(oneCore / largest.members)} lines/s in a room of ${largest.members}, however many cores the machine has.`;
    const busiest = Math.max(...data.results.map((r) => r.serverCpuPercent ?? 0));
    const shared =
      busiest < SATURATED_PERCENT
        ? ` The server never had a whole core here (at most ${whole(busiest)} %, load average ${fixed(data.loadAverage, 1)} on ${data.cores} cores): the machine was shared, so the µs per delivery is the figure to trust, not the deliveries/s.`
        : '';
    return `${table}\n\n${reading}${shared} Each size was measured for ${data.windowMs} ms. ${onCores(data)}`;
  },
};

interface ScaleRow extends CeilingRow {
  name: string;
  processes: number;
  brokerCpuPercent: number | null;
}

interface ScaleRatio {
  name: string;
  deliveries: number | null;
  p99: number | null;
  cpuPerDelivery: number | null;
}

const hopCost = (cpuPerDelivery: number | null) =>
  cpuPerDelivery === null
    ? "the Redis hop's CPU per delivery was not measured (the worker's CPU, read in 10 ms ticks, did not move in the window)"
    : `the Redis hop cost the server ${times(cpuPerDelivery)} the CPU per delivery (1 worker against one process)`;

/** Section 3.4.6: one room's load on 3.1's one process, then on 1 and 2 Redis-relayed workers. */
const scale: TableSource = {
  name: '3.4-scale',
  command: ['chapters/3.4/src/main.ts', '3.4.6', '--quick', '--json'],
  render(json) {
    const data = json as {
      cores: number;
      members: number;
      senders: number;
      windowMs: number;
      loadAverage: number;
      ratios: ScaleRatio[];
      results: ScaleRow[];
    };
    const percent = (value: number | null) => (value === null ? '–' : whole(value));
    const table = markdownTable(
      [
        `server (${data.members} members, ${data.senders} senders)`,
        'deliveries/s',
        'p50 ms',
        'p99 ms',
        'server CPU %',
        'server µs per delivery',
        'Redis CPU %',
        'load generator CPU %',
        'every line accounted for',
      ],
      data.results.map((r) => [
        r.name,
        whole(r.deliveriesPerSecond),
        fixed(r.p50Ms, 1),
        fixed(r.p99Ms, 1),
        percent(r.serverCpuPercent),
        r.serverCpuPercent === null || r.deliveriesPerSecond === 0
          ? '–'
          : fixed((r.serverCpuPercent * 1e4) / r.deliveriesPerSecond, 2),
        percent(r.brokerCpuPercent),
        whole(r.loadCpuPercent),
        r.unaccounted + r.outOfOrder + r.closedEarly === 0 ? 'ok' : 'no',
      ]),
    );
    const ratios = markdownTable(
      ['ratio', 'deliveries/s', 'p99 latency', 'server CPU per delivery'],
      data.ratios.map((r) => [r.name, times(r.deliveries), times(r.p99), times(r.cpuPerDelivery)]),
    );
    const widest = data.results.reduce<ScaleRow | undefined>(
      (big, r) => (big === undefined || r.processes > big.processes ? r : big),
      undefined,
    );
    const busy = (widest?.processes ?? 1) + 2; // the workers, redis-server, the load generator
    const verdict =
      busy > data.cores
        ? `In the ${widest?.name ?? 'widest'} run ${busy} busy processes (the workers, redis-server and the load generator) shared ${data.cores} cores: a second worker here mostly took CPU from the others, so its ratio shows what was left over, not what a core of its own would give.`
        : `In the ${widest?.name ?? 'widest'} run ${busy} busy processes had ${data.cores} cores: each could have one of its own.`;
    const ratio = (name: string) => data.ratios.find((r) => r.name === name);
    const hop = ratio('1 worker / one process');
    const second = ratio('2 workers / 1 worker');
    const reading =
      hop && second
        ? `In this run ${hopCost(hop.cpuPerDelivery)}, and a second worker gave ${times(second.deliveries)} the deliveries/s. `
        : '';
    return `${table}\n\n${ratios}\n\n${reading}${verdict} Load average ${fixed(data.loadAverage, 1)}; each server was measured for ${data.windowMs} ms. ${onCores(data)}`;
  },
};

interface OutageRow {
  bus: string;
  cut: 'receiver' | 'both' | 'redis';
  sent: number;
  saidDuringCut: number;
  received: number;
  lost: number;
  duplicates: number;
  outageMs: number;
  notices: number;
}

/**
 * Section 3.4.5: the link to Redis cut mid-chat, then Redis itself killed and restarted on its
 * append-only file, with the pub/sub bus and the Streams bus.
 */
const outage: TableSource = {
  name: '3.4-outage',
  command: ['chapters/3.4/src/main.ts', '3.4.5', '--quick', '--json'],
  render(json) {
    const data = json as { cores: number; rate: number; outageMs: number; results: OutageRow[] };
    const cutLabel = {
      receiver: "the receiver's link to Redis cut",
      both: "both servers' links to Redis cut",
      redis: 'Redis killed and restarted (AOF, fsync always)',
    } as const;
    const table = markdownTable(
      [
        'bus',
        'what failed, for how long',
        'lines sent',
        'said during the outage',
        'received',
        'lost',
        'received twice',
        'notices',
      ],
      data.results.map((r) => [
        r.bus,
        `${cutLabel[r.cut]}, ${r.outageMs} ms`,
        r.sent,
        r.saidDuringCut,
        r.received,
        r.lost,
        r.duplicates,
        r.notices,
      ]),
    );
    const total = (bus: string, pick: (r: OutageRow) => number) =>
      data.results.filter((r) => r.bus === bus).reduce((sum, r) => sum + pick(r), 0);
    const said = total('pub/sub', (r) => r.saidDuringCut);
    const lost = total('pub/sub', (r) => r.lost);
    const beyond =
      lost > said
        ? ` That is more than was said during the outages (${said}): a subscriber also misses what is said after the link or Redis is back, until it has reconnected and subscribed again.`
        : '';
    const killed = data.results.filter((r) => r.cut === 'redis');
    const restart =
      killed.length > 0
        ? ` With Redis itself killed and restarted, pub/sub lost ${killed.filter((r) => r.bus === 'pub/sub').reduce((sum, r) => sum + r.lost, 0)} lines and Streams ${killed.filter((r) => r.bus === 'streams').reduce((sum, r) => sum + r.lost, 0)}: the stream came back from the append-only file.`
        : '';
    const reading = `In this run, at ${data.rate} lines a second, pub/sub lost ${lost} of ${total('pub/sub', (r) => r.sent)} lines over its runs.${beyond} Streams lost ${total('streams', (r) => r.lost)} of ${total('streams', (r) => r.sent)} and delivered ${total('streams', (r) => r.duplicates)} twice.${restart}`;
    return `${table}\n\n${reading} ${onCores(data)}`;
  },
};

export const tables: TableSource[] = [ceiling, outage, scale];
