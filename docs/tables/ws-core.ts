/**
 * ws-core's measured tables: memory per idle connection and upgrades per second, from the
 * package's bench (`--only idle --quick --json`, about 15 s). `npm run docs:tables -- ws-idle`
 * re-measures it; see docs/tools/tables.ts.
 */
import { markdownTable, type TableSource } from '../tools/tables.ts';

interface IdleReport {
  node: string;
  cores: number;
  loadAverageAtStart: number[];
  idleSummary: {
    connections: number;
    servers: Record<string, { rssKiB: number; heapKiB: number; upgradesPerSec: number }>;
    rssRatio: number;
    heapRatio: number;
    upgradesRatio: number;
  }[];
}

const GIB_IN_KIB = 1024 * 1024;

/** Chapter 3.1, "How many players can one process hold?": ours against ws, idle. */
const idle: TableSource = {
  name: 'ws-idle',
  command: ['packages/ws-core/bench/run.ts', '--only', 'idle', '--quick', '--json'],
  render(json) {
    const data = json as IdleReport;
    const rows = data.idleSummary.flatMap((s) =>
      (['ours', 'ws'] as const).map((name) => {
        const server = s.servers[name];
        if (server === undefined) throw new Error(`no ${name} row at ${s.connections}`);
        return [
          s.connections.toLocaleString('en'),
          name === 'ours' ? 'ws-core' : 'ws 8',
          server.rssKiB.toFixed(1),
          server.heapKiB.toFixed(1),
          Math.floor(GIB_IN_KIB / server.rssKiB).toLocaleString('en'),
          server.upgradesPerSec.toLocaleString('en'),
        ];
      }),
    );
    const table = markdownTable(
      [
        'idle connections',
        'server',
        'RSS KiB / connection',
        'heap KiB / connection',
        'connections per GiB (RSS)',
        'upgrades/s',
      ],
      rows,
    );
    const largest = data.idleSummary.at(-1);
    const ratios = largest
      ? `At ${largest.connections.toLocaleString('en')}: ws-core/ws ${largest.rssRatio.toFixed(2)} (RSS), ` +
        `${largest.heapRatio.toFixed(2)} (heap), ${largest.upgradesRatio.toFixed(2)} (upgrades/s).`
      : '';
    return (
      `${table}\n\n${ratios} Node ${data.node}, ${data.cores} logical CPUs shared with other work ` +
      `(load average ${data.loadAverageAtStart[0]} at the start): compare the ratios, not the absolute numbers.`
    );
  },
};

export const tables: TableSource[] = [idle];
