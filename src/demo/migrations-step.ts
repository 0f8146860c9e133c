import { join } from 'node:path';
import { formatCount } from '../core/format-count.js';
import type { JsonValue } from '../core/json.js';
import { writeExampleContracts } from '../example/example-contracts.js';
import {
  exampleContractsV2,
  exampleMigrationId,
  writeExampleMigration,
} from '../example/example-migrations.js';
import { type ExampleManifest, exampleSpec } from '../example/generate-example.js';
import { applyNeedsAttention } from '../migrations/apply/apply-report.js';
import { rollbackNeedsAttention } from '../migrations/rollback/rollback-report.js';
import type { Store, WriteOp } from '../stores/store.js';
import { migrateApply } from '../workspace/migrations/migrate-apply.js';
import { migrateApprove } from '../workspace/migrations/migrate-approve.js';
import { type MigrateDryRunResult, migrateDryRun } from '../workspace/migrations/migrate-dry-run.js';
import { migratePlan } from '../workspace/migrations/migrate-plan.js';
import { migrateRollback } from '../workspace/migrations/migrate-rollback.js';
import { demoApprovers } from './demo-project.js';
import { type DemoSession, exitCodeOf, expectStep } from './demo-session.js';
import { keyFileOf } from './integrity-step.js';
import type { DemoReporter } from './run-demo.js';

/** What the migration step saw, for the demo's result and its test. */
export interface MigrationsStepResult {
  readonly planHash: string;
  /** The first dry run stopped at a validator (a subject breaking v1), before any real write. */
  readonly firstDryRunFailed: boolean;
  readonly approvedBy: readonly string[];
  readonly canaryDocs: number;
  readonly applied: number;
  /** Documents left at version 2 after the rollback: 0. */
  readonly remainingAtTarget: number;
  /** The rollback restored the collection's checksum from before apply. */
  readonly exact: boolean;
}

/**
 * The demo's migration step: subjects v1 -> v2 (`name` becomes `displayName`, split into
 * `nameParts`), walked through the library as the `migrate` commands run: plan, dry run (which stops at a
 * validator because of a malformed subject; the demo corrects it and runs it again), two
 * approvals, apply (a canary, its gates, then the rest), and an exact rollback.
 */
export async function migrationsStep(
  store: Store,
  session: DemoSession,
  dir: string,
  manifest: ExampleManifest,
  report: DemoReporter,
): Promise<MigrationsStepResult> {
  const { config, run } = session;
  writeExampleContracts(join(dir, 'contracts'), exampleContractsV2());
  writeExampleMigration(join(dir, 'migrations'));
  const plan = await migratePlan(config, {}, run);
  report.say(`   migrate plan: ${exampleMigrationId}, plan hash ${plan.hash.slice(0, 12)}…`);

  const first = dryRunDone(await migrateDryRun(config, {}, run));
  const firstDryRunFailed = !first.report.ok;
  for (const v of first.report.migrations.flatMap((m) => [...m.validators.before, ...m.validators.after]))
    if (!v.ok) report.say(`   dry run: validator "${v.name}" failed: ${v.problems.slice(0, 2).join('; ')}`);
  const refused = await exitCodeOf(
    migrateApprove(config, approval(session, plan.hash, demoApprovers[0]), run),
  );
  report.say(`   approving a failed dry run is refused (exit ${refused}); nothing touched the real subjects`);
  const corrected = await correctMalformedSubjects(store, manifest);
  report.say(`   the subjects' owner corrects ${corrected} malformed subject(s); dry run again:`);

  const second = dryRunDone(await migrateDryRun(config, {}, run));
  expectStep(second.report.ok, 'migrate dry-run', second.report.totals);
  const totals = second.report.totals;
  const roundTrip = second.report.migrations[0]?.roundTrip;
  report.say(
    `   dry run in a sandbox copy: ${formatCount(totals.changed)} changed, ${formatCount(totals.failed)} failed; ` +
      `down(up(doc)) = doc on ${roundTrip ? `${formatCount(roundTrip.checked - roundTrip.mismatched)} of ${formatCount(roundTrip.checked)}` : 'none'}; ` +
      `the real run estimated at ${seconds(second.report.estimate.seconds)}`,
  );

  const approvedBy: string[] = [];
  for (const approver of demoApprovers) {
    await migrateApprove(config, approval(session, plan.hash, approver), run);
    approvedBy.push(approver.name);
    report.say(`   ${approver.name} (${approver.role}) signs the plan hash and the dry-run report's hash`);
  }

  const { report: apply } = await migrateApply(config, {}, run);
  expectStep(
    !apply.refusal && !applyNeedsAttention(apply),
    'migrate apply',
    apply.refusal ?? apply.migrations,
  );
  const applied = apply.migrations[0];
  const counts = applied?.counts;
  const gates = (applied?.gates ?? []).filter((g) => g.stage === 'canary');
  report.say(
    `   migrate apply: canary of ${formatCount(counts?.canary ?? 0)} subjects, gates ${gates.every((g) => g.ok) ? 'passed' : 'FAILED'} ` +
      `(${gates.map((g) => g.gate).join(', ')}), then the rest: ${formatCount(counts?.changed ?? 0)} subjects at version 2`,
  );

  const { report: rollback } = await migrateRollback(config, {}, run);
  expectStep(!rollbackNeedsAttention(rollback), 'migrate rollback', rollback.migrations);
  const undone = rollback.migrations[0];
  report.say(
    `   migrate rollback: ${formatCount(undone?.counts.changed ?? 0)} restored; ${formatCount(undone?.remainingAtTarget ?? 0)} left at version 2; ` +
      `checksum ${undone?.exact ? 'equal to' : 'DIFFERENT from'} the one before apply`,
  );
  return {
    planHash: plan.hash,
    firstDryRunFailed,
    approvedBy,
    canaryDocs: counts?.canary ?? 0,
    applied: counts?.changed ?? 0,
    remainingAtTarget: undone?.remainingAtTarget ?? -1,
    exact: undone?.exact === true,
  };
}

/** The approval of a plan by one of the demo's approvers, with the key the demo made for them. */
function approval(session: DemoSession, planHash: string, approver: (typeof demoApprovers)[number]) {
  const keyFile = keyFileOf(session.config.file, approver.name);
  return {
    planHash,
    signer: { keyFile, approver: approver.name, role: approver.role, expiresInMs: 86_400_000 },
  };
}

/** A dry run of a plan with pending migrations, as the demo's always has. */
function dryRunDone(result: MigrateDryRunResult) {
  expectStep('report' in result, 'migrate dry-run', 'nothing was pending');
  return result;
}

/**
 * Gives every subject the generator made malformed (and the archived copies the integrity step
 * restored from them) a value of the type its schema wants. Returns how many were corrected.
 */
async function correctMalformedSubjects(store: Store, manifest: ExampleManifest): Promise<number> {
  const ops: WriteOp[] = [];
  for (const fault of manifest.faults) {
    if (fault.kind !== 'bad-shape' || fault.collection !== 'subjects') continue;
    const set = { [fault.field]: valueOfType(fault.expected) };
    const copies = manifest.faults.flatMap((f) =>
      f.kind === 'orphan' && f.target === 'subjects' && f.expected === fault.key ? [f.actual] : [],
    );
    for (const key of [fault.key, ...copies]) ops.push({ type: 'patch', key, set });
  }
  const results = await store.collection(exampleSpec('subjects')).write(ops);
  return results.filter((r) => r.status === 'ok').length;
}

function valueOfType(type: string): JsonValue {
  if (type === 'integer' || type === 'number') return 1;
  if (type === 'boolean') return false;
  return 'unknown';
}

function seconds(value: number): string {
  return value < 1 ? 'under a second' : `${value.toFixed(1)} s`;
}
