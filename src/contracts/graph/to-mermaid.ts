import { type DataFlowGraph, type EdgeKind, edgeKinds, type GraphNode } from './data-flow-graph.js';
import { conflictStyle, edgeStyles } from './edge-styles.js';

/**
 * The data-flow map as a Mermaid flowchart, for Markdown that GitHub and most doc sites render:
 * services as rounded boxes, collections as cylinders, one arrow style per edge kind (see
 * {@link edgeStyles}); an edge the config and a contract disagree on is orange and thick, and a
 * `%%` comment says what each side declares. Deterministic: the same graph gives the same text.
 */
export function toMermaid(graph: DataFlowGraph): string {
  const ids = mermaidIds(graph.nodes);
  const lines = ['flowchart LR'];
  for (const node of graph.nodes) {
    const id = ids.get(node.id) as string;
    const text = quote(node.label);
    lines.push(node.kind === 'service' ? `  ${id}(${text})` : `  ${id}[(${text})]`);
  }
  const byKind = new Map<EdgeKind | 'conflict', number[]>();
  graph.edges.forEach((edge, index) => {
    const arrow = arrows[edge.kind];
    const label = edge.label === '' ? '' : `|${quote(edge.label)}|`;
    lines.push(`  ${ids.get(edge.from)} ${arrow}${label} ${ids.get(edge.to)}`);
    const style = edge.conflicts ? 'conflict' : edge.kind;
    byKind.set(style, [...(byKind.get(style) ?? []), index]);
  });
  for (const kind of edgeKinds) {
    const indexes = byKind.get(kind);
    const style = edgeStyles[kind];
    if (indexes) lines.push(`  linkStyle ${indexes.join(',')} stroke:${style.color},color:${style.color}`);
  }
  const disputed = byKind.get('conflict');
  if (disputed) {
    const c = conflictStyle.color;
    lines.push(`  linkStyle ${disputed.join(',')} stroke:${c},stroke-width:3px,color:${c}`);
  }
  lines.push(...conflictComments(graph), ...classLines(graph.nodes, ids));
  return `${lines.join('\n')}\n`;
}

/** Solid for owns and writes, plain arrows for reads, dotted for derives, thick for references. */
const arrows: Record<EdgeKind, string> = {
  owns: '-->',
  reads: '-->',
  writes: '-->',
  derives: '-.->',
  references: '==>',
};

/** One `%%` comment per disputed field, once even when both of its edges carry it. */
function conflictComments(graph: DataFlowGraph): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const c of graph.edges.flatMap((e) => e.conflicts ?? [])) {
    const line = `  %% conflict: ${c.field} is ${c.config} in the config, ${c.contract} in a contract`;
    if (!seen.has(line)) out.push(line);
    seen.add(line);
  }
  return out;
}

function classLines(nodes: readonly GraphNode[], ids: ReadonlyMap<string, string>): string[] {
  const of = (kind: GraphNode['kind']) => nodes.filter((n) => n.kind === kind).map((n) => ids.get(n.id));
  const out = [
    '  classDef service fill:#eef2ff,stroke:#4f46e5,color:#1e1b4b',
    '  classDef collection fill:#fefce8,stroke:#a16207,color:#422006',
  ];
  if (of('service').length > 0) out.push(`  class ${of('service').join(',')} service`);
  if (of('collection').length > 0) out.push(`  class ${of('collection').join(',')} collection`);
  return out;
}

/**
 * Mermaid ids for the nodes: letters, digits and `_` only, prefixed by kind (so no id is a keyword
 * such as `end`), and made unique when two names differ only in punctuation (`case-list` and
 * `case_list`).
 */
export function mermaidIds(nodes: readonly GraphNode[]): Map<string, string> {
  const out = new Map<string, string>();
  const taken = new Set<string>();
  for (const node of nodes) {
    const base = `${node.kind === 'service' ? 's' : 'c'}_${node.label.replace(/[^A-Za-z0-9_]+/g, '_')}`;
    let id = base;
    for (let n = 2; taken.has(id); n++) id = `${base}_${n}`;
    taken.add(id);
    out.set(node.id, id);
  }
  return out;
}

/**
 * A label in Mermaid's quoted form: quotes and angle brackets as entity codes, so no name can end
 * the label or open markup, and line breaks as `<br/>`.
 */
function quote(text: string): string {
  const escaped = text
    .replaceAll('#', '#35;')
    .replaceAll('&', '#amp;')
    .replaceAll('"', '#quot;')
    .replaceAll('<', '#lt;')
    .replaceAll('>', '#gt;')
    .replaceAll('\n', '<br/>');
  return `"${escaped}"`;
}
