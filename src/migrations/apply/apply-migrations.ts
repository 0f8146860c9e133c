import { randomBytes } from 'node:crypto';
import { useApprovals } from '../../approvals/approval-ledger.js';
import type { JsonObject } from '../../core/json.js';
import { isStewardError, StewardError } from '../../errors/steward-error.js';
import { type Clock, systemClock } from '../../ledger/clock.js';
import type { Lease } from '../../ledger/lease.js';
import { readChangelogRecord, readChangelogRecords } from '../changelog.js';
import type { Migration } from '../migration.js';
import { migrationApprovalSubject } from '../plan/plan-approvals.js';
import { rollbackUnderLease } from '../rollback/rollback-migrations.js';
import { type ApprovalGrant, isRefusal } from './apply-approvals.js';
import { auditRefusal, checkRun } from './apply-checks.js';
import { type ApplyInput, applyContext, applyJob, migrateLease, type RunContext } from './apply-context.js';
import { failedGates } from './apply-gates.js';
import { applyMigration, type MigrationRunOutcome } from './apply-migration.js';
import { type ApplyDecision, decideApply } from './apply-plan.js';
import {
  type ApplyReport,
  type ApprovalsUsed,
  type MigrationApplyReport,
  migrationReport,
} from './apply-report.js';
import {
  type ApplyState,
  freshProgress,
  type MigrationProgress,
  parseApplyState,
  runOf,
} from './apply-state.js';

export type { ApplyInput } from './apply-context.js';

const defaultLeaseTtlMs = 30_000;

/**
 * `steward migrate apply`: applies the pending migrations in order under the `migrate` lease (a
 * second applier gets `lease.held`), after checking the changelog, the contracts and the
 * approvals of the plan hash. Each migration runs its operations, a canary, the gates and the
 * rest (see `apply-migration.ts`), checkpointed after every batch, so rerunning after a crash
 * resumes the same plan where it stopped. The approvals that let a run go are used up by it: a
 * later run of the same plan (after a rollback) needs new ones, unless the policy says
 * `reuseAfterRollback`. Returns a report; throws only for store failures, a lost lease
 * (`lease.lost`, saying how to resume) and bugs.
 */
export async function applyMigrations(input: ApplyInput): Promise<ApplyReport> {
  try {
    return await applyUnderLease(input);
  } catch (error) {
    throw isStewardError(error, 'lease.lost') ? leaseLost(error) : error;
  }
}

async function applyUnderLease(input: ApplyInput): Promise<ApplyReport> {
  const started = Date.now();
  const clock = input.clock ?? systemClock;
  const ttlMs = input.leaseTtlMs ?? defaultLeaseTtlMs;
  const lease = await input.ledger.acquireLease({ name: migrateLease, holder: input.holder, ttlMs });
  const report = (r: Omit<ApplyReport, 'durationMs'>): ApplyReport => ({
    ...r,
    durationMs: Date.now() - started,
  });
  try {
    const decision = await decide(input, lease, clock);
    if (decision.kind === 'nothing')
      return report({ status: 'nothing-pending', resumed: false, migrations: [] });
    if (decision.kind === 'refused') {
      await auditRefusal(input, decision.refusal, undefined);
      return report({ status: 'refused', resumed: false, refusal: decision.refusal, migrations: [] });
    }
    const { state, resumed } = decision;
    const checked = await checkRun(input, state, clock());
    if (isRefusal(checked)) {
      await auditRefusal(input, checked, state.plan.hash);
      return report({
        status: 'refused',
        planHash: state.plan.hash,
        resumed,
        refusal: checked,
        migrations: [],
      });
    }
    const backups = await input.ledger.openCollection('backups');
    const ctx = applyContext(input, { lease, clock, ttlMs, backups }, state);
    return report(await runPlan(input, ctx, { state, resumed, grant: checked }));
  } finally {
    await lease.release().catch(() => undefined);
  }
}

async function decide(input: ApplyInput, lease: Lease, clock: Clock): Promise<ApplyDecision> {
  return decideApply({
    migrations: input.migrations,
    records: await readChangelogRecords(input.ledger),
    saved: parseApplyState(await input.ledger.checkpoints.load(applyJob, lease)),
    target: input.target,
    contracts: input.contracts,
    options: input.options,
    now: new Date(clock()).toISOString(),
    runId: `apply-${new Date(clock()).toISOString()}-${randomBytes(4).toString('hex')}`,
  });
}

/**
 * Saves the run's checkpoint, then uses up the approvals that let it go, under its run id (in
 * this order, so a crash between the two resumes the same run, which may use them), and audits
 * the start. Returns what the report says of the approvals.
 */
async function startRun(
  input: ApplyInput,
  ctx: RunContext,
  { state, resumed, grant }: RunStart,
): Promise<ApprovalsUsed> {
  await input.ledger.checkpoints.save(applyJob, state as unknown as JsonObject, ctx.lease);
  const subject = migrationApprovalSubject(state.plan.hash, grant.reportHash);
  const run = runOf(state);
  // A reused approval keeps the use of the run that first used it; the audit record below says so.
  const fresh = grant.approvals.filter((id) => !grant.reused.includes(id));
  await useApprovals(
    input.ledger,
    fresh.map((id) => ({ id, subject })),
    { usedBy: run, usedAt: ctx.now() },
  );
  const approvals: ApprovalsUsed = {
    run,
    reportHash: grant.reportHash,
    approvedBy: grant.approvedBy,
    used: grant.approvals,
    reused: grant.reused,
  };
  await input.ledger.audit.append({
    action: resumed ? 'migrate.apply.resumed' : 'migrate.apply.started',
    subject: state.plan.hash,
    details: {
      migrations: [...state.plan.ids],
      options: { ...state.plan.options },
      index: state.index,
      approvals: { ...approvals } as unknown as JsonObject,
    },
  });
  return approvals;
}

/** The error a run that lost the `migrate` lease ends with: what happened and how to go on. */
function leaseLost(error: StewardError): StewardError {
  return new StewardError(
    'lease.lost',
    `migrate apply stopped: it lost the "migrate" lease (${error.message.replace(/\.?\s*Another run has taken over.*$/s, '')}). ` +
      'Another run took the job over, or the lease expired while this run was stalled. This run stopped at its ' +
      'next checkpoint; a resumed run redoes the batch in flight, harmlessly. See `steward migrate status` for who ' +
      'holds the lease; once it is free, run `steward migrate apply` again to resume.',
    { ...error.details },
    { cause: error },
  );
}

type RunResult = Omit<ApplyReport, 'durationMs'>;

/** A run about to go: its state, whether it resumes, and the approvals that let it. */
interface RunStart {
  readonly state: ApplyState;
  readonly resumed: boolean;
  readonly grant: ApprovalGrant;
}

/** Runs the plan's migrations from the saved index, one after the other. */
async function runPlan(input: ApplyInput, ctx: RunContext, start: RunStart): Promise<RunResult> {
  const byId = new Map(input.migrations.map((m) => [m.id, m]));
  const reports: MigrationApplyReport[] = [];
  const { resumed } = start;
  let state = start.state;
  const approvals = await startRun(input, ctx, start);
  for (let i = state.index; i < state.plan.ids.length; i++) {
    const migration = byId.get(state.plan.ids[i]!)!;
    const progress =
      i === state.index && state.progress ? state.progress : await fresh(input, migration, ctx);
    state = { ...state, index: i, progress };
    ctx.state = state;
    await ctx.save(progress);
    const outcome = await applyMigration(ctx, migration, progress, input.resume === true);
    reports.push(migrationReport(migration, outcome));
    if (outcome.status === 'paused')
      return { status: 'paused', planHash: state.plan.hash, resumed, approvals, migrations: reports };
    if (outcome.status === 'gate-failed')
      return { ...(await gateFailed(input, ctx, migration, outcome, reports, resumed)), approvals };
    state = { ...state, index: i + 1, progress: undefined };
  }
  await input.ledger.checkpoints.clear(applyJob, ctx.lease);
  return { status: 'applied', planHash: state.plan.hash, resumed, approvals, migrations: reports };
}

/** A migration stopped at a gate: wait for a person, or roll it back when the config says so. */
async function gateFailed(
  input: ApplyInput,
  ctx: RunContext,
  migration: Migration,
  outcome: MigrationRunOutcome,
  reports: MigrationApplyReport[],
  resumed: boolean,
): Promise<RunResult> {
  const planHash = ctx.plan.hash;
  const auto = failedGates(outcome.progress.gates).filter((g) => input.settings.autoRollback?.on.includes(g));
  if (auto.length === 0) return { status: 'gate-failed', planHash, resumed, migrations: reports };
  await rollbackUnderLease(
    {
      ledger: input.ledger,
      target: input.target,
      migrations: input.migrations,
      contracts: input.contracts,
      batchSize: ctx.plan.options.batchSize,
      actor: input.actor,
      ...(input.settings.rate === undefined ? {} : { rate: input.settings.rate }),
      ...(input.clock ? { clock: input.clock } : {}),
      ...(input.onEvent ? { onEvent: input.onEvent } : {}),
    },
    ctx.lease,
    ctx.ttlMs,
    [migration.id],
    `automatic rollback: gate(s) ${auto.join(', ')} failed`,
  );
  reports[reports.length - 1] = { ...reports.at(-1)!, status: 'rolled-back' };
  return { status: 'rolled-back', planHash, resumed, migrations: reports };
}

/** A migration about to start: its attempt is one more than the changelog's last. */
async function fresh(input: ApplyInput, migration: Migration, ctx: RunContext): Promise<MigrationProgress> {
  const record = await readChangelogRecord(input.ledger, migration.id);
  return freshProgress(migration.id, (record?.attempt ?? 0) + 1, ctx.now());
}
