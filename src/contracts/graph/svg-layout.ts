import type { DataFlowGraph, EdgeKind, GraphNode } from './data-flow-graph.js';
import { type Column, columnsOf, orderColumns, type PlacedNode } from './svg-columns.js';
import { type PlacedEdge, routeEdges, spaceBeside } from './svg-edges.js';
import { fontSize, textWidth } from './svg-geometry.js';

/** Where everything goes on the SVG canvas; `toSvg` only draws it. */
export interface Layout {
  readonly width: number;
  readonly nodes: readonly PlacedNode[];
  readonly edges: readonly PlacedEdge[];
  /** The top of the legend, below the drawing. */
  readonly legendTop: number;
}

const margin = 24;
const top = 56;
const nodeHeight = { service: 34, collection: 52 } as const;
/** Least vertical room between two nodes of a column. */
const nodeGap = 36;
/** Least horizontal room between two columns. */
const minGap = 150;

/**
 * Lays the map out in three columns (see `svg-columns.ts`): collections evenly spaced in the
 * middle, each service at the mean height of the collections it touches, pushed apart where they
 * would overlap. Column gaps are as wide as the longest edge label that has to fit in them.
 */
export function layoutGraph(graph: DataFlowGraph): Layout {
  const columns = columnsOf(graph);
  const order = orderColumns(graph, columns);
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const widths = order.map((ids) =>
    Math.max(96, ...ids.map((id) => textWidth(byId.get(id)?.label ?? '', fontSize.node, true) + 30)),
  );
  const pitch = (kind: GraphNode['kind']) => nodeHeight[kind] + nodeGap;
  const rows = order.map((ids) => ids.reduce((sum, id) => sum + pitch(byId.get(id)?.kind ?? 'service'), 0));
  const height = Math.max(...rows, 0);
  const centres = new Map<string, number>();
  const middle = order[1] ?? [];
  middle.forEach((id, i) => {
    centres.set(id, top + ((i + 0.5) * height) / Math.max(1, middle.length));
  });
  placeServices(graph, order[0] ?? [], centres, height, ['owns']);
  placeServices(graph, order[2] ?? [], centres, height, ['reads', 'writes']);

  const room = spaceBeside(graph, columns, centres);
  const x0 = margin;
  const x1 = x0 + (widths[0] ?? 0) + Math.max(minGap, room.left);
  const hasRight = (order[2] ?? []).length > 0;
  const x2 = x1 + (widths[1] ?? 0) + (hasRight ? Math.max(minGap, room.right) : 0);
  const xs = [x0, x1, x2];
  const nodes: PlacedNode[] = [];
  order.forEach((ids, column) => {
    for (const id of ids) {
      const node = byId.get(id) as GraphNode;
      const h = nodeHeight[node.kind];
      const width = widths[column] ?? 0;
      const y = (centres.get(id) ?? top) - h / 2;
      nodes.push({ node, column: column as Column, x: xs[column] ?? 0, y, width, height: h });
    }
  });
  const right = hasRight ? x2 + (widths[2] ?? 0) : x1 + (widths[1] ?? 0) + room.right;
  const edges = routeEdges(graph, columns, nodes);
  return { width: right + margin, nodes, edges, legendTop: top + height + 8 };
}

/**
 * Puts each service at the mean height of the collections it has edges of `kinds` to (owners
 * beside what they own, so each owner's edges fan out evenly), then pushes neighbours apart (down,
 * then up from the bottom) so none overlap and all stay within the drawing.
 */
function placeServices(
  graph: DataFlowGraph,
  ids: readonly string[],
  centres: Map<string, number>,
  height: number,
  kinds: readonly EdgeKind[],
): void {
  const space = nodeHeight.service + nodeGap;
  const wanted = ids.map((id) => {
    const near = graph.edges
      .filter((e) => kinds.includes(e.kind))
      .flatMap((e) => (e.from === id ? [e.to] : e.to === id ? [e.from] : []));
    const ys = near.map((n) => centres.get(n)).filter((y): y is number => y !== undefined);
    return { id, y: ys.length > 0 ? ys.reduce((a, b) => a + b, 0) / ys.length : top + height / 2 };
  });
  wanted.sort((a, b) => a.y - b.y);
  const low = top + space / 2;
  const high = top + height - space / 2;
  const ys = wanted.map((w) => w.y);
  for (let i = 0; i < ys.length; i++)
    ys[i] = Math.max(ys[i] as number, low, i > 0 ? (ys[i - 1] as number) + space : low);
  for (let i = ys.length - 1; i >= 0; i--)
    ys[i] = Math.min(ys[i] as number, i < ys.length - 1 ? (ys[i + 1] as number) - space : high);
  wanted.forEach((w, i) => {
    centres.set(w.id, ys[i] as number);
  });
}
