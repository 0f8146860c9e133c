import type { ElkExtendedEdge, ElkLabel, ElkNode, ElkPoint } from 'elkjs/lib/elk-api.js';
import type { DataFlowGraph, GraphEdge, GraphNode } from './data-flow-graph.js';
import { fontSize, type Point, type Rect, textWidth } from './svg-geometry.js';

/** Where everything goes on the SVG canvas; `toSvg` only draws it. */
export interface Layout {
  /** The drawing's size, margins included, the title above and the legend below excluded. */
  readonly width: number;
  readonly height: number;
  readonly nodes: readonly PlacedNode[];
  readonly edges: readonly PlacedEdge[];
}

/** A node with its box on the canvas. */
export interface PlacedNode extends Rect {
  readonly node: GraphNode;
}

/** An edge as a polyline of straight segments, from its `from` node to its `to` node. */
export interface PlacedEdge {
  readonly edge: GraphEdge;
  readonly points: readonly Point[];
  readonly label?: PlacedLabel;
}

/** An edge label with its box: lines of text centred in it. */
export interface PlacedLabel extends Rect {
  readonly lines: readonly string[];
}

/** Room left of and above the drawing: the title sits above. */
export const origin = { x: 24, y: 56 } as const;
const nodeHeight = { service: 34, collection: 52 } as const;
const lineHeight = 14;

/**
 * ELK's layered algorithm, set for a map read left to right: data flows from writers through
 * collections to readers, so layers follow it; edges are orthogonal, routed around nodes, and
 * labels get their own room beside their edge instead of being laid over the drawing afterwards.
 * The random seed is fixed and the model order is kept, so the same graph gives the same layout.
 */
const layoutOptions: Record<string, string> = {
  'elk.algorithm': 'layered',
  'elk.direction': 'RIGHT',
  'elk.edgeRouting': 'ORTHOGONAL',
  'elk.randomSeed': '1',
  'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
  'elk.layered.nodePlacement.strategy': 'NETWORK_SIMPLEX',
  'elk.layered.spacing.nodeNodeBetweenLayers': '48',
  'elk.layered.spacing.edgeNodeBetweenLayers': '20',
  'elk.layered.spacing.edgeEdgeBetweenLayers': '12',
  'elk.spacing.nodeNode': '28',
  'elk.spacing.edgeNode': '18',
  'elk.spacing.edgeEdge': '12',
  'elk.spacing.edgeLabel': '4',
  'elk.spacing.nodeSelfLoop': '20',
  'elk.spacing.labelLabel': '6',
  'elk.edgeLabels.placement': 'CENTER',
  'elk.edgeLabels.inline': 'true',
  'elk.json.edgeCoords': 'ROOT',
  'elk.json.shapeCoords': 'ROOT',
};

const labelOptions = { 'elk.edgeLabels.inline': 'true' };

/**
 * Lays the map out with ELK (`elkjs`), loaded here and only here, so drawing Mermaid never loads
 * it. Coordinates are rounded to a tenth of a pixel, so the SVG text does not depend on the last
 * bits of floating-point arithmetic.
 */
export async function layoutGraph(graph: DataFlowGraph): Promise<Layout> {
  const ELK = (await import('elkjs/lib/elk.bundled.js')).default.default;
  const placed = await new ELK().layout(elkGraph(graph));
  const boxes = new Map((placed.children ?? []).map((c) => [c.id, c]));
  const nodes = graph.nodes.map((node): PlacedNode => ({ node, ...rect(boxes.get(node.id)) }));
  const edges = graph.edges.map((edge, i) => placedEdge(edge, placed.edges?.[i]));
  return {
    width: round((placed.width ?? 0) + 2 * origin.x),
    height: round((placed.height ?? 0) + origin.y + 8),
    nodes,
    edges,
  };
}

/** The graph in ELK's input form: node sizes from their names, label sizes from their lines. */
function elkGraph(graph: DataFlowGraph): ElkNode {
  return {
    id: 'map',
    layoutOptions,
    children: graph.nodes.map((node) => ({
      id: node.id,
      width: Math.max(96, textWidth(node.label, fontSize.node, true) + 30),
      height: nodeHeight[node.kind],
    })),
    edges: graph.edges.map((edge, i): ElkExtendedEdge => {
      const [source, target] = layeredEnds(edge);
      const label = labelOf(edge);
      return { id: `e${i}`, sources: [source], targets: [target], ...(label ? { labels: [label] } : {}) };
    }),
  };
}

/**
 * The ends ELK layers an edge by. A reference points from the holder to the collection it holds
 * keys of, against the flow of data (the target is written first, then pointed at), so it is laid
 * out target first and its arrow turned back when drawn; every other edge follows the data.
 */
function layeredEnds(edge: GraphEdge): [string, string] {
  return edge.kind === 'references' ? [edge.to, edge.from] : [edge.from, edge.to];
}

function labelOf(edge: GraphEdge): ElkLabel | undefined {
  const lines = labelLines(edge);
  if (lines.length === 0) return undefined;
  const width = Math.max(...lines.map((l) => textWidth(l, fontSize.label))) + 10;
  return { text: edge.label, width, height: lines.length * lineHeight + 4, layoutOptions: labelOptions };
}

/** The lines of an edge's label; none for an edge without one. */
export function labelLines(edge: GraphEdge): string[] {
  return edge.label === '' ? [] : edge.label.split('\n');
}

function placedEdge(edge: GraphEdge, laid: ElkExtendedEdge | undefined): PlacedEdge {
  const section = laid?.sections?.[0];
  const route = section ? [section.startPoint, ...(section.bendPoints ?? []), section.endPoint] : [];
  const forward = edge.kind === 'references' ? route.reverse() : route;
  const points = forward.map(point);
  const box = laid?.labels?.[0];
  if (!box) return { edge, points };
  return { edge, points, label: { ...rect(box), lines: labelLines(edge) } };
}

function point(p: ElkPoint): Point {
  return { x: round(p.x + origin.x), y: round(p.y + origin.y) };
}

function rect(shape: { x?: number; y?: number; width?: number; height?: number } | undefined): Rect {
  return {
    x: round((shape?.x ?? 0) + origin.x),
    y: round((shape?.y ?? 0) + origin.y),
    width: round(shape?.width ?? 0),
    height: round(shape?.height ?? 0),
  };
}

/** To a tenth of a pixel, never `-0`. */
function round(value: number): number {
  const r = Math.round(value * 10) / 10;
  return r === 0 ? 0 : r;
}
