import type { CompatibilityMode } from './compatibility/check-compatibility.js';
import type { Semantics } from './compatibility/compatibility-rules.js';
import type { ChangeKind, JsonSchema } from './compatibility/schema-change.js';

/**
 * A data contract: what one collection promises to the services that share it. It is declared in
 * the project's contracts folder, one file per collection (`<name>.contract.json`, or
 * `<name>.contract.ts` exporting {@link defineContract}), and parsed into this shape by
 * `load-contracts.ts`. Every capability reads contracts in this form only.
 *
 * Field paths are dotted (`lead.officerId`); a field inside the objects of an array is written
 * with `[]` (`lines[].sku`).
 */
export interface Contract {
  /** steward's name for the collection (the key in the config's `collections`). */
  readonly collection: string;
  /** The service that owns the collection: the one writer of its authoritative fields. */
  readonly owner: string;
  readonly description?: string;
  /** The field each document stores its schema version in. */
  readonly versionField: string;
  /**
   * The version a document without the version field is taken to be (data written before versions
   * were): one declaration that `contracts verify`, migrations and the versioned reader all follow.
   * Absent: such a document has no version, and each of them reports it.
   */
  readonly assumeVersion?: number;
  readonly compatibility: { readonly mode: CompatibilityMode; readonly semantics: Semantics };
  /** The schema versions, oldest first. */
  readonly versions: readonly ContractVersion[];
  /** Declarations for fields that need more than the schema says, by field path. */
  readonly fields: Readonly<Record<string, FieldDeclaration>>;
  /** The services that read or write the collection besides its owner, by service name. */
  readonly consumers: Readonly<Record<string, ConsumerDeclaration>>;
  /** Findings of `contracts check` accepted on purpose, each with a reason and an expiry. */
  readonly waivers: readonly Waiver[];
  /** The file the contract was read from, for messages. */
  readonly file: string;
}

/** One schema version of a collection. */
export interface ContractVersion {
  /** The value documents of this version carry in the version field: 1, 2, 3... */
  readonly version: number;
  /** The JSON Schema (draft 2020-12) as written: what `contracts export` prints and validators compile. */
  readonly schema: JsonSchema;
  /** The same schema with its `$ref`s inlined: what the compatibility diff compares. */
  readonly resolved: JsonSchema;
  /**
   * The compatibility group the version belongs to, counted from 1. A version declared with
   * `startsCompatibilityGroup: "<reason>"` starts a new group: a deliberate breaking change,
   * after which versions are checked only against versions of their own group.
   */
  readonly group: number;
  /** Why the version starts a new group, when it does. */
  readonly groupReason?: string;
}

/** What a field is, relative to the truth: the authority vocabulary of seed 001. */
export const fieldAuthorities = [
  'authoritative',
  'snapshot',
  'derived',
  'projection',
  'cache',
  'aggregate',
  'search',
  'local-copy',
] as const;
export type FieldAuthority = (typeof fieldAuthorities)[number];

/** A field's declaration beyond its schema. */
export interface FieldDeclaration {
  /** Default: `authoritative`. */
  readonly authority: FieldAuthority;
  /**
   * Where a non-authoritative value comes from, as `<collection>.<field>`; with `via`, the field
   * of this document that holds the source document's key.
   */
  readonly source?: { readonly collection: string; readonly field: string; readonly via?: string };
  /** How stale the value may be, for people and for the derived-data checks (e.g. "15m"). */
  readonly freshness?: string;
  /** The field holds the key of a document in this collection: a soft reference. */
  readonly references?: string;
  readonly deprecated?: Deprecation;
}

/** A field on its way out: announced, with the date after which it may be removed. */
export interface Deprecation {
  /** The first day the field may be removed, `YYYY-MM-DD` (UTC). */
  readonly removeAfter: string;
  readonly reason: string;
  /** The field to read instead, when there is one. */
  readonly replacement?: string;
}

/** What a consuming service uses of a collection. */
export interface ConsumerDeclaration {
  readonly reads: readonly string[];
  readonly writes: readonly string[];
}

/** A finding of `contracts check` accepted on purpose, until it expires. */
export interface Waiver {
  /** The rule waived: a change kind of the rules table, or a contract rule such as `consumer-reads-removed-field`. */
  readonly rule: ChangeKind | ContractRule;
  /** The JSON pointer (as reported by the check) or the field path the waiver covers. */
  readonly path: string;
  readonly reason: string;
  /** The last day the waiver holds, `YYYY-MM-DD` (UTC); after it the finding fails again. */
  readonly expires: string;
}

/**
 * Rules `contracts check` applies on top of the schema rules table: they need the consumers,
 * the deprecations or the baseline, which a schema diff alone does not see.
 */
export const contractRules = [
  'consumer-reads-removed-field',
  'deprecated-field-removed-early',
  'version-removed',
  'version-edited',
  'collection-removed',
] as const;
export type ContractRule = (typeof contractRules)[number];

/**
 * The schema version a document is at by its contract: the integer in the version field, the
 * contract's `assumeVersion` when the field is absent (or null), and undefined when there is none
 * or the field holds something else. Pure.
 */
export function contractVersionOf(stored: unknown, assumeVersion: number | undefined): number | undefined {
  if (stored === undefined || stored === null) return assumeVersion;
  return typeof stored === 'number' && Number.isInteger(stored) ? stored : undefined;
}

/** A contract as written in a file, before parsing: the input type of {@link defineContract}. */
export interface ContractDefinition {
  readonly collection: string;
  readonly owner: string;
  readonly description?: string;
  readonly versionField?: string;
  /** The version of documents without the version field; one of `versions`. */
  readonly assumeVersion?: number;
  readonly compatibility?: { readonly mode?: CompatibilityMode; readonly semantics?: Semantics };
  readonly versions: readonly {
    readonly version: number;
    /** The schema inline, or the path of a `.json` file relative to the contract file. */
    readonly schema: JsonSchema | string;
    readonly startsCompatibilityGroup?: string;
  }[];
  readonly fields?: Readonly<
    Record<
      string,
      {
        readonly authority?: FieldAuthority;
        /** `<collection>.<field>` */
        readonly source?: string;
        readonly via?: string;
        readonly freshness?: string;
        readonly references?: string;
        readonly deprecated?: Deprecation;
      }
    >
  >;
  readonly consumers?: Readonly<
    Record<string, { readonly reads?: readonly string[]; readonly writes?: readonly string[] }>
  >;
  readonly waivers?: readonly Waiver[];
}

/**
 * Declares a contract in TypeScript (`<name>.contract.ts`, default export). It returns its
 * argument: the value is in the types. `steward contracts export` writes the canonical JSON form.
 */
export function defineContract<const T extends ContractDefinition>(contract: T): T {
  return contract;
}

/** The newest version of a contract. Contracts always have at least one version. */
export function newestVersion(contract: Contract): ContractVersion {
  return contract.versions[contract.versions.length - 1] as ContractVersion;
}
