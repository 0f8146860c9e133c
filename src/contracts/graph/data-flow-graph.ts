import type { Contract } from '../contract.js';

/**
 * The data-flow map of a set of contracts: which service owns each collection, which services read
 * and write which collections, which collections are derived from which, and which reference
 * which. Plain data in a fixed order, so the Mermaid and SVG renderings of the same contracts are
 * byte-for-byte the same on every run. It shows what the contracts declare, not observed traffic.
 */
export interface DataFlowGraph {
  /** Services first, then collections, each by name. */
  readonly nodes: readonly GraphNode[];
  /** By kind (in {@link edgeKinds} order), then by `from`, then by `to`. */
  readonly edges: readonly GraphEdge[];
}

export type NodeKind = 'service' | 'collection';

export interface GraphNode {
  /** `service:<name>` or `collection:<name>`: a service and a collection may share a name. */
  readonly id: string;
  readonly kind: NodeKind;
  /** The service or collection name. */
  readonly label: string;
}

/** Edge kinds, in the order edges are listed and legends are drawn. */
export const edgeKinds = ['owns', 'reads', 'writes', 'derives', 'references'] as const;
export type EdgeKind = (typeof edgeKinds)[number];

/**
 * One relation between two nodes. Edges of one kind between the same two nodes are merged, so
 * `fields` may hold several entries:
 * - `owns`: owner service → collection; no fields;
 * - `reads`: collection → consuming service, the fields it reads;
 * - `writes`: consuming service → collection, the fields it writes;
 * - `derives`: source collection → collection holding derived state, `field ← source.field`;
 * - `references`: collection → the collection whose keys a field holds, the fields.
 */
export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  readonly kind: EdgeKind;
  /** For display: the fields, shortened when long; lines separated by `\n`; empty for `owns`. */
  readonly label: string;
  /** Every field behind the edge, in full. */
  readonly fields: readonly string[];
}

/** Node id of a service. */
export const serviceId = (name: string): string => `service:${name}`;
/** Node id of a collection. */
export const collectionId = (name: string): string => `collection:${name}`;

/** Builds the data-flow map of `contracts`. Pure; the order of `contracts` does not matter. */
export function buildDataFlowGraph(contracts: readonly Contract[]): DataFlowGraph {
  const services = new Set<string>();
  const edges = new EdgeSet();
  for (const c of contracts) {
    const here = collectionId(c.collection);
    services.add(c.owner);
    edges.add('owns', serviceId(c.owner), here, []);
    for (const [service, uses] of Object.entries(c.consumers)) {
      services.add(service);
      if (uses.reads.length > 0) edges.add('reads', here, serviceId(service), uses.reads);
      if (uses.writes.length > 0) edges.add('writes', serviceId(service), here, uses.writes);
    }
    for (const [field, d] of Object.entries(c.fields)) {
      if (d.source)
        edges.add('derives', collectionId(d.source.collection), here, [
          `${field} ← ${d.source.collection}.${d.source.field}`,
        ]);
      if (d.references !== undefined) edges.add('references', here, collectionId(d.references), [field]);
    }
  }
  const nodes: GraphNode[] = [
    ...[...services]
      .sort(compareText)
      .map((name) => ({ id: serviceId(name), kind: 'service' as const, label: name })),
    ...contracts
      .map((c) => c.collection)
      .sort(compareText)
      .map((name) => ({ id: collectionId(name), kind: 'collection' as const, label: name })),
  ];
  return { nodes, edges: edges.sorted() };
}

/**
 * Edges keyed by kind and ends, so repeated relations merge into one edge with more fields. Merges
 * only ever join fields of one contract, so the fields keep the order the contract declares them in.
 */
class EdgeSet {
  private readonly byKey = new Map<string, { from: string; to: string; kind: EdgeKind; fields: string[] }>();

  add(kind: EdgeKind, from: string, to: string, fields: readonly string[]): void {
    const key = `${kind}\u0000${from}\u0000${to}`;
    const edge = this.byKey.get(key) ?? { from, to, kind, fields: [] };
    for (const f of fields) if (!edge.fields.includes(f)) edge.fields.push(f);
    this.byKey.set(key, edge);
  }

  sorted(): GraphEdge[] {
    return [...this.byKey.values()]
      .map((e) => ({ ...e, label: labelFor(e.kind, e.fields) }))
      .sort(
        (a, b) =>
          edgeKinds.indexOf(a.kind) - edgeKinds.indexOf(b.kind) ||
          compareText(a.from, b.from) ||
          compareText(a.to, b.to),
      );
  }
}

/** Longest one-line label before the list is cut to "a, b +3 more". */
const maxLabelChars = 34;
/** Most lines of a `derives` label before the rest are counted as "+N more". */
const maxLabelLines = 3;

function labelFor(kind: EdgeKind, fields: readonly string[]): string {
  if (kind === 'owns') return '';
  if (kind === 'derives') {
    if (fields.length <= maxLabelLines) return fields.join('\n');
    const shown = fields.slice(0, maxLabelLines - 1);
    return [...shown, `+${fields.length - shown.length} more`].join('\n');
  }
  return shortList(fields, maxLabelChars);
}

/** The items joined with ", ", cut to about `max` characters with "+N more"; always at least one. */
export function shortList(items: readonly string[], max: number): string {
  const all = items.join(', ');
  if (all.length <= max) return all;
  const kept: string[] = [];
  for (const item of items) {
    const suffix = ` +${items.length - kept.length - 1} more`;
    if (kept.length > 0 && [...kept, item].join(', ').length + suffix.length > max) break;
    kept.push(item);
  }
  return `${kept.join(', ')} +${items.length - kept.length} more`;
}

/** Code-unit order: the same on every machine, whatever its locale. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
