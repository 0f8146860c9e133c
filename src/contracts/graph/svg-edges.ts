import type { DataFlowGraph, GraphEdge } from './data-flow-graph.js';
import type { Column, PlacedNode } from './svg-columns.js';
import type { Curve, Point } from './svg-geometry.js';
import { labelSize, type PlacedLabel, placeLabels } from './svg-labels.js';

/** An edge drawn as one cubic curve, with its label when it has one. */
export interface PlacedEdge {
  readonly edge: GraphEdge;
  readonly curve: Curve;
  readonly label?: PlacedLabel;
}

type Side = 'left' | 'right';

/**
 * Edges between two collections run beside the collections column as arcs: references on the
 * left, derived state on the right, so the two kinds never share a side.
 */
function arcSide(edge: GraphEdge): Side {
  return edge.kind === 'references' ? 'left' : 'right';
}

/** How far an arc between two heights swings out: further for longer spans, so arcs nest. */
function bulge(dy: number): number {
  return Math.min(220, 56 + 0.34 * Math.abs(dy));
}

/**
 * How much room the edges need beside the collections column, on each side: the widest label
 * of an edge crossing that gap, or the swing of the arcs there plus their labels.
 */
export function spaceBeside(
  graph: DataFlowGraph,
  columns: ReadonlyMap<string, Column>,
  yOf: ReadonlyMap<string, number>,
): { left: number; right: number } {
  const room = { left: 0, right: 0 };
  for (const edge of graph.edges) {
    const a = columns.get(edge.from) as Column;
    const b = columns.get(edge.to) as Column;
    const { width } = labelSize(edge);
    if (a !== b) {
      const side: Side = Math.min(a, b) === 0 ? 'left' : 'right';
      room[side] = Math.max(room[side], width + 110);
    } else {
      const dy = (yOf.get(edge.to) ?? 0) - (yOf.get(edge.from) ?? 0);
      const side = arcSide(edge);
      room[side] = Math.max(room[side], 0.75 * bulge(edge.from === edge.to ? 0 : dy) + width + 16);
    }
  }
  return room;
}

/** Routes every edge as one curve between ports spread along its boxes' sides, then labels them. */
export function routeEdges(
  graph: DataFlowGraph,
  columns: ReadonlyMap<string, Column>,
  nodes: readonly PlacedNode[],
): PlacedEdge[] {
  const boxes = new Map(nodes.map((n) => [n.node.id, n]));
  const sides = graph.edges.map((edge) => sidesOf(edge, columns));
  const ports = portsFor(graph.edges, sides, boxes);
  const curves = graph.edges.map((edge, i): Curve => {
    const [fromSide, toSide] = sides[i] as [Side, Side];
    const start = ports.get(`${i}:from`) as Point;
    const end = ports.get(`${i}:to`) as Point;
    return fromSide === toSide ? arc(start, end, fromSide, edge.from === edge.to) : across(start, end);
  });
  const outward = sides.map(([a, b]) => (a !== b ? 0 : a === 'left' ? -1 : 1));
  const labels = placeLabels(graph.edges, curves, outward, nodes);
  return graph.edges.map((edge, i) => {
    const curve = curves[i] as Curve;
    const label = labels.get(i);
    return label ? { edge, curve, label } : { edge, curve };
  });
}

/** The side of each end's box the edge leaves or enters by. */
function sidesOf(edge: GraphEdge, columns: ReadonlyMap<string, Column>): [Side, Side] {
  const a = columns.get(edge.from) as Column;
  const b = columns.get(edge.to) as Column;
  if (a < b) return ['right', 'left'];
  if (a > b) return ['left', 'right'];
  const side = arcSide(edge);
  return [side, side];
}

/**
 * Where each edge touches its boxes: the ends on one side of a box are spread along it in the
 * order of the heights they come from, so edges fan out instead of crossing at the box.
 */
function portsFor(
  edges: readonly GraphEdge[],
  sides: readonly [Side, Side][],
  boxes: ReadonlyMap<string, PlacedNode>,
): Map<string, Point> {
  const groups = new Map<string, { key: string; other: number; order: number }[]>();
  const centreY = (id: string) => {
    const b = boxes.get(id) as PlacedNode;
    return b.y + b.height / 2;
  };
  edges.forEach((edge, i) => {
    const [fromSide, toSide] = sides[i] as [Side, Side];
    const loop = edge.from === edge.to ? 1 : 0;
    const add = (id: string, side: Side, key: string, other: number, order: number) => {
      const group = `${id}|${side}`;
      groups.set(group, [...(groups.get(group) ?? []), { key, other, order }]);
    };
    add(edge.from, fromSide, `${i}:from`, centreY(edge.to) - loop, i * 2);
    add(edge.to, toSide, `${i}:to`, centreY(edge.from) + loop, i * 2 + 1);
  });
  const out = new Map<string, Point>();
  for (const [group, ends] of groups) {
    const [id, side] = group.split('|') as [string, Side];
    const box = boxes.get(id) as PlacedNode;
    ends.sort((a, b) => a.other - b.other || a.order - b.order);
    const inset = box.height * 0.18;
    const span = box.height - 2 * inset;
    ends.forEach((end, k) => {
      const y = box.y + inset + (span * (k + 1)) / (ends.length + 1);
      out.set(end.key, { x: side === 'left' ? box.x : box.x + box.width, y });
    });
  }
  return out;
}

/** An S-curve between two columns, leaving and entering horizontally. */
function across(a: Point, b: Point): Curve {
  const dx = (b.x - a.x) / 2;
  return [a, { x: a.x + dx, y: a.y }, { x: b.x - dx, y: b.y }, b];
}

/** A bow beside the column from one box to another (or back to itself) on the given side. */
function arc(a: Point, b: Point, side: Side, self: boolean): Curve {
  const sign = side === 'left' ? -1 : 1;
  const out = self ? 56 : bulge(b.y - a.y);
  const spread = self ? 26 : 0;
  return [a, { x: a.x + sign * out, y: a.y - spread }, { x: b.x + sign * out, y: b.y + spread }, b];
}
