import type { Deprecation, FieldAuthority, FieldDeclaration } from '../contract.js';

/**
 * Everything that depends on one field of one collection, as declared in the contracts: what
 * `steward contracts impact <collection>.<field>` prints before someone renames, retypes or removes
 * the field. It is computed from contracts alone, so it shows declared dependencies, not the
 * undeclared readers a service may have.
 */
export interface Impact {
  readonly collection: string;
  /** The field path asked about, such as `lead.officerId`. */
  readonly field: string;
  /** The service that owns the collection, and so writes the field unless it is derived. */
  readonly owner: string;
  /** The schema versions that declare the field, oldest first. */
  readonly versions: readonly number[];
  /** The field's own declaration: `authoritative` with no source when the contract says nothing. */
  readonly declaration: FieldDeclaration;
  /** Set when the field is on its way out. */
  readonly deprecated?: Deprecation;
  /** True when the field is the collection's key, so references and key lookups depend on it. */
  readonly isKey: boolean;
  /** Services other than the owner that read or write the field, a parent of it or a part of it. */
  readonly consumers: readonly ConsumerImpact[];
  /** Derived state that is computed from the field, or located through it. */
  readonly derived: readonly DerivedImpact[];
  /** References the field holds, and, for a key, the fields of other collections that point at it. */
  readonly references: readonly ReferenceImpact[];
  /** Migrations that touch the field; empty unless the caller passes the known migrations. */
  readonly migrations: readonly MigrationTouch[];
}

/** A consuming service and the paths it declares that overlap the field. */
export interface ConsumerImpact {
  readonly service: string;
  readonly reads: readonly string[];
  readonly writes: readonly string[];
}

/**
 * Why a derived field depends on the one asked about:
 * - `source`: it is computed or copied from it;
 * - `via`: it sits in the same document and the field holds the key it finds its source with;
 * - `key`: the field is its source collection's key, which its `via` lookup matches against.
 */
export type DerivedDependency = 'source' | 'via' | 'key';

/** One derived field that breaks or goes stale when the field changes. */
export interface DerivedImpact {
  readonly collection: string;
  readonly field: string;
  readonly authority: FieldAuthority;
  /** `<collection>.<field>` it is derived from. */
  readonly source: string;
  readonly via?: string;
  readonly freshness?: string;
  readonly because: DerivedDependency;
  /**
   * The services that read the derived field: affected one step further. Only one step: a field
   * derived from this derived field shows up when asking about the derived field itself.
   */
  readonly readBy: readonly string[];
}

/**
 * A declared reference involving the field: `holds` when the field (or a part of it) points at
 * another collection, `targets` when another collection's field points at this key.
 */
export interface ReferenceImpact {
  readonly direction: 'holds' | 'targets';
  /** The collection and field that hold the reference. */
  readonly collection: string;
  readonly field: string;
  /** The collection whose keys it holds. */
  readonly target: string;
}

/**
 * A migration as the impact map needs to know it: its id and what it touches. The migrations
 * capability produces these; the impact map only filters them.
 */
export interface MigrationTouch {
  readonly id: string;
  readonly collections: readonly string[];
  /**
   * Field paths it changes in its collections. Without them the migration is taken to touch every
   * field of its collections, since a document rewrite can change any of them.
   */
  readonly fields?: readonly string[];
}
