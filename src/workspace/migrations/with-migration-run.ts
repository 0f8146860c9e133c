import { randomBytes } from 'node:crypto';
import type { ResolvedConfig } from '../../config/resolved-config.js';
import { type LoadedContracts, loadContracts } from '../../contracts/load-contracts.js';
import type { Ledger } from '../../ledger/ledger.js';
import type { MigrationEvent, MigrationEventListener } from '../../migrations/apply/migration-events.js';
import {
  type MigrationTarget,
  migrationTarget,
  targetStoreName,
} from '../../migrations/apply/migration-target.js';
import { type LineageEvent, publishLineage } from '../../migrations/lineage.js';
import { loadMigrations } from '../../migrations/load-migrations.js';
import type { Migration } from '../../migrations/migration.js';
import type { SignalWarning } from '../../signals/signals.js';
import { checkDeclarations } from '../contracts/check-declarations.js';
import { actorOf, type RunOptions } from '../run-options.js';
import { withWorkspace } from '../workspace.js';

/** What apply and rollback get: the ledger, the target store, the loaded files, who runs them. */
export interface MigrationRun {
  readonly ledger: Ledger;
  readonly target: MigrationTarget;
  readonly migrations: readonly Migration[];
  readonly contracts: LoadedContracts;
  readonly actor: string;
  readonly holder: string;
  readonly signal?: AbortSignal;
  readonly onEvent: MigrationEventListener;
  /** Delivers the lineage events to the configured sinks; returns the sinks' failures. */
  finish(): Promise<SignalWarning[]>;
}

/**
 * Loads the migrations and contracts, opens the ledger's store and the migrations' store, and
 * runs `work`; always closes the stores. Events go to `onProgress` as they come; lineage events
 * are kept for `finish`. Aborting `signal` pauses the run after its batch in flight, keeping its
 * checkpoint.
 */
export async function withMigrationRun<T>(
  config: ResolvedConfig,
  options: RunOptions<MigrationEvent>,
  work: (run: MigrationRun) => Promise<T>,
): Promise<T> {
  const migrations = await loadMigrations(config.migrations.dir);
  const contracts = await loadContracts(config.contracts.dir);
  await checkDeclarations(config, contracts.contracts);
  const actor = actorOf(options);
  const stores = [targetStoreName(config, migrations)];
  return withWorkspace(config, { stores }, actor, async ({ ledger, store }) => {
    const target = migrationTarget(config, migrations, store);
    const lineage: LineageEvent[] = [];
    const onEvent: MigrationEventListener = (event) => {
      if (event.type === 'lineage') lineage.push(event.lineage);
      options.onProgress?.(event);
    };
    return work({
      ledger,
      target,
      migrations,
      contracts,
      actor,
      holder: `${actor}#${process.pid}-${randomBytes(3).toString('hex')}`,
      ...(options.signal ? { signal: options.signal } : {}),
      onEvent,
      finish: () => publishLineage(config.migrations.lineage, lineage.splice(0)),
    });
  });
}
