import { formatCount } from '../../core/format-count.js';
import { ExitCode } from '../../errors/steward-error.js';
import type { MigrationPlan } from '../../migrations/plan/migration-plan-view.js';
import { migratePlan } from '../../workspace/migrations/migrate-plan.js';
import type { Command } from '../command.js';
import { configFor } from '../config-for.js';
import type { Output } from '../output.js';
import { runOptionsFor } from '../run-options-for.js';
import { toOption, toOptionHelp, toOptionSpec } from '../to-option.js';

/** `steward migrate plan`: the pending migrations, what they touch, and the plan hash. */
export const migratePlanCommand: Command = {
  path: ['migrate', 'plan'],
  summary: 'list the pending migrations, the documents they touch and the plan hash',
  description:
    'Loads the migrations folder (migrations.dir) and the contracts, reads the changelog, and prints\n' +
    'the pending migrations in order with the collections and estimated documents each touches, and\n' +
    'the plan hash: over the migrations, the target store and the options. The dry run reports on it\n' +
    'and approvals sign it. Recorded in the audit log.\n' +
    'Exit 2 when a migration disagrees with its contract or the config, or the changelog disagrees\n' +
    'with the files (an applied migration edited or gone, a pending one out of order).',
  usage: '[--to <id>]',
  options: toOptionSpec,
  optionHelp: toOptionHelp,
  async run(ctx) {
    const config = await configFor(ctx);
    const plan = await migratePlan(config, toOption(ctx), runOptionsFor(ctx));
    ctx.output.result(plan);
    renderPlan(ctx.output, plan);
    return ExitCode.ok;
  },
};

function renderPlan(output: Output, plan: MigrationPlan): void {
  if (plan.migrations.length === 0) {
    output.line(`nothing pending (plan ${plan.hash})`);
    return;
  }
  output.line(`plan ${plan.hash}`);
  output.line(
    `  store ${plan.store.name} (${plan.store.kind}), canary ${plan.options.canaryPercent}%, batches of ${plan.options.batchSize}`,
  );
  output.line('');
  const width = Math.max(...plan.migrations.map((m) => m.id.length));
  for (const m of plan.migrations) {
    output.line(
      `${m.id.padEnd(width)}  v${m.fromVersion} -> v${m.targetVersion}  ${m.collections.join(', ')}  ` +
        `~${formatCount(m.estimatedDocuments)} documents${m.hasDown ? '' : '  (no down: rollback restores before-images)'}`,
    );
    output.line(`${' '.repeat(width)}  ${m.description}`);
  }
  output.line('');
  output.line(
    `about ${formatCount(plan.estimatedDocuments)} documents in ${plan.collections.map((c) => `${c.name} (~${formatCount(c.estimatedDocuments)})`).join(', ')}`,
  );
  output.line('next: steward migrate dry-run');
}
