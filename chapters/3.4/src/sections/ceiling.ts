/**
 * 3.4.1 The one-process ceiling — chapter 3.1's chat server under load, in rooms of 2 to 128.
 * Shows:  every chat line is one send per member, all on the server's one thread: deliveries/s
 *         stop growing with the room while lines/s fall and latency climbs; the server CPU each
 *         delivery costs says where one core tops out.
 * Run:    npm run chapter:3.4 -- 3.4.1 [--sizes 2,8,32,128] [--senders 4] [--duration 1500]
 *         [--in-flight 32] [--quick] [--json]
 * Expect: a row per room size, every delivery accounted for ("ok"), then "Fan-out: … one core
 *         tops out near … deliveries/s".
 * The server runs in a child process, not beside the clients: reading and parsing every
 * delivery costs the load generator about as much as sending it costs the server, and on one
 * thread that work would lower the ceiling and count in the server's CPU time. The two
 * processes still share the machine's cores, so the table shows both CPUs.
 */
import { availableParallelism, loadavg } from 'node:os';
import { type Section, wholeNumberArg } from '@course/course-kit';
import {
  type ChatLoadResult,
  DEFAULT_IN_FLIGHT,
  MAX_IN_FLIGHT,
  MAX_SENDERS,
  runChatLoad,
} from '../load/chat-load.ts';
import { limitsForLoad } from '../load/limits.ts';
import { describeCeiling, formatCeilingTable, serverMicrosPerDelivery } from '../load/report.ts';
import { startServerProcess } from '../load/server-process.ts';
import { sizesArg } from '../load/sizes-arg.ts';

const SIZES = [2, 8, 32, 128];

export const ceiling: Section = {
  id: '3.4.1',
  title: 'The one-process ceiling',
  summary: "3.1's chat server under load as its room grows: deliveries/s, latency, CPU (--sizes)",
  options: {
    sizes: { type: 'string' },
    senders: { type: 'string' },
    duration: { type: 'string' },
    'in-flight': { type: 'string' },
    quick: { type: 'boolean' },
  },
  async run({ args, say, step, signal }) {
    const sizes = sizesArg(args, SIZES);
    const senders = wholeNumberArg(args, 'senders', 4, { max: MAX_SENDERS });
    const windowMs = wholeNumberArg(args, 'duration', args.quick ? 500 : 1500, {
      min: 100,
      max: 10_000,
    });
    const inFlight = wholeNumberArg(args, 'in-flight', DEFAULT_IN_FLIGHT, { max: MAX_IN_FLIGHT });
    const largest = Math.max(...sizes);

    step("1. start chapter 3.1's chat server in a child process");
    // Limits per address and per member raised: we measure the server, not its rules.
    const joins = sizes.reduce((sum, n) => sum + n, 0);
    const server = await startServerProcess({
      maxConnectionsPerAddress: 2 * largest,
      chatLimits: limitsForLoad(largest, joins),
    });
    const results: (ChatLoadResult & { name: string; serverMicrosPerDelivery: number })[] = [];
    try {
      say(
        `  pid ${server.pid}, ${server.chatUrl}; limits per address and per member raised for the load`,
      );

      step(
        `2. one room at a time: ${senders} senders, ${inFlight} lines each in flight, ${windowMs} ms measured`,
      );
      for (const members of sizes) {
        const row = await runChatLoad({
          chatUrl: server.chatUrl,
          members,
          senders: Math.min(senders, members),
          windowMs,
          warmupMs: Math.min(300, windowMs),
          inFlight,
          serverCpuMicros: async () => (await server.usage()).cpuMicros,
          signal,
        });
        results.push({
          name: `${members} members`,
          ...row,
          serverMicrosPerDelivery: serverMicrosPerDelivery(row),
        });
        say(
          `  ${members} members: ${Math.round(row.deliveriesPerSecond).toLocaleString('en')} deliveries/s`,
        );
      }
    } finally {
      await server.stop();
    }

    step('3. where one process stops keeping up');
    say(formatCeilingTable(results));
    const loadAverage = loadavg()[0] ?? 0;
    for (const line of describeCeiling(results, { cores: availableParallelism(), loadAverage }))
      say(line);
    return { windowMs, inFlight, loadAverage, results };
  },
};
