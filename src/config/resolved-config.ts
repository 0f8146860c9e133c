import type { ApprovalPolicy, Approver } from '../approvals/approval-policy.js';
import type { ResolvedDerived } from '../derived/derived.js';
import type { ResolvedReference } from '../integrity/reference.js';
import type { CollectionSpec } from '../stores/store.js';
import type { StoreConfig } from '../stores/store-config.js';
import type { ResolvedMigrations } from './resolve-migrations.js';
import type { ResolvedSignals } from './resolve-signals.js';

/** A collection after the config is resolved: its store and its spec for the seam. */
export interface ResolvedCollection {
  readonly name: string;
  readonly store: string;
  readonly spec: CollectionSpec;
  readonly versionField: string;
}

/**
 * The config after loading and validation: environment values read, paths made absolute,
 * defaults applied. Capabilities take this, never the raw file.
 */
export interface ResolvedConfig {
  /** Absolute path of the config file, or undefined for a config built in code. */
  readonly file: string | undefined;
  readonly stores: ReadonlyMap<string, StoreConfig>;
  readonly collections: ReadonlyMap<string, ResolvedCollection>;
  /** Declared soft references, by `<collection>.<field>`. */
  readonly references: ReadonlyMap<string, ResolvedReference>;
  readonly ledger: { readonly store: string; readonly prefix: string };
  /** Where the data contracts live: an absolute folder path. */
  readonly contracts: { readonly dir: string };
  /** Who may sign approvals, by name, with their public keys read. */
  readonly approvers: ReadonlyMap<string, Approver>;
  /** How many approvals, in which roles, each kind of change needs. */
  readonly approvalPolicies: ReadonlyMap<string, ApprovalPolicy>;
  /** Where integrity events are sent. */
  readonly signals: ResolvedSignals;
  /** How migrations run: their folder, canary, batches, rate, gates and lineage sinks. */
  readonly migrations: ResolvedMigrations;
  /** Declared derived state, by `<collection>.<field>` (see `resolve-derived.ts`). */
  readonly derived: ReadonlyMap<string, ResolvedDerived>;
}
