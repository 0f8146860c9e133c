import { randomBytes } from 'node:crypto';
import { isStewardError } from '../../errors/steward-error.js';
import { type Incident, listIncidents } from '../../ledger/incidents.js';
import type { Lease } from '../../ledger/lease.js';
import type { ResolvedReference } from '../reference.js';
import { approveDeletion, type DeletePlan } from './delete-approval.js';
import { actionFor } from './repair-action.js';
import { type RunScope, repairBatch } from './repair-batch.js';
import { nowIso, type RepairContext, type RepairOptions } from './repair-context.js';
import { countStatuses, type ReferenceRepair, type RepairItem } from './repair-result.js';
import { endRepairRun, startRepairRun } from './repair-run.js';

/** The run id of a dry run's scope: it writes nothing, so nothing carries it. */
const dryRunId = 'dry-run';

/** How long a repair's lease lasts without renewal; it is renewed after every batch. */
const leaseTtlMs = 5 * 60_000;

/**
 * Repairs the open incidents of one reference by its `onMissing` policy, a batch at a time. The
 * incident list is the checkpoint: a closed incident is never looked at again, so a run that
 * stopped resumes where it was by simply running again. One run per reference at a time, held by
 * a lease (`refs.repair.<reference>`); a second run finds it held and reports the reference as
 * not repaired.
 */
export async function repairReference(
  ctx: RepairContext,
  reference: ResolvedReference,
  options: RepairOptions & { readonly breakerPlan?: string } = {},
): Promise<ReferenceRepair> {
  const started = ctx.clock ? ctx.clock() : Date.now();
  const incidents = await ctx.ledger.openCollection('incidents');
  const writes = !options.dryRun && reference.onMissing !== 'flag';
  let lease: Lease | undefined;
  try {
    if (writes) lease = await acquire(ctx, reference);
  } catch (error) {
    if (!isStewardError(error, 'lease.held')) throw error;
    const { holder, expiresAt } = error.details as { holder: string; expiresAt: number };
    return {
      reference: reference.name,
      policy: reference.onMissing,
      items: [],
      counts: countStatuses([]),
      error: error.message,
      heldBy: { holder, until: new Date(expiresAt).toISOString() },
    };
  }
  try {
    const run = lease ? await startRepairRun(ctx.ledger, reference.name, lease) : undefined;
    const scope: RunScope = {
      reference,
      incidents,
      run: run?.id ?? dryRunId,
      ...(options.breakerPlan ? { breakerPlan: options.breakerPlan } : {}),
    };
    const { items, plan } =
      reference.onMissing === 'delete-dependent'
        ? await repairDeletions(ctx, scope, options, lease)
        : { items: await repairInBatches(ctx, scope, options, lease), plan: undefined };
    if (lease) await endRepairRun(ctx.ledger, reference.name, lease);
    const result: ReferenceRepair = {
      reference: reference.name,
      policy: reference.onMissing,
      ...(run ? { run: run.id, ...(run.resumed ? { resumed: true } : {}) } : {}),
      items,
      counts: countStatuses(items),
      ...(plan ? { plan } : {}),
    };
    if (!options.dryRun) emitSummary(ctx, result, started);
    return result;
  } finally {
    await lease?.release().catch(() => undefined);
  }
}

/** Streams the open incidents in batches, repairing each batch before reading on. */
async function repairInBatches(
  ctx: RepairContext,
  scope: RunScope,
  options: RepairOptions,
  lease: Lease | undefined,
): Promise<RepairItem[]> {
  const items: RepairItem[] = [];
  const open = listIncidents(scope.incidents, { subject: scope.reference.name, status: 'open' });
  for await (const batch of inBatches(open, options.batchSize ?? 100)) {
    items.push(...(await repairBatch(ctx, scope, batch, options)));
    await lease?.renew();
  }
  return items;
}

/**
 * Deletions need the whole plan first: its hash is what approvals sign. Without valid approvals
 * every deletion is refused and nothing is written; the plan and what the approvals lack are in
 * the result, so the person running it knows what to have signed.
 */
async function repairDeletions(
  ctx: RepairContext,
  scope: RunScope,
  options: RepairOptions,
  lease: Lease | undefined,
): Promise<{ items: RepairItem[]; plan?: DeletePlan }> {
  const { reference, incidents } = scope;
  const open: Incident[] = [];
  for await (const incident of listIncidents(incidents, { subject: reference.name, status: 'open' }))
    open.push(incident);
  const deletable = open.filter((i) => actionFor(reference, i) === 'delete');
  const items = await repairBatch(
    ctx,
    scope,
    open.filter((i) => !deletable.includes(i)),
    options,
  );
  if (deletable.length === 0) return { items };
  const plan = await approveDeletion(ctx, reference, incidents, deletable);
  if (!plan.approval.ok) {
    items.push(...refuse(ctx, reference, deletable, plan, options));
    return { items, plan };
  }
  const approved = { ...scope, plan: { hash: plan.hash, approvedBy: plan.approval.approvedBy } };
  for (const batch of chunk(deletable, options.batchSize ?? 100)) {
    items.push(...(await repairBatch(ctx, approved, batch, options)));
    await lease?.renew();
  }
  return { items, plan };
}

/** Every deletion of a plan refused, with why; the refusal is signalled unless it is a dry run. */
function refuse(
  ctx: RepairContext,
  reference: ResolvedReference,
  deletable: readonly Incident[],
  plan: DeletePlan,
  options: RepairOptions,
): RepairItem[] {
  const reasons = plan.approval.problems.map((p) => p.message);
  const note = `not approved: ${reasons.join('; ')}`;
  if (!options.dryRun) {
    const at = nowIso(ctx);
    ctx.onEvent?.({
      type: 'repair-refused',
      reference: reference.name,
      count: deletable.length,
      plan: plan.hash,
      reasons,
      at,
    });
  }
  return deletable.map((i) => ({
    incident: i.id,
    kind: i.kind,
    collection: i.collection,
    key: i.key,
    action: 'delete' as const,
    status: 'refused' as const,
    note,
  }));
}

async function acquire(ctx: RepairContext, reference: ResolvedReference): Promise<Lease> {
  const holder = `${ctx.actor}#${process.pid}-${randomBytes(3).toString('hex')}`;
  return ctx.ledger.acquireLease({ name: `refs.repair.${reference.name}`, holder, ttlMs: leaseTtlMs });
}

/** The run's summary event. A dry run emits none: it changes nothing worth a signal. */
function emitSummary(ctx: RepairContext, result: ReferenceRepair, started: number): void {
  const { flagged, reported, skipped, refused, failed } = result.counts;
  const durationMs = (ctx.clock ? ctx.clock() : Date.now()) - started;
  const open = flagged + reported + skipped + refused + failed;
  ctx.onEvent?.({
    type: 'repaired',
    reference: result.reference,
    counts: result.counts,
    open,
    durationMs,
    at: nowIso(ctx),
  });
}

async function* inBatches<T>(source: AsyncIterable<T>, size: number): AsyncGenerator<T[]> {
  let batch: T[] = [];
  for await (const item of source) {
    batch.push(item);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
