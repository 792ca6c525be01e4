import { describe, expect, test } from 'vitest';
import { countKinds, type HeapSnapshot, owners } from './heap-breakdown.ts';

/**
 * A snapshot small enough to read, in V8's format: a GC root holds two connections; each
 * connection's `_events` object is in dictionary mode (it has an `(object properties)` store),
 * and so is the first connection's `afterWrite` function. The first connection also holds the
 * second's store by a weak edge, which must not count as holding it.
 */
function tinySnapshot(): HeapSnapshot {
  const nodeTypes = ['hidden', 'object', 'closure', 'synthetic', 'array'];
  const edgeTypes = ['context', 'element', 'property', 'internal', 'hidden', 'shortcut', 'weak'];
  const strings = ['(GC roots)', 'Conn', 'Object', 'afterWrite', '(object properties)'];
  strings.push('conn', '_events', 'properties');
  const s = (text: string) => strings.indexOf(text);
  const width = 5; // type, name, id, self_size, edge_count
  // [type, name, self size, edges as [edge type, edge name, target node]]
  const spec: [string, string, number, [string, string | number, number][]][] = [
    [
      'synthetic',
      '(GC roots)',
      0,
      [
        ['property', 'conn', 1],
        ['property', 'conn', 2],
      ],
    ],
    [
      'object',
      'Conn',
      256,
      [
        ['weak', 1, 7],
        ['property', '_events', 3],
        ['property', 'afterWrite', 5],
      ],
    ],
    ['object', 'Conn', 256, [['property', '_events', 4]]],
    ['object', 'Object', 56, [['internal', 'properties', 6]]],
    ['object', 'Object', 56, [['internal', 'properties', 7]]],
    ['closure', 'afterWrite', 56, [['internal', 'properties', 8]]],
    ['array', '(object properties)', 160, []],
    ['array', '(object properties)', 160, []],
    ['array', '(object properties)', 256, []],
  ];
  const nodes: number[] = [];
  const edges: number[] = [];
  spec.forEach(([type, name, size, out], id) => {
    nodes.push(nodeTypes.indexOf(type), s(name), id, size, out.length);
    for (const [kind, label, to] of out) {
      edges.push(edgeTypes.indexOf(kind), typeof label === 'number' ? label : s(label), to * width);
    }
  });
  return {
    snapshot: {
      meta: {
        node_fields: ['type', 'name', 'id', 'self_size', 'edge_count'],
        node_types: [nodeTypes],
        edge_fields: ['type', 'name_or_index', 'to_node'],
        edge_types: [edgeTypes],
      },
    },
    nodes,
    edges,
    strings,
  };
}

describe('heap-breakdown', () => {
  test('counts objects and self bytes per kind', () => {
    const kinds = countKinds(tinySnapshot());
    expect(kinds.get('array\u0000(object properties)')).toEqual({
      type: 'array',
      name: '(object properties)',
      count: 3,
      selfSize: 576,
    });
    expect(kinds.get('object\u0000Conn')?.count).toBe(2);
  });

  test('--owners: says who holds each object of a kind, by chains of first retainers, commonest first', () => {
    expect(owners(tinySnapshot(), 'array', '(object properties)')).toEqual([
      // The weak edge from the first connection to the second's store is not a holder.
      { chain: ' <-internal:properties- object:Object <-property:_events- object:Conn', count: 2 },
      {
        chain: ' <-internal:properties- closure:afterWrite <-property:afterWrite- object:Conn',
        count: 1,
      },
    ]);
    // Up to `depth` steps; the GC root is not a holder, so chains end at the connections.
    expect(owners(tinySnapshot(), 'array', '(object properties)', 1)).toEqual([
      { chain: ' <-internal:properties- object:Object', count: 2 },
      { chain: ' <-internal:properties- closure:afterWrite', count: 1 },
    ]);
    expect(owners(tinySnapshot(), 'object', 'Conn')).toEqual([{ chain: '', count: 2 }]);
    expect(owners(tinySnapshot(), 'object', 'NoSuchThing')).toEqual([]);
  });
});
