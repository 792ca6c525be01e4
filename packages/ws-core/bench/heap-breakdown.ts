/**
 * Where an idle connection's bytes go: compares two V8 heap snapshots, taken before and after
 * N connections were opened, and prints per kind of object how many each connection added and
 * their self size (retained sizes would need a dominator tree; self sizes per constructor are
 * enough to see what a connection holds).
 * Run:    npm run bench -w @course/ws-core -- --only idle --quick --heap-snapshot /tmp/snaps
 *         npx tsx packages/ws-core/bench/heap-breakdown.ts BEFORE.heapsnapshot AFTER.heapsnapshot N [--top 40]
 * Expect: a table, largest first: type, name (the constructor, or the function for closures),
 *         objects per connection, bytes per connection; then the total.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

interface HeapSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

export interface KindCount {
  /** V8's node type: object, closure, array, string, code, hidden, native, … */
  type: string;
  /** The constructor's name for objects, the function's for closures, V8's label otherwise. */
  name: string;
  count: number;
  selfSize: number;
}

/** Counts the nodes of a snapshot by (type, name). Strings are lumped together per type. */
export function countKinds(snapshot: HeapSnapshot): Map<string, KindCount> {
  const fields = snapshot.snapshot.meta.node_fields;
  const types = snapshot.snapshot.meta.node_types[0];
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const kinds = new Map<string, KindCount>();
  const { nodes, strings } = snapshot;
  for (let i = 0; i < nodes.length; i += width) {
    const type = types[nodes[i + typeAt] as number] ?? '?';
    // A string's "name" is its content: one row per string type is what we want.
    const lumped = type === 'string' || type === 'concatenated string' || type === 'sliced string';
    let name = lumped ? '' : (strings[nodes[i + nameAt] as number] ?? '?');
    if (type === 'code' || type === 'hidden' || type === 'number') name = name.slice(0, 40);
    const key = `${type}\u0000${name}`;
    let kind = kinds.get(key);
    if (kind === undefined) {
      kind = { type, name, count: 0, selfSize: 0 };
      kinds.set(key, kind);
    }
    kind.count++;
    kind.selfSize += nodes[i + sizeAt] as number;
  }
  return kinds;
}

/** What the second snapshot holds more of than the first, per connection, largest first. */
export function perConnection(
  before: Map<string, KindCount>,
  after: Map<string, KindCount>,
  connections: number,
): KindCount[] {
  const rows: KindCount[] = [];
  for (const [key, kind] of after) {
    const was = before.get(key);
    rows.push({
      type: kind.type,
      name: kind.name,
      count: (kind.count - (was?.count ?? 0)) / connections,
      selfSize: (kind.selfSize - (was?.selfSize ?? 0)) / connections,
    });
  }
  return rows.sort((a, b) => b.selfSize - a.selfSize);
}

function load(path: string): Map<string, KindCount> {
  return countKinds(JSON.parse(readFileSync(path, 'utf8')) as HeapSnapshot);
}

function main(): void {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { top: { type: 'string', default: '40' } },
  });
  const [beforePath, afterPath, n] = positionals;
  if (beforePath === undefined || afterPath === undefined || n === undefined) {
    throw new Error('usage: heap-breakdown.ts BEFORE.heapsnapshot AFTER.heapsnapshot N [--top 40]');
  }
  const rows = perConnection(load(beforePath), load(afterPath), Number(n));
  const total = rows.reduce((sum, r) => sum + r.selfSize, 0);
  console.log('type | name | objects/conn | bytes/conn');
  for (const row of rows.slice(0, Number(values.top))) {
    if (Math.abs(row.selfSize) < 1) break;
    console.log(
      `${row.type} | ${row.name || '(all)'} | ${row.count.toFixed(2)} | ${Math.round(row.selfSize)}`,
    );
  }
  console.log(`total self size per connection: ${Math.round(total)} bytes`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
