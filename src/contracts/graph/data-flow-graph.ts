import type { ResolvedConfig } from '../../config/resolved-config.js';
import type { DerivedSource, DerivedTransform } from '../../derived/derived.js';
import type { Contract } from '../contract.js';
import { fieldRelations } from './field-relations.js';

/**
 * The data-flow map of a project: which service owns each collection, which services read and
 * write which collections, which collections are derived from which, and which reference which.
 * Drawn from everything declared, in the contracts and in the config alike, so nothing has to be
 * declared twice to be seen. Plain data in a fixed order, so the Mermaid and SVG renderings of the
 * same declarations are byte-for-byte the same on every run. It shows what is declared, not
 * observed traffic.
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

/** Where a relation is declared: the config (`steward.config.ts`) or a contract. */
export type DeclaredIn = 'config' | 'contract';

/**
 * One relation between two nodes. Edges of one kind between the same two nodes are merged, also
 * across the config and the contracts, so `fields` may hold several entries:
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
  /**
   * For display: the fields, shortened when long, a field the config and a contract disagree on
   * marked `⚠`; lines separated by `\n`; empty for `owns`.
   */
  readonly label: string;
  /** Every field behind the edge, in full. */
  readonly fields: readonly string[];
  /** Where the edge is declared: `config`, `contract` or both, in that order. */
  readonly declaredIn: readonly DeclaredIn[];
  /**
   * Fields behind this edge that the config and a contract declare differently (another target,
   * another source): the other side is drawn too, with the same conflict. Absent when none.
   */
  readonly conflicts?: readonly EdgeConflict[];
}

/** A field the config and a contract disagree on: what each says it points at or comes from. */
export interface EdgeConflict {
  /** `<collection>.<field>`. */
  readonly field: string;
  /** The config's target collection, or its source `collection.field` (`collection` when it names no field). */
  readonly config: string;
  /** The contract's target collection, or its source `collection.field`. */
  readonly contract: string;
}

/**
 * What the config declares that the map draws, in plain data so the core needs no loaded config
 * (see {@link configDeclarations}): collections (each a node, with a contract or without),
 * references, and derived state with the services that read it.
 */
export interface ConfigDeclarations {
  readonly collections?: readonly string[];
  readonly references?: readonly {
    readonly collection: string;
    readonly field: string;
    readonly target: string;
  }[];
  readonly derived?: readonly ConfigDerived[];
}

/** The parts of a resolved derived-state declaration the map uses. */
export interface ConfigDerived {
  readonly collection: string;
  readonly field: string;
  readonly source: Pick<DerivedSource, 'collection' | 'link'>;
  readonly transform: DerivedTransform;
  readonly consumers: readonly { readonly service: string }[];
}

/** The declarations of a resolved config, in the config's order. */
export function configDeclarations(
  config: Pick<ResolvedConfig, 'collections' | 'references' | 'derived'>,
): ConfigDeclarations {
  return {
    collections: [...config.collections.keys()],
    references: [...config.references.values()],
    derived: [...config.derived.values()],
  };
}

/** Node id of a service. */
export const serviceId = (name: string): string => `service:${name}`;
/** Node id of a collection. */
export const collectionId = (name: string): string => `collection:${name}`;

/**
 * Builds the data-flow map of `contracts` and of what `config` declares. Pure; the order of
 * `contracts` does not matter. Where the config and a contract declare a field's reference or
 * source differently, both edges are drawn and both carry the conflict (see {@link EdgeConflict}).
 */
export function buildDataFlowGraph(
  contracts: readonly Contract[],
  config: ConfigDeclarations = {},
): DataFlowGraph {
  const edges = new EdgeSet();
  for (const c of contracts) {
    const here = collectionId(c.collection);
    edges.add('owns', serviceId(c.owner), here, [], 'contract');
    for (const [service, uses] of Object.entries(c.consumers)) {
      edges.add('reads', here, serviceId(service), uses.reads, 'contract');
      edges.add('writes', serviceId(service), here, uses.writes, 'contract');
    }
  }
  for (const r of fieldRelations(contracts, config)) {
    for (const origin of r.declaredIn)
      edges.add(r.kind, collectionId(r.from), collectionId(r.to), [r.entry], origin, r.conflict);
  }
  for (const d of config.derived ?? []) {
    for (const { service } of d.consumers)
      edges.add('reads', collectionId(d.collection), serviceId(service), [d.field], 'config');
  }
  const sorted = edges.sorted();
  const named = [
    ...contracts.flatMap((c) => Object.keys(c.consumers).map(serviceId)),
    ...contracts.map((c) => collectionId(c.collection)),
    ...(config.collections ?? []).map(collectionId),
    ...sorted.flatMap((e) => [e.from, e.to]),
  ];
  return { nodes: nodesOf(named), edges: sorted };
}

/** One node per id, services first, then collections, each by name. */
function nodesOf(ids: readonly string[]): GraphNode[] {
  const unique = [...new Set(ids)];
  const of = (kind: NodeKind) =>
    unique
      .filter((id) => id.startsWith(`${kind}:`))
      .map((id) => id.slice(kind.length + 1))
      .sort(compareText)
      .map((label) => ({ id: `${kind}:${label}`, kind, label }));
  return [...of('service'), ...of('collection')];
}

interface EdgeDraft {
  from: string;
  to: string;
  kind: EdgeKind;
  fields: string[];
  declaredIn: Set<DeclaredIn>;
  conflicts: EdgeConflict[];
  /** The entries of `fields` a conflict is about, marked in the label. */
  disputed: Set<string>;
}

/**
 * Edges keyed by kind and ends, so repeated relations merge into one edge with more fields, in the
 * order they were added: the contract's order first, then the config's. A relation with no fields
 * (a consumer that reads nothing) makes no edge; only `owns` has none.
 */
class EdgeSet {
  private readonly byKey = new Map<string, EdgeDraft>();

  add(
    kind: EdgeKind,
    from: string,
    to: string,
    fields: readonly string[],
    origin: DeclaredIn,
    conflict?: EdgeConflict,
  ): void {
    if (kind !== 'owns' && fields.length === 0) return;
    const key = `${kind}\u0000${from}\u0000${to}`;
    const edge = this.byKey.get(key) ?? {
      from,
      to,
      kind,
      fields: [],
      declaredIn: new Set(),
      conflicts: [],
      disputed: new Set(),
    };
    for (const f of fields) if (!edge.fields.includes(f)) edge.fields.push(f);
    edge.declaredIn.add(origin);
    if (conflict) {
      for (const f of fields) edge.disputed.add(f);
      if (!edge.conflicts.some((c) => c.field === conflict.field)) edge.conflicts.push(conflict);
    }
    this.byKey.set(key, edge);
  }

  sorted(): GraphEdge[] {
    return [...this.byKey.values()]
      .map(finish)
      .sort(
        (a, b) =>
          edgeKinds.indexOf(a.kind) - edgeKinds.indexOf(b.kind) ||
          compareText(a.from, b.from) ||
          compareText(a.to, b.to),
      );
  }
}

function finish(e: EdgeDraft): GraphEdge {
  const declaredIn = (['config', 'contract'] as const).filter((o) => e.declaredIn.has(o));
  const marked = e.fields.map((f) => (e.disputed.has(f) ? `⚠ ${f}` : f));
  return {
    from: e.from,
    to: e.to,
    kind: e.kind,
    label: labelFor(e.kind, marked),
    fields: e.fields,
    declaredIn,
    ...(e.conflicts.length > 0 ? { conflicts: e.conflicts } : {}),
  };
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
