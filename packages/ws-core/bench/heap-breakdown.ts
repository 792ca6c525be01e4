/**
 * Where an idle connection's bytes go: compares two V8 heap snapshots, taken before and after
 * N connections were opened, and prints per kind of object how many each connection added and
 * their self size (retained sizes would need a dominator tree; self sizes per constructor are
 * enough to see what a connection holds).
 * With `--owners TYPE:NAME` (e.g. `--owners 'array:(object properties)'`, the property stores of
 * objects in dictionary mode) it also says who holds each object of that kind in AFTER: the
 * chain of first retainers, up to three steps, counted per distinct chain.
 * Run:    npm run bench -w @course/ws-core -- --only idle --quick --heap-snapshot /tmp/snaps
 *         npx tsx packages/ws-core/bench/heap-breakdown.ts BEFORE.heapsnapshot AFTER.heapsnapshot N [--top 40] [--owners TYPE:NAME]
 * Expect: a table, largest first: type, name (the constructor, or the function for closures),
 *         objects per connection, bytes per connection; then the total; then, with --owners,
 *         one line per chain: how many objects, and `<-edge- holder` steps, nearest first.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

export interface HeapSnapshot {
  snapshot: {
    meta: {
      node_fields: string[];
      node_types: [string[], ...unknown[]];
      edge_fields: string[];
      edge_types: [string[], ...unknown[]];
    };
  };
  nodes: number[];
  edges: number[];
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

/**
 * Who holds the nodes of one kind: for each, the chain of its first retainers (weak edges and
 * synthetic nodes do not count: V8's roots, and native wrappers such as Node / TCPSocketWrap, so
 * a socket's TCP handle is credited to the Socket that holds it), up to `depth` steps, as `<-edge- type:name` steps; counted
 * per distinct chain, most common first.
 */
export function owners(
  snapshot: HeapSnapshot,
  type: string,
  name: string,
  depth = 3,
): { chain: string; count: number }[] {
  const { meta } = snapshot.snapshot;
  const width = meta.node_fields.length;
  const typeAt = meta.node_fields.indexOf('type');
  const nameAt = meta.node_fields.indexOf('name');
  const edgeCountAt = meta.node_fields.indexOf('edge_count');
  const edgeWidth = meta.edge_fields.length;
  const edgeTypeAt = meta.edge_fields.indexOf('type');
  const edgeNameAt = meta.edge_fields.indexOf('name_or_index');
  const edgeToAt = meta.edge_fields.indexOf('to_node');
  const { nodes, edges, strings } = snapshot;
  const nodeType = (node: number) => meta.node_types[0][nodes[node + typeAt] as number] ?? '?';
  const nodeName = (node: number) => strings[nodes[node + nameAt] as number] ?? '?';
  // The first retainer of each node (by its index in `nodes`), and the edge it holds it by.
  const holder = new Map<number, { node: number; edge: string }>();
  let edge = 0;
  for (let node = 0; node < nodes.length; node += width) {
    const count = nodes[node + edgeCountAt] as number;
    for (let i = 0; i < count; i++, edge += edgeWidth) {
      const kind = meta.edge_types[0][edges[edge + edgeTypeAt] as number] ?? '?';
      const to = edges[edge + edgeToAt] as number;
      if (kind === 'weak' || holder.has(to) || nodeType(node) === 'synthetic') continue;
      // Element and hidden edges are named by an index; the others by a string.
      const label = edges[edge + edgeNameAt] as number;
      const edgeName = kind === 'element' || kind === 'hidden' ? String(label) : strings[label];
      holder.set(to, { node, edge: `${kind}:${edgeName}` });
    }
  }
  const chains = new Map<string, number>();
  for (let node = 0; node < nodes.length; node += width) {
    if (nodeType(node) !== type || nodeName(node) !== name) continue;
    let chain = '';
    let at = holder.get(node);
    for (let step = 0; step < depth && at !== undefined; step++) {
      chain += ` <-${at.edge}- ${nodeType(at.node)}:${nodeName(at.node)}`;
      at = holder.get(at.node);
    }
    chains.set(chain, (chains.get(chain) ?? 0) + 1);
  }
  return [...chains].map(([chain, count]) => ({ chain, count })).sort((a, b) => b.count - a.count);
}

function read(path: string): HeapSnapshot {
  return JSON.parse(readFileSync(path, 'utf8')) as HeapSnapshot;
}

function main(): void {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { top: { type: 'string', default: '40' }, owners: { type: 'string' } },
  });
  const [beforePath, afterPath, n] = positionals;
  const usage =
    'usage: heap-breakdown.ts BEFORE.heapsnapshot AFTER.heapsnapshot N [--top 40] [--owners TYPE:NAME]';
  if (beforePath === undefined || afterPath === undefined || n === undefined) {
    throw new Error(usage);
  }
  const colon = values.owners?.indexOf(':') ?? -1;
  if (values.owners !== undefined && colon < 1) {
    throw new Error(
      `--owners expects TYPE:NAME, e.g. 'array:(object properties)', got "${values.owners}"\n${usage}`,
    );
  }
  const after = read(afterPath);
  const rows = perConnection(countKinds(read(beforePath)), countKinds(after), Number(n));
  const total = rows.reduce((sum, r) => sum + r.selfSize, 0);
  console.log('type | name | objects/conn | bytes/conn');
  for (const row of rows.slice(0, Number(values.top))) {
    if (Math.abs(row.selfSize) < 1) break;
    console.log(
      `${row.type} | ${row.name || '(all)'} | ${row.count.toFixed(2)} | ${Math.round(row.selfSize)}`,
    );
  }
  console.log(`total self size per connection: ${Math.round(total)} bytes`);
  if (values.owners === undefined) return;
  const type = values.owners.slice(0, colon);
  const name = values.owners.slice(colon + 1);
  console.log(`\nwho holds each ${type} ${name} (in AFTER): objects | chain, nearest holder first`);
  for (const { chain, count } of owners(after, type, name).slice(0, Number(values.top))) {
    console.log(`${count} |${chain || ' (nothing)'}`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
