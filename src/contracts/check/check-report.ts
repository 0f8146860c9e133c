import type { JsonValue } from '../../core/json.js';
import type { CompatibilityMode } from '../compatibility/check-compatibility.js';
import type { Direction, Semantics } from '../compatibility/compatibility-rules.js';
import type { ChangeKind } from '../compatibility/schema-change.js';
import type { Contract, ContractRule } from '../contract.js';

/** What `checkContracts` compares: the contracts as they were, as they are, and the day it is. */
export interface CheckInput {
  /** The contracts of the baseline (the target branch, the last release): accepted history. */
  readonly baseline: readonly Contract[];
  /** The contracts as they are now, in the working tree or the pull request. */
  readonly current: readonly Contract[];
  /** The day the check runs for, `YYYY-MM-DD` (UTC): decides deprecations and waiver expiry. */
  readonly asOf: string;
}

/** A rule a finding breaks: a row of the schema rules table or a contract rule. */
export type FindingRule = ChangeKind | ContractRule;

/** The waiver that matched a finding; an expired one no longer waives it. */
export interface AppliedWaiver {
  readonly reason: string;
  readonly expires: string;
  readonly expired: boolean;
}

/** One thing `contracts check` found: what changed, where, which rule it breaks and who it hurts. */
export interface CheckFinding {
  readonly collection: string;
  /** JSON pointer into the schema, e.g. `/properties/status`; `''` is the whole document. */
  readonly path: string;
  /** The field the pointer is about (`status`, `lead.officerId`); `''` is the whole document. */
  readonly field: string;
  readonly rule: FindingRule;
  /** For schema rules: the mode checked and the direction that breaks. */
  readonly mode?: CompatibilityMode;
  readonly direction?: Direction;
  /** The real version numbers compared (for an edited version both are the same number). */
  readonly fromVersion?: number;
  readonly toVersion?: number;
  /** For `consumer-reads-removed-field`: the consumer that still reads the field. */
  readonly consumer?: string;
  readonly message: string;
  /** For schema rules, where one was found: a document the writer's version accepts and the reader's rejects. */
  readonly example?: JsonValue;
  /** The consumers whose reads or writes touch the field (all of them for the whole document). */
  readonly affected: readonly string[];
  /** The service that owns the collection, who has to act on the finding. */
  readonly owner: string;
  /** `waived` findings are reported but do not fail the check. */
  readonly status: 'failing' | 'waived';
  readonly waiver?: AppliedWaiver;
}

/** A finding before waivers are applied. */
export type RawFinding = Omit<CheckFinding, 'status' | 'waiver'>;

/**
 * How a collection relates to the baseline: `new` (no baseline contract, nothing can break),
 * `removed` (gone from the current contracts), `changed` or `unchanged`.
 */
export type CollectionChange = 'new' | 'removed' | 'changed' | 'unchanged';

/** The check of one collection. */
export interface CollectionCheck {
  readonly collection: string;
  readonly owner: string;
  /** The compatibility policy applied: the current contract's (the baseline's for a removed one). */
  readonly mode: CompatibilityMode;
  readonly semantics: Semantics;
  readonly change: CollectionChange;
  /** The newest compatibility group, and the versions in it that were compared. */
  readonly group: number;
  readonly comparedVersions: readonly number[];
  /**
   * True when the policy became stricter than the baseline's, so every pair of the group was
   * checked again instead of only the pairs with a new or edited version.
   */
  readonly recheckedAll: boolean;
  /** Sentences for a person about how the collection was checked. */
  readonly notes: readonly string[];
  readonly findings: readonly CheckFinding[];
}

/** The result of `checkContracts`: one entry per collection, and the verdict. */
export interface CheckReport {
  readonly asOf: string;
  /** False when any finding is failing (not waived). */
  readonly ok: boolean;
  readonly failing: number;
  readonly waived: number;
  /** Sorted by collection name. */
  readonly collections: readonly CollectionCheck[];
}
