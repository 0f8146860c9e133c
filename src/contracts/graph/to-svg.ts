import { type DataFlowGraph, type EdgeKind, edgeKinds } from './data-flow-graph.js';
import { conflictStyle, edgeStyles } from './edge-styles.js';
import { fontSize, num, polylinePath, textWidth } from './svg-geometry.js';
import { type Layout, layoutGraph, type PlacedEdge, type PlacedNode } from './svg-layout.js';
import { type LegendItem, legendRowHeight, legendRows } from './svg-legend.js';

const fontFamily = "system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif";
const colours = {
  service: { fill: '#eef2ff', stroke: '#4f46e5', text: '#1e1b4b' },
  collection: { fill: '#fefce8', stroke: '#a16207', text: '#422006' },
} as const;

/**
 * The data-flow map as a self-contained SVG file: no scripts, no external fonts or styles, so it
 * can be committed, attached to a review or opened in any browser. Deterministic: the same graph
 * gives the same bytes. Asynchronous because the layout (`svg-layout.ts`, ELK) is; this file only
 * draws it.
 */
export async function toSvg(graph: DataFlowGraph): Promise<string> {
  return drawSvg(graph, await layoutGraph(graph));
}

/** Draws a laid-out map: title, edges, nodes, then labels on top, and the legend below. */
export function drawSvg(graph: DataFlowGraph, layout: Layout): string {
  const services = graph.nodes.filter((n) => n.kind === 'service').length;
  const collections = graph.nodes.length - services;
  const title = `Data-flow map: ${count(collections, 'collection')}, ${count(services, 'service')}`;
  const width = Math.max(layout.width, textWidth(title, fontSize.title, true) + 48);
  const conflicts = graph.edges.some((e) => e.conflicts);
  const rows = legendRows(
    width,
    graph.edges.map((e) => e.kind),
    conflicts,
  );
  const legendTop = layout.height + 8;
  const height = legendTop + rows.length * legendRowHeight + 16;
  const size = `width="${num(width)}" height="${num(height)}" viewBox="0 0 ${num(width)} ${num(height)}"`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" ${size} font-family="${escapeXml(fontFamily)}">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    markers(),
    `<text x="24" y="32" font-size="${fontSize.title}" font-weight="600" fill="#0f172a">${escapeXml(title)}</text>`,
    ...layout.edges.flatMap(drawHalo),
    ...layout.edges.map((e) => drawEdge(e, layout)),
    ...layout.nodes.map(drawNode),
    ...layout.edges.flatMap(drawLabel),
    ...rows.flatMap((row, i) => row.map((item) => drawLegendItem(item, legendTop + i * legendRowHeight))),
    '</svg>',
    '',
  ].join('\n');
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function markers(): string {
  const defs = edgeKinds.map((kind) => {
    const fill = edgeStyles[kind].color;
    return `<marker id="arrow-${kind}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" markerHeight="9" markerUnits="userSpaceOnUse" orient="auto"><path d="M0,1 L10,5 L0,9 z" fill="${fill}"/></marker>`;
  });
  return `<defs>\n${defs.join('\n')}\n</defs>`;
}

function stroke(kind: EdgeKind): string {
  const s = edgeStyles[kind];
  const dash = s.dash ? ` stroke-dasharray="${s.dash}"` : '';
  return `fill="none" stroke="${s.color}" stroke-width="${s.width}"${dash}`;
}

/** The wide translucent line under an edge the config and a contract disagree on. */
const halo = `fill="none" stroke="${conflictStyle.color}" stroke-opacity="0.35" stroke-width="9" stroke-linejoin="round"`;

function drawHalo({ edge, points }: PlacedEdge): string[] {
  return edge.conflicts ? [`<path d="${polylinePath(points)}" ${halo}/>`] : [];
}

/** An edge, with a tooltip naming its ends, its fields in full and any conflict. */
function drawEdge({ edge, points }: PlacedEdge, layout: Layout): string {
  const name = (id: string) => layout.nodes.find((n) => n.node.id === id)?.node.label ?? id;
  const tip = [
    `${edge.kind}: ${name(edge.from)} → ${name(edge.to)} (declared in ${edge.declaredIn.join(' and ')})`,
    ...edge.fields,
    ...(edge.conflicts ?? []).map(
      (c) => `⚠ ${c.field}: the config says ${c.config}, a contract says ${c.contract}`,
    ),
  ].join('\n');
  return `<path d="${polylinePath(points)}" ${stroke(edge.kind)} marker-end="url(#arrow-${edge.kind})"><title>${escapeXml(tip)}</title></path>`;
}

function drawLabel({ edge, label }: PlacedEdge): string[] {
  if (!label) return [];
  const colour = edgeStyles[edge.kind].color;
  const border = edge.conflicts
    ? `stroke="${conflictStyle.color}" stroke-width="1.5"`
    : `stroke="${colour}" stroke-opacity="0.25"`;
  const cx = label.x + label.width / 2;
  const lines = label.lines.map(
    (line, k) => `<tspan x="${num(cx)}" y="${num(label.y + 13 + k * 14)}">${escapeXml(line)}</tspan>`,
  );
  return [
    [
      `<g font-size="${fontSize.label}" text-anchor="middle" fill="${colour}">`,
      `<rect x="${num(label.x)}" y="${num(label.y)}" width="${num(label.width)}" height="${num(label.height)}" rx="3" fill="#ffffff" fill-opacity="0.9" ${border}/>`,
      `<text>${lines.join('')}</text>`,
      '</g>',
    ].join(''),
  ];
}

function drawNode(n: PlacedNode): string {
  const c = colours[n.node.kind];
  const paint = `fill="${c.fill}" stroke="${c.stroke}" stroke-width="1.5"`;
  const shape =
    n.node.kind === 'service'
      ? `<rect x="${num(n.x)}" y="${num(n.y)}" width="${num(n.width)}" height="${num(n.height)}" rx="${num(n.height / 2)}" ${paint}/>`
      : cylinder(n.x, n.y, n.width, n.height, paint);
  const textY = n.y + n.height / 2 + (n.node.kind === 'collection' ? 7 : 4.5);
  const text = `<text x="${num(n.x + n.width / 2)}" y="${num(textY)}" text-anchor="middle" font-size="${fontSize.node}" font-weight="600" fill="${c.text}">${escapeXml(n.node.label)}</text>`;
  return `<g>${shape}${text}</g>`;
}

/** A database cylinder: a body with rounded top and bottom, and the front rim of its lid. */
function cylinder(x: number, y: number, w: number, h: number, paint: string): string {
  const ry = 6;
  const rx = num(w / 2);
  const left = num(x);
  const right = num(x + w);
  const body = `M${left},${num(y + ry)} A${rx},${ry} 0 0,1 ${right},${num(y + ry)} V${num(y + h - ry)} A${rx},${ry} 0 0,1 ${left},${num(y + h - ry)} Z`;
  const rim = `M${left},${num(y + ry)} A${rx},${ry} 0 0,0 ${right},${num(y + ry)}`;
  return `<path d="${body}" ${paint}/><path d="${rim}" fill="none" ${paint.replace(/fill="[^"]*" /, '')}/>`;
}

function drawLegendItem(item: LegendItem, top: number): string {
  const y = top + legendRowHeight / 2;
  const text = `<text x="${num(item.x + 46)}" y="${num(y + 4)}" font-size="${fontSize.legend}" fill="#334155">${escapeXml(item.text)}</text>`;
  if (item.kind === 'service' || item.kind === 'collection') {
    const c = colours[item.kind];
    const paint = `fill="${c.fill}" stroke="${c.stroke}" stroke-width="1.5"`;
    const shape =
      item.kind === 'service'
        ? `<rect x="${num(item.x)}" y="${num(y - 8)}" width="38" height="16" rx="8" ${paint}/>`
        : cylinder(item.x + 6, y - 10, 26, 20, paint);
    return `<g>${shape}${text}</g>`;
  }
  const d = `M${num(item.x)},${num(y)} H${num(item.x + 36)}`;
  if (item.kind === 'conflict') return `<g><path d="${d}" ${halo}/>${text}</g>`;
  const line = `<path d="${d}" ${stroke(item.kind)} marker-end="url(#arrow-${item.kind})"/>`;
  return `<g>${line}${text}</g>`;
}

/** Text made safe for XML content and attribute values. */
export function escapeXml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;');
}
