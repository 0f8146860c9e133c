import type { Collection, Store } from '../stores/store.js';
import { ApiTokens } from './api-tokens.js';
import { ensureAuditHead } from './audit-head.js';
import { AuditLog } from './audit-log.js';
import { Checkpoints } from './checkpoints.js';
import { type Clock, systemClock } from './clock.js';
import { JobRecords } from './job-records.js';
import { type AcquireLeaseOptions, acquireLease, type Lease, type LeaseDoc, readLease } from './lease.js';
import { dropLedger, type LedgerNamespace, ledgerNamespace } from './ledger-namespace.js';
import { recordedAuditHeads } from './recorded-heads.js';

export interface LedgerOptions {
  /** Who is acting, recorded on audit records: a user, a CI job, a service. */
  readonly actor: string;
  /**
   * Prefix of the ledger's collections (`ledger.prefix`). Default `steward_`. A DynamoDB store
   * adds its own `tablePrefix` in front, as it does to every table.
   */
  readonly namespacePrefix?: string;
  /** Time source for audit timestamps and lease expiry; tests inject one. Default `Date.now`. */
  readonly clock?: Clock;
}

/**
 * The ledger's collections that capabilities keep their records in, by role: incidents
 * (`incidents.ts`), approvals (`approvals/approval-ledger.ts`), before-images (`before-images.ts`),
 * shape flags, the read-time guard's rehydration queue, the migrations changelog, the figures
 * of complete scans (`integrity/scan/scan-figures.ts`) and projection metadata kept out of the
 * user's documents (`derived/projection-metadata.ts`). The audit log, leases and checkpoints have
 * objects of their own on the Ledger.
 */
export type LedgerRole =
  | 'incidents'
  | 'approvals'
  | 'backups'
  | 'flags'
  | 'rehydrations'
  | 'migrations'
  | 'scans'
  | 'projections'
  | 'tokens';

/**
 * Steward's own records in the user's store: the audit log (with its head witness), leases and
 * checkpoints, and the collections of {@link LedgerRole}. A Ledger is a set of handles; it holds
 * no connection of its own and needs no closing (close the store). Capabilities reach its
 * collections through its methods, never through its namespace, so the ledger alone decides where
 * its records live.
 */
export class Ledger {
  readonly audit: AuditLog;
  readonly checkpoints: Checkpoints;
  /** The records of background jobs (`jobs/`), created on first use. */
  readonly jobs: JobRecords;

  constructor(
    readonly store: Store,
    readonly namespace: LedgerNamespace,
    private readonly options: LedgerOptions,
  ) {
    const witness = store.collection(namespace.auditWitness);
    const checkpoints = store.collection(namespace.checkpoints);
    this.audit = new AuditLog(store.collection(namespace.audit), {
      actor: options.actor,
      clock: options.clock,
      witness,
      recordedHeads: () => recordedAuditHeads({ witness, checkpoints }),
    });
    this.checkpoints = new Checkpoints(checkpoints, options.clock, () => this.audit.knownTip());
    const jobs = namespace.jobs;
    this.jobs = new JobRecords(
      store.collection(jobs),
      () => store.ensureCollection(jobs),
      async () => (await store.listCollections()).includes(jobs.name),
    );
  }

  /** Acquires a lease in this ledger (see `lease.ts`); the ledger's clock unless one is given. */
  acquireLease(options: Omit<AcquireLeaseOptions, 'clock'> & { clock?: Clock }): Promise<Lease> {
    const clock = options.clock ?? this.options.clock ?? systemClock;
    return acquireLease(this.store.collection(this.namespace.leases), { ...options, clock });
  }

  /** The stored state of a lease, for status displays; undefined when never acquired. */
  readLease(name: string): Promise<LeaseDoc | undefined> {
    return readLease(this.store.collection(this.namespace.leases), name);
  }

  /**
   * A handle on the collection of `role`, without creating it: for reads that must create nothing,
   * and for writers that know an earlier {@link openCollection} created it.
   */
  collection(role: LedgerRole): Collection {
    return this.store.collection(this.namespace[role]);
  }

  /** The collection of `role`, created first when missing (on DynamoDB, a table). */
  async openCollection(role: LedgerRole): Promise<Collection> {
    await this.store.ensureCollection(this.namespace[role]);
    return this.collection(role);
  }

  /** The API tokens of `steward serve` (the collection created first when missing). */
  async apiTokens(): Promise<ApiTokens> {
    const collection = await this.openCollection('tokens');
    return new ApiTokens(collection, (action, subject, details) =>
      this.audit.append({ action, subject, details }),
    );
  }

  /** Drops every ledger collection, audit trail included. For tests and `steward` uninstall only. */
  drop(): Promise<void> {
    return dropLedger(this.store, this.namespace);
  }
}

/**
 * Opens the ledger in a store: creates its collections if needed (on DynamoDB, tables) and the
 * audit log's head. Safe to call from many processes at once.
 */
export async function openLedger(store: Store, options: LedgerOptions): Promise<Ledger> {
  const namespace = ledgerNamespace(store, options.namespacePrefix);
  for (const spec of [namespace.audit, namespace.auditWitness, namespace.leases, namespace.checkpoints])
    await store.ensureCollection(spec);
  const ledger = new Ledger(store, namespace, options);
  await ensureAuditHead(ledger.audit.collection);
  return ledger;
}

/**
 * The collection of `role` in `store`, without opening the ledger or creating anything: for a
 * service that only reads one kind of record (a shape flag) from a store with no ledger of its own.
 */
export function ledgerCollectionIn(store: Store, role: LedgerRole, namespacePrefix?: string): Collection {
  return store.collection(ledgerNamespace(store, namespacePrefix)[role]);
}
