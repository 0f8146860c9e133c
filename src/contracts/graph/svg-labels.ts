import type { GraphEdge } from './data-flow-graph.js';
import {
  type Curve,
  fontSize,
  inflate,
  overlapArea,
  type Point,
  pointOn,
  type Rect,
  textWidth,
} from './svg-geometry.js';

/** An edge label with its box: lines of text centred in it. */
export interface PlacedLabel extends Rect {
  readonly lines: readonly string[];
}

const lineHeight = 14;

/** The lines of an edge's label and the box they need. */
export function labelSize(edge: GraphEdge): { width: number; height: number; lines: string[] } {
  const lines = edge.label === '' ? [] : edge.label.split('\n');
  const width = Math.max(0, ...lines.map((l) => textWidth(l, fontSize.label))) + 10;
  return { width, height: lines.length * lineHeight + 4, lines };
}

/**
 * Places the label of every edge that has one, one after another, each where it overlaps no node
 * and no label placed before it and, as far as it can, crosses no other edge's line. `outward`
 * tells, per edge, which side of an arc is its outside (-1 left, 1 right), 0 for other edges.
 */
export function placeLabels(
  edges: readonly GraphEdge[],
  curves: readonly Curve[],
  outward: readonly (-1 | 0 | 1)[],
  nodes: readonly Rect[],
): Map<number, PlacedLabel> {
  const samples = curves.map((curve) => samplePoints.map((t) => pointOn(curve, t)));
  const obstacles: Rect[] = nodes.map((n) => inflate(n, 4));
  const out = new Map<number, PlacedLabel>();
  for (const i of labelOrder(edges, outward)) {
    const edge = edges[i] as GraphEdge;
    const curve = curves[i] as Curve;
    // Only lines near this curve can cross its label: filtering once keeps large maps fast.
    const { width, height } = labelSize(edge);
    const near = inflate(boundsOf(curve), width + height);
    const lines = samples.flatMap((points, j) => (j === i ? [] : points.filter((p) => inside(p, near))));
    const label = placeLabel(edge, curve, outward[i] ?? 0, obstacles, lines);
    if (!label) continue;
    out.set(i, label);
    obstacles.push(inflate(label, 3));
  }
  return out;
}

/**
 * The order labels are placed in: arcs first, since they have the least room to move, then the
 * others; bigger labels before smaller ones, which fit into what is left more easily.
 */
function labelOrder(edges: readonly GraphEdge[], outward: readonly number[]): number[] {
  const isArc = (i: number) => (outward[i] !== 0 ? 0 : 1);
  const size = (i: number) => {
    const l = labelSize(edges[i] as GraphEdge);
    return l.width * l.height;
  };
  return edges.map((_, i) => i).sort((a, b) => isArc(a) - isArc(b) || size(b) - size(a) || a - b);
}

/** Spots along the curve tried for the label, middle first. */
const spots = [0.5, 0.44, 0.56, 0.38, 0.62, 0.32, 0.68, 0.26, 0.74, 0.2, 0.8, 0.15, 0.85];
/** Where other edges' lines are sampled, to keep labels off them. */
const samplePoints = Array.from({ length: 41 }, (_, k) => k / 40);

/**
 * A label sits centred on its curve; failing that, for an arc, just outside it (`outward`: -1
 * left, 1 right), or just above or below the curve. Of the spots tried it takes the one with the
 * least label overlapping nodes and labels already placed; among equals, the one fewest other
 * lines run through; then the one tried first.
 */
function placeLabel(
  edge: GraphEdge,
  curve: Curve,
  outward: -1 | 0 | 1,
  obstacles: readonly Rect[],
  lines: readonly Point[],
): PlacedLabel | undefined {
  const { width, height, lines: text } = labelSize(edge);
  if (text.length === 0) return undefined;
  let best: { label: PlacedLabel; hard: number; soft: number } | undefined;
  const aside = outward === 0 ? [0, 0] : [outward * (width / 2 + 3), 0];
  const shifts = [[0, 0], aside, [0, -(height / 2 + 3)], [0, height / 2 + 3]] as const;
  for (const [[dx, dy], t] of shifts.flatMap((shift) => spots.map((t) => [shift, t] as const))) {
    const p = pointOn(curve, t);
    const label = { x: p.x - width / 2 + dx, y: p.y - height / 2 + dy, width, height, lines: text };
    const hard = obstacles.reduce((sum, o) => sum + overlapArea(label, o), 0);
    const soft = lines.filter((q) => inside(q, label)).length;
    if (!best || hard < best.hard || (hard === best.hard && soft < best.soft)) best = { label, hard, soft };
  }
  return best?.label;
}

function inside(p: Point, r: Rect): boolean {
  return p.x >= r.x && p.x <= r.x + r.width && p.y >= r.y && p.y <= r.y + r.height;
}

/** A rectangle holding the whole curve (its control points bound it). */
function boundsOf(curve: Curve): Rect {
  const xs = curve.map((p) => p.x);
  const ys = curve.map((p) => p.y);
  const x = Math.min(...xs);
  const y = Math.min(...ys);
  return { x, y, width: Math.max(...xs) - x, height: Math.max(...ys) - y };
}
