import type { DataFlowGraph, GraphNode } from './data-flow-graph.js';
import type { Rect } from './svg-geometry.js';

/**
 * The three columns of the SVG map: owners left, collections in the middle, services that only
 * consume on the right. Most edges then run between neighbouring columns, left to right as data
 * flows from writers to readers.
 */
export type Column = 0 | 1 | 2;

/** A node with its box on the canvas. */
export interface PlacedNode extends Rect {
  readonly node: GraphNode;
  readonly column: Column;
}

/** The column of every node. */
export function columnsOf(graph: DataFlowGraph): Map<string, Column> {
  const owners = new Set(graph.edges.filter((e) => e.kind === 'owns').map((e) => e.from));
  const out = new Map<string, Column>();
  for (const node of graph.nodes) {
    out.set(node.id, node.kind === 'collection' ? 1 : owners.has(node.id) ? 0 : 2);
  }
  return out;
}

/** Rounds of reordering; the order settles after a few on graphs of this size. */
const sweeps = 8;

/**
 * Orders the nodes of each column so connected nodes sit at similar heights, which keeps edges
 * short and crossings few: a few rounds of the barycentre heuristic (each node moves to the mean
 * height of its neighbours, collections first since every edge touches one). Ties keep the
 * previous order, so the result depends on the graph only.
 */
export function orderColumns(graph: DataFlowGraph, columns: ReadonlyMap<string, Column>): string[][] {
  const order: string[][] = [[], [], []];
  for (const node of graph.nodes) order[columns.get(node.id) as Column]?.push(node.id);
  const neighbours = neighbourLists(graph);
  const owners = new Map(graph.edges.filter((e) => e.kind === 'owns').map((e) => [e.to, e.from]));
  for (let round = 0; round < sweeps; round++) {
    for (const column of [1, 0, 2] as const) {
      const position = positions(order);
      const current = order[column] as string[];
      const mean = (id: string) => {
        const near = (neighbours.get(id) ?? []).filter((n) => n !== id);
        if (near.length === 0) return position.get(id) as number;
        return near.reduce((sum, n) => sum + (position.get(n) as number), 0) / near.length;
      };
      const keyed = current.map((id, index) => ({ id, index, key: mean(id) }));
      if (column === 1) groupByOwner(keyed, owners);
      keyed.sort((a, b) => a.key - b.key || a.index - b.index);
      order[column] = keyed.map((k) => k.id);
    }
  }
  return order;
}

/**
 * Keeps the collections of one owner together, so its "owns" edges fan out without crossing
 * others: every collection takes its owner's mean key, and its own key only breaks ties.
 */
function groupByOwner(
  keyed: { id: string; index: number; key: number }[],
  owners: ReadonlyMap<string, string>,
): void {
  const sums = new Map<string, { sum: number; count: number }>();
  for (const k of keyed) {
    const owner = owners.get(k.id) ?? k.id;
    const s = sums.get(owner) ?? { sum: 0, count: 0 };
    sums.set(owner, { sum: s.sum + k.key, count: s.count + 1 });
  }
  for (const k of keyed) {
    const s = sums.get(owners.get(k.id) ?? k.id) as { sum: number; count: number };
    // The owner's mean dominates; the collection's own key orders it within the block.
    k.key = s.sum / s.count + k.key * 1e-3;
  }
}

/** Each node's place in its column, scaled to 0..1 so columns of different lengths compare. */
function positions(order: readonly string[][]): Map<string, number> {
  const out = new Map<string, number>();
  for (const column of order) {
    column.forEach((id, i) => {
      out.set(id, column.length === 1 ? 0.5 : i / (column.length - 1));
    });
  }
  return out;
}

function neighbourLists(graph: DataFlowGraph): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const link = (a: string, b: string) => out.set(a, [...(out.get(a) ?? []), b]);
  for (const edge of graph.edges) {
    link(edge.from, edge.to);
    link(edge.to, edge.from);
  }
  return out;
}
