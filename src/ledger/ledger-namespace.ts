import { StewardError } from '../errors/steward-error.js';
import type { CollectionSpec, Store } from '../stores/store.js';

/**
 * The reserved collections of steward's ledger, all named `<prefix><role>`. They live in the
 * user's store next to the user's collections, so steward needs no database of its own, and are
 * read and written only through the store seam, so the ledger works the same on every store.
 */
export interface LedgerNamespace {
  readonly prefix: string;
  /** The hash-chained audit records and their head document. */
  readonly audit: CollectionSpec;
  /** The audit head witness: the log's newest tip, kept apart from it; see `audit-witness.ts`. */
  readonly auditWitness: CollectionSpec;
  /** One document per lease generation (acquisition), a few per lease name; see `lease-generations.ts`. */
  readonly leases: CollectionSpec;
  /** One document per job. */
  readonly checkpoints: CollectionSpec;
  readonly incidents: CollectionSpec;
  readonly approvals: CollectionSpec;
  /** Before-images of documents steward changed. */
  readonly backups: CollectionSpec;
  /** Shape flags: one insert-only document per change of a flag; see `flags/flag-generations.ts`. */
  readonly flags: CollectionSpec;
  /** Read-time guard's queue: one document per reference and missing target key; see `integrity/guard/`. */
  readonly rehydrations: CollectionSpec;
  /** The migrations changelog: one document per migration id; see `migrations/changelog.ts`. */
  readonly migrations: CollectionSpec;
  /** Figures of the latest completed reference scans, for repair's circuit breaker; see `integrity/scan/scan-figures.ts`. */
  readonly scans: CollectionSpec;
  /**
   * Projection metadata kept out of the user's documents (`metadata: 'ledger'`): one document per
   * derived state and document; see `derived/projection-metadata.ts`.
   */
  readonly projections: CollectionSpec;
  /** Background jobs started through a job manager: one document per job; see `job-records.ts`. */
  readonly jobs: CollectionSpec;
  /** API tokens of `steward serve`, by the hash of the secret; see `api-tokens.ts`. */
  readonly tokens: CollectionSpec;
}

/** The prefix ledger collections get unless told otherwise (`ledger.prefix`). */
export const defaultLedgerPrefix = 'steward_';

const prefixPattern = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;

/**
 * The ledger's collection specs in `store`. On DynamoDB each is a table, created by
 * `ensureCollection`, and the adapter puts the store's `tablePrefix` in front of its name like
 * every other table's (`<tablePrefix><prefix>audit`).
 */
export function ledgerNamespace(store: Store, prefix: string = defaultLedgerPrefix): LedgerNamespace {
  if (!prefixPattern.test(prefix)) {
    throw new StewardError(
      'config.invalid',
      `ledger prefix "${prefix}" is not valid: start with a letter or "_", then letters, digits, "_", "-" or "."`,
      { prefix },
    );
  }
  const keyField = ledgerKeyField(store);
  const spec = (role: string): CollectionSpec => ({ name: `${prefix}${role}`, keyField });
  return {
    prefix,
    audit: spec('audit'),
    auditWitness: spec('audit_witness'),
    leases: spec('leases'),
    checkpoints: spec('checkpoints'),
    incidents: spec('incidents'),
    approvals: spec('approvals'),
    // Batch images of hundreds of documents each (see `CollectionSpec.largeDocuments`).
    backups: { ...spec('backups'), largeDocuments: true },
    flags: spec('flags'),
    rehydrations: spec('rehydrations'),
    migrations: spec('migrations'),
    scans: spec('scans'),
    projections: spec('projections'),
    jobs: spec('jobs'),
    tokens: spec('tokens'),
  };
}

/** The key field of ledger documents: the store's own default (`_id` on MongoDB, `id` elsewhere). */
export function ledgerKeyField(store: Pick<Store, 'capabilities'>): string {
  return store.capabilities.defaultKeyField;
}

/** Every collection of the namespace, for creating or dropping them all. */
export function ledgerSpecs(namespace: LedgerNamespace): CollectionSpec[] {
  const { audit, auditWitness, leases, checkpoints, incidents, approvals, backups, flags } = namespace;
  const { rehydrations, migrations } = namespace;
  return [
    audit,
    auditWitness,
    leases,
    checkpoints,
    incidents,
    approvals,
    backups,
    flags,
    rehydrations,
    migrations,
    namespace.scans,
    namespace.projections,
    namespace.jobs,
    namespace.tokens,
  ];
}

/** Drops every ledger collection of the namespace: the audit trail is gone afterwards. Tests use it. */
export async function dropLedger(store: Store, namespace: LedgerNamespace): Promise<void> {
  for (const spec of ledgerSpecs(namespace)) await store.dropCollection(spec);
}
