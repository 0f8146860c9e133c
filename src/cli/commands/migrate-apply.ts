import { randomBytes } from 'node:crypto';
import type { ResolvedConfig } from '../../config/resolved-config.js';
import { type LoadedContracts, loadContracts } from '../../contracts/load-contracts.js';
import { ExitCode, StewardError } from '../../errors/steward-error.js';
import { type Ledger, openLedger } from '../../ledger/ledger.js';
import { applyMigrations } from '../../migrations/apply/apply-migrations.js';
import { refusalExitCode } from '../../migrations/apply/apply-refusal.js';
import { applyNeedsAttention } from '../../migrations/apply/apply-report.js';
import type { MigrationEventListener } from '../../migrations/apply/migration-events.js';
import {
  type MigrationTarget,
  migrationTarget,
  targetStoreName,
} from '../../migrations/apply/migration-target.js';
import { renderApplyReport } from '../../migrations/apply/render-apply-report.js';
import { type LineageEvent, publishLineage } from '../../migrations/lineage.js';
import { loadMigrations } from '../../migrations/load-migrations.js';
import type { Migration } from '../../migrations/migration.js';
import type { SignalWarning } from '../../signals/signals.js';
import type { Command, CommandContext } from '../command.js';
import { actorFor } from '../with-ledger.js';
import { configFor, withStores } from '../with-stores.js';

/** `steward migrate apply`: canary, gates and the rest, batched, throttled, resumable. */
export const migrateApplyCommand: Command = {
  path: ['migrate', 'apply'],
  summary: 'apply the approved pending migrations: canary, gates, then the rest',
  usage: '[--resume] [--rate N]',
  description:
    "Applies the pending migrations in order, once the plan's latest dry run passed and approvals of\n" +
    'it meet the config\'s "migrations" approval policy; the run uses those approvals up. Per\n' +
    'migration: collection operations, then a canary (the documents whose key hashes below\n' +
    'migrations.canaryPercent), then the gates (after-validators on the canary, error rate, parity\n' +
    'against the before-images), then the rest. Every document must conform to its contract before it\n' +
    'is written (the contract gate stops at a batch that does not), is saved as a before-image first,\n' +
    'and is written only while its version field still holds what was read.\n' +
    'Checkpointed after every batch: after a crash, rerun to resume (a killed run holds the lease until\n' +
    'it expires). Ctrl-C pauses after the batch in flight.\n' +
    'Exit 0 when applied, 1 when a gate failed or waits for --resume (or documents failed), 2 when\n' +
    'refused (no passed dry run, not approved, plan changed, an applied migration edited), 1 when\n' +
    'another apply or rollback holds the lease, or took it over mid-run (rerun to resume).',
  options: {
    resume: { type: 'boolean' },
    rate: { type: 'string' },
  },
  optionHelp: {
    resume: "a person's decision to go on past a failed gate",
    rate: 'at most N documents per second (default: migrations.rate, else no limit)',
  },
  async run(ctx) {
    const config = await configFor(ctx);
    const rate = rateOption(ctx, config);
    return withMigrationRun(ctx, config, async (run) => {
      const report = await applyMigrations({
        ...run,
        options: { canaryPercent: config.migrations.canaryPercent, batchSize: config.migrations.batchSize },
        settings: {
          maxErrorRate: config.migrations.maxErrorRate,
          ...(rate === undefined ? {} : { rate }),
          ...(config.migrations.autoRollback ? { autoRollback: config.migrations.autoRollback } : {}),
        },
        approvers: config.approvers,
        approvalPolicies: config.approvalPolicies,
        resume: ctx.options.resume === true,
      });
      ctx.output.endProgress();
      await run.finish();
      ctx.output.line(renderApplyReport(report).join('\n'));
      ctx.output.result(report);
      if (report.refusal) return refusalExitCode(report.refusal.reason);
      return applyNeedsAttention(report) ? ExitCode.findings : ExitCode.ok;
    });
  },
};

/** What apply and rollback get from the CLI: the ledger, the target store, the loaded files. */
export interface MigrationRun {
  readonly ledger: Ledger;
  readonly target: MigrationTarget;
  readonly migrations: readonly Migration[];
  readonly contracts: LoadedContracts;
  readonly actor: string;
  readonly holder: string;
  readonly signal: AbortSignal;
  readonly onEvent: MigrationEventListener;
  /** Delivers the lineage events to the configured sinks and notes sink failures. */
  finish(): Promise<SignalWarning[]>;
}

/**
 * Loads the migrations and contracts, opens the ledger's store and the migrations' store, and
 * runs `work`; always closes the stores. Ctrl-C (or SIGTERM) aborts the signal, so the run pauses
 * after its batch in flight and keeps its checkpoint.
 */
export async function withMigrationRun<T>(
  ctx: CommandContext,
  config: ResolvedConfig,
  work: (run: MigrationRun) => Promise<T>,
): Promise<T> {
  const migrations = await loadMigrations(config.migrations.dir);
  const contracts = await loadContracts(config.contracts.dir);
  const storeName = targetStoreName(config, migrations);
  const names = [...new Set([config.ledger.store, storeName])];
  return withStores(config, names, async (stores) => {
    const actor = actorFor(ctx.env);
    const ledger = await openLedger(stores.get(config.ledger.store)!, {
      actor,
      namespacePrefix: config.ledger.prefix,
    });
    const target = migrationTarget(config, migrations, (name) => stores.get(name)!);
    const abort = new AbortController();
    const stop = () => {
      ctx.output.note('stopping after the batch in flight; rerun to resume');
      abort.abort();
    };
    const lineage: LineageEvent[] = [];
    const onEvent: MigrationEventListener = (event) => {
      if (event.type === 'lineage') lineage.push(event.lineage);
      if (event.type === 'progress') {
        const { changed, skipped, failed } = event.counts;
        ctx.output.progress(
          `  ${event.migration} ${event.stage} ${event.collection}`,
          changed + skipped + failed,
          undefined,
        );
      }
    };
    const finish = async () => {
      const warnings = await publishLineage(config.migrations.lineage, lineage.splice(0));
      for (const w of warnings)
        ctx.output.note(`warning: ${w.sink} did not take ${w.events} lineage event(s): ${w.message}`);
      return warnings;
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      const holder = `${actor}#${process.pid}-${randomBytes(3).toString('hex')}`;
      return await work({
        ledger,
        target,
        migrations,
        contracts,
        actor,
        holder,
        signal: abort.signal,
        onEvent,
        finish,
      });
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
  });
}

/** `--rate`, else the config's `migrations.rate`; undefined for no limit. */
export function rateOption(ctx: CommandContext, config: ResolvedConfig): number | undefined {
  const raw = ctx.options.rate;
  if (raw === undefined) return config.migrations.rate;
  const rate = Number(raw);
  if (typeof raw !== 'string' || !(rate > 0)) {
    throw new StewardError(
      'usage',
      `--rate must be a positive number of documents per second (got "${String(raw)}")`,
    );
  }
  return rate;
}
