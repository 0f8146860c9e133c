import type { LoadedContracts } from '../../contracts/load-contracts.js';
import type { Lease } from '../../ledger/lease.js';
import type { Ledger } from '../../ledger/ledger.js';
import type { Collection } from '../../stores/store.js';
import type { MigrationEventListener } from '../apply/migration-events.js';
import type { MigrationTarget } from '../apply/migration-target.js';
import type { Throttle } from '../throttle.js';
import type { RollbackProgress } from './rollback-state.js';

/** The checkpoint job of rollback, under the same `migrate` lease as apply. */
export const rollbackJob = 'migrate.rollback';

/** What the stages of one rollback run share. */
export interface RollbackContext {
  readonly ledger: Ledger;
  readonly target: MigrationTarget;
  readonly backups: Collection;
  readonly lease: Lease;
  readonly throttle: Throttle;
  readonly contracts: LoadedContracts;
  readonly batchSize: number;
  readonly actor: string;
  readonly signal?: AbortSignal;
  readonly onEvent?: MigrationEventListener;
  now(): string;
  /** Saves the checkpoint with this progress of the migration being rolled back. */
  save(progress: RollbackProgress): Promise<void>;
}
