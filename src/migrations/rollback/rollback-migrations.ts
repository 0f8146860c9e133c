import type { LoadedContracts } from '../../contracts/load-contracts.js';
import type { JsonObject } from '../../core/json.js';
import { type Clock, systemClock } from '../../ledger/clock.js';
import type { Lease } from '../../ledger/lease.js';
import type { Ledger } from '../../ledger/ledger.js';
import { migrateLease } from '../apply/apply-context.js';
import type { MigrationEventListener } from '../apply/migration-events.js';
import type { MigrationTarget } from '../apply/migration-target.js';
import { readChangelogRecord, readChangelogRecords } from '../changelog.js';
import type { Migration } from '../migration.js';
import { Throttle } from '../throttle.js';
import { type RollbackContext, rollbackJob } from './rollback-context.js';
import { rollbackMigration } from './rollback-migration.js';
import { rollbackTargets } from './rollback-plan.js';
import {
  type MigrationRollbackReport,
  migrationRollbackReport,
  type RollbackReport,
} from './rollback-report.js';
import { freshRollbackProgress, parseRollbackState, type RollbackState } from './rollback-state.js';

export interface RollbackInput {
  readonly ledger: Ledger;
  readonly target: MigrationTarget;
  /** Every migration file, loaded: `down()` and the `before` validators come from them. */
  readonly migrations: readonly Migration[];
  readonly contracts: LoadedContracts;
  readonly batchSize: number;
  readonly rate?: number;
  readonly actor: string;
  readonly clock?: Clock;
  readonly signal?: AbortSignal;
  readonly onEvent?: MigrationEventListener;
}

const defaultLeaseTtlMs = 30_000;

/**
 * `steward migrate rollback [--to <id>]`: under the `migrate` lease, reverses the last applied
 * migration, or every one back to `to`, newest first (see `rollback-migration.ts`). An
 * unfinished rollback is resumed first, with the migrations it was started for.
 */
export async function rollbackMigrations(
  input: RollbackInput & { readonly holder: string; readonly to?: string; readonly leaseTtlMs?: number },
): Promise<RollbackReport> {
  const ttlMs = input.leaseTtlMs ?? defaultLeaseTtlMs;
  const lease = await input.ledger.acquireLease({ name: migrateLease, holder: input.holder, ttlMs });
  try {
    const saved = parseRollbackState(await input.ledger.checkpoints.load(rollbackJob, lease));
    const targets = saved
      ? [...saved.targets]
      : rollbackTargets(await readChangelogRecords(input.ledger), input.to);
    return await rollbackUnderLease(
      input,
      lease,
      ttlMs,
      targets,
      input.to ? `rollback --to ${input.to}` : 'rollback',
      saved,
    );
  } finally {
    await lease.release().catch(() => undefined);
  }
}

/**
 * Rolls back `targets` (newest first) under a lease already held: the CLI's rollback, and apply's
 * automatic rollback after a failed gate. Resumes `saved` when given.
 */
export async function rollbackUnderLease(
  input: RollbackInput,
  lease: Lease,
  ttlMs: number,
  targets: readonly string[],
  reason: string,
  saved?: RollbackState,
): Promise<RollbackReport> {
  const started = Date.now();
  if (targets.length === 0) return { status: 'nothing', resumed: false, migrations: [], durationMs: 0 };
  const clock = input.clock ?? systemClock;
  let state: RollbackState = saved ?? {
    targets,
    index: 0,
    startedAt: new Date(clock()).toISOString(),
    reason,
  };
  const ctx: RollbackContext = {
    ledger: input.ledger,
    target: input.target,
    backups: await input.ledger.openCollection('backups'),
    lease,
    throttle: new Throttle(lease, ttlMs, clock, input.rate),
    contracts: input.contracts,
    batchSize: input.batchSize,
    actor: input.actor,
    ...(input.signal ? { signal: input.signal } : {}),
    ...(input.onEvent ? { onEvent: input.onEvent } : {}),
    now: () => new Date(clock()).toISOString(),
    save: async (progress) => {
      state = { ...state, progress };
      await input.ledger.checkpoints.save(rollbackJob, state as unknown as JsonObject, lease);
    },
  };
  await input.ledger.checkpoints.save(rollbackJob, state as unknown as JsonObject, lease);
  const reports: MigrationRollbackReport[] = [];
  for (let i = state.index; i < state.targets.length; i++) {
    const id = state.targets[i]!;
    const record = await readChangelogRecord(input.ledger, id);
    if (!record) continue;
    const migration = input.migrations.find((m) => m.id === id);
    const progress =
      i === state.index && state.progress
        ? state.progress
        : freshRollbackProgress(id, record.attempt, ctx.now());
    state = { ...state, index: i, progress };
    await ctx.save(progress);
    const outcome = await rollbackMigration(ctx, { record, migration }, progress, state.reason);
    reports.push(migrationRollbackReport(record, outcome));
    if (outcome.status === 'paused')
      return {
        status: 'paused',
        resumed: saved !== undefined,
        migrations: reports,
        durationMs: Date.now() - started,
      };
    state = { ...state, index: i + 1, progress: undefined };
  }
  await input.ledger.checkpoints.clear(rollbackJob, lease);
  return {
    status: 'rolled-back',
    resumed: saved !== undefined,
    migrations: reports,
    durationMs: Date.now() - started,
  };
}
