import type { Filter, ParsedFilter } from '../core/filter.js';
import type { JsonObject, JsonValue } from '../core/json.js';

/**
 * Declared derived state after the config is resolved: a stored value (`field` of every document
 * of `collection`) that steward can recompute from an authoritative `source`, with the contract
 * questions of seed 001 section 3 answered (refresh, staleness, failure behaviour, validation,
 * repair, consumers, retirement). Drift check, repair and rebuild take this, never the raw config.
 */
export interface ResolvedDerived {
  /** `<collection>.<field>`, the key it is declared under; incidents use it as their subject. */
  readonly name: string;
  readonly collection: string;
  /** Dotted path of the stored value in each derived document. */
  readonly field: string;
  readonly kind: DerivedKind;
  readonly source: DerivedSource;
  readonly transform: DerivedTransform;
  readonly refresh: RefreshMechanism;
  /** How stale the value may be, in milliseconds; undefined for "must be immediate". */
  readonly stalenessMs?: number;
  readonly onFailure: FailureBehaviour;
  readonly validation: ValidationMethod;
  readonly repair: RepairMethod;
  readonly consumers: readonly DerivedConsumer[];
  readonly retire?: JsonObject;
  /**
   * A snapshot keeps the value as it was at a moment (section 4.6): its difference from the source
   * is by design, so drift check counts it apart, never as drift, and checks only that it is
   * present where its source gives a value; repair and rebuild leave it alone unless forced with an
   * approval.
   */
  readonly snapshot: boolean;
  /** The version of the projection logic, written as projection metadata. Default 1. */
  readonly version: number;
  /**
   * For the `window` method: how far back a source change is rechecked, in milliseconds, when the
   * command gives no `--window` (declared as `validation: { method: 'window', days: 7 }`).
   */
  readonly windowMs?: number;
  /**
   * The contract settings the declaration left out, so the resolver's default stands in for an
   * answer (refresh asynchronous, staleness immediate...): `derived lint` reports them, because a
   * default is not a decision. Undefined when not known (a declaration built in code).
   */
  readonly defaulted?: readonly ContractSetting[];
  /** Lint warnings the owner acknowledged for this declaration, each with the reason. */
  readonly lintAccept?: readonly LintAcceptance[];
  /**
   * Set when the value lives in every element of an array (`orders.lines[].line_total`): drift
   * check, repair and rebuild then read, compare and write each element's value on its own.
   */
  readonly element?: DerivedElement;
  /** Where repair and rebuild keep their projection metadata. Default: the document's `_projection`. */
  readonly metadata?: MetadataPlace;
}

/**
 * A derived value inside each element of an array, declared `<collection>.<array>[].<field>`: the
 * array `lines` and the value `line_total` of each of its elements. An element is told apart by
 * its position, or by `key`, a field of the element (such as `sku`), when one is declared
 * (`elementKey`): then a finding names the element by that value, and a write checks the element
 * is still where it was read.
 */
export interface DerivedElement {
  /** Dotted path of the array in the document. */
  readonly array: string;
  /** Dotted path of the value inside each element. */
  readonly field: string;
  /** The element field that identifies an element; undefined: its position. */
  readonly key?: string;
}

/**
 * Where projection metadata (`{ projectedAt, projectionVersion, by, sourceVersion? }`, one stamp
 * per derived field) is kept: in the document under `field` (default `_projection`, which
 * `contracts verify` leaves out of the check), or in the ledger's `projections` collection, keyed
 * by derived state and document, so the document holds only the application's own fields.
 */
export type MetadataPlace = { readonly in: 'document'; readonly field: string } | { readonly in: 'ledger' };

/** Metadata in the document's `_projection`, steward's default. */
export const defaultMetadata: MetadataPlace = { in: 'document', field: '_projection' };

/**
 * A lint warning acknowledged for one declaration (`lint: { accept: [{ rule, reason }] }`), so a
 * team can reach a clean lint without renaming live fields. Errors cannot be accepted.
 */
export interface LintAcceptance {
  readonly rule: string;
  readonly reason: string;
}

/**
 * The staleness allowance assumed when none is declared, following the refresh so the two
 * defaults never contradict each other: a synchronous refresh keeps the value immediate, an
 * asynchronous one (a queue, a change stream) may lag minutes, a scheduled one a day. A manual
 * refresh promises no age (undefined here, and `derived status` says so).
 */
export const defaultStalenessMs: Readonly<Record<RefreshMechanism, number | undefined>> = {
  synchronous: undefined,
  asynchronous: 5 * 60_000,
  scheduled: 24 * 3_600_000,
  manual: undefined,
};

/** The settings of a declaration that answer a question of the derived-state contract and have a default. */
export const contractSettings = [
  'refresh',
  'staleness',
  'onFailure',
  'validation',
  'repair',
  'consumers',
  'retire',
] as const;
export type ContractSetting = (typeof contractSettings)[number];

/** The kinds of derived state: a copy, a snapshot, a stored computation, a counter, an aggregate, a projection, a search index. */
export const derivedKinds = [
  'copy',
  'snapshot',
  'stored',
  'counter',
  'aggregate',
  'projection',
  'search',
] as const;
export type DerivedKind = (typeof derivedKinds)[number];

export const refreshMechanisms = ['synchronous', 'asynchronous', 'scheduled', 'manual'] as const;
export type RefreshMechanism = (typeof refreshMechanisms)[number];

export const failureBehaviours = ['fail-write', 'retry', 'mark-stale', 'ignore'] as const;
export type FailureBehaviour = (typeof failureBehaviours)[number];

export const validationMethods = ['exact', 'sampling', 'hash', 'window', 'checkpoint'] as const;
export type ValidationMethod = (typeof validationMethods)[number];

export const repairMethods = ['recompute', 'rebuild'] as const;
export type RepairMethod = (typeof repairMethods)[number];

/** A service reading the value; `irreversible` when it takes decisions that cannot be undone from it. */
export interface DerivedConsumer {
  readonly service: string;
  readonly irreversible: boolean;
}

/**
 * Where the value comes from and how source documents are linked to a derived document:
 * `via` (the derived document holds, at `via`, the key of one source document) or `key` (every
 * source document whose field `key` holds the derived document's key counts, like tasks.caseId).
 */
export interface DerivedSource {
  /** The source collection; for a `self` link, the derived collection itself. */
  readonly collection: string;
  /**
   * `self` (declared `source: 'self'`): the value is computed from the document's own fields (the
   * element's, inside an array), with no lookup.
   */
  readonly link:
    | { readonly by: 'via'; readonly field: string }
    | { readonly by: 'key'; readonly field: string }
    | { readonly by: 'self' };
  /** Only source documents matching this filter count (portable filter language). */
  readonly where: ParsedFilter;
  readonly whereRaw?: Filter;
  /**
   * The source field holding when each source document last changed, as an ISO 8601 string (UTC,
   * so it sorts as text): what the `window` method filters on, and the source version when no
   * `version` field is declared.
   */
  readonly changedAt?: string;
  /** The source field holding a version number raised on every change (section 12's source version). */
  readonly version?: string;
}

/**
 * The source field whose value is a derived document's source version: the declared `version`,
 * else `changedAt` (a last-change time is a version too: it only grows). Undefined when neither is
 * declared; the `checkpoint` method needs one.
 */
export function sourceVersionField(source: DerivedSource): string | undefined {
  return source.version ?? source.changedAt;
}

/**
 * A TypeScript transformation: what holds the value (the derived document, or for an array-element
 * value its element), its linked source documents (for a `self` source, the document itself) and
 * the whole derived document in, the value out.
 */
export type TransformFunction = (
  target: JsonObject,
  sources: readonly JsonObject[],
  doc: JsonObject,
) => JsonValue | undefined;

/**
 * How the value is computed from the linked source documents. Declarative forms are checked and
 * documented; a function is trusted, and a throw is reported for that document only.
 */
export type DerivedTransform =
  | { readonly type: 'count' }
  | { readonly type: 'copy'; readonly field: string }
  | { readonly type: 'sum' | 'min' | 'max'; readonly field: string }
  /** The value of `field` in the source document whose `by` is the greatest (default `by` = field). */
  | { readonly type: 'latest'; readonly field: string; readonly by: string }
  /** The product of numeric fields of the document (or element): a `self` source only. */
  | { readonly type: 'multiply'; readonly fields: readonly string[] }
  | { readonly type: 'function'; readonly fn: TransformFunction };

/** True when the value of a derived state is an aggregate over many source documents. */
export function isAggregate(derived: Pick<ResolvedDerived, 'source'>): boolean {
  return derived.source.link.by === 'key';
}

/** How the source link reads in messages and listings: `via subjectId`, `key caseId`, `self`. */
export function linkLabel(link: DerivedSource['link']): string {
  return link.by === 'self' ? 'self' : `${link.by} ${link.field}`;
}

/** Where this declaration's projection metadata lives (the default when none is declared). */
export function metadataOf(derived: Pick<ResolvedDerived, 'metadata'>): MetadataPlace {
  return derived.metadata ?? defaultMetadata;
}
