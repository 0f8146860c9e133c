import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseFilter } from '../../core/filter.js';
import type { JsonObject } from '../../core/json.js';
import { isStewardError, StewardError } from '../../errors/steward-error.js';
import type { Lease } from '../../ledger/lease.js';
import { scanDocuments, scanPages } from '../../stores/scan-pages.js';
import type { Collection } from '../../stores/store.js';
import { nowIso, type RepairContext } from '../repair/repair-context.js';
import { repairJobName } from '../repair/repair-run.js';
import { type UndoScope, undoBatch } from './undo-batch.js';
import { storedImage } from './undo-decision.js';
import {
  noUndoCounts,
  type UndoItem,
  type UndoReport,
  type UndoStatus,
  undoStatuses,
} from './undo-report.js';

/** What `refs repair --undo` is asked to do. */
export interface UndoInput {
  /** The repair run to undo, as `refs repair` printed it. */
  readonly run: string;
  /** Put images back over changes made since the repair too (they are reported as `forced`). */
  readonly force?: boolean;
  /** Decide and report, write nothing. */
  readonly dryRun?: boolean;
  /** Before-images per batch: one read, one bulk write, one audit append, one checkpoint. Default 100. */
  readonly batchSize?: number;
  /** How long a killed undo keeps the reference locked. Default 5 minutes, as a repair. */
  readonly leaseTtlMs?: number;
  /** When the reference's lease is held, wait once until the expiry it shows, then try again. */
  readonly waitForLease?: boolean;
  /** Aborting stops at the next batch boundary, checkpointed (status `paused`). */
  readonly signal?: AbortSignal;
  /** Called after every batch is checkpointed, with the images dealt with so far; awaited. */
  readonly onBatch?: (progress: { readonly images: number }) => void | Promise<void>;
}

const defaultLeaseTtlMs = 5 * 60_000;
/** Longest wait for a held lease: a holder with a longer ttl is not waited for past this. */
const maxLeaseWaitMs = 15 * 60_000;

/** The checkpoint of an undo: one per repair run. */
export function undoJobName(run: string): string {
  return `refs.repair.undo:${run}`;
}

interface UndoState {
  undo: string;
  after: string | null;
  complete: boolean;
  counts: Record<UndoStatus, number>;
  reopened: number;
}

/**
 * `steward refs repair --undo <run>`: puts back the before-images a repair run saved (see
 * `repair/before-images.ts`), a batch at a time, under the lease of the run's reference, so it
 * never races a repair of that reference. A document is put back only while it is as the run left
 * it; one changed since is a `conflict` and left alone, unless `force`. Incidents the run closed
 * are reopened. Every write is audited; a summary record ends the undo.
 *
 * Checkpointed after every batch (`refs.repair.undo:<run>`): killed, the same call resumes and
 * ends exactly as an uninterrupted undo (see `undo-batch.ts` for why a redone batch changes
 * nothing). Idempotent: a second undo of the same run finds every image put back already
 * (`undone-before`) and writes nothing. It also ends the run: a repair killed part-way is not
 * continued under the undone run's id afterwards.
 *
 * Throws `input.invalid` when the ledger holds no before-image of the run.
 */
export async function undoRepairRun(ctx: RepairContext, input: UndoInput): Promise<UndoReport> {
  const backups = await ctx.ledger.openCollection('backups');
  const filter = parseFilter({ repairRun: input.run });
  const reference = await referenceOf(backups, filter, input.run);
  const incidents = await ctx.ledger.openCollection('incidents');
  const scopeOf = (undo: string): UndoScope => ({
    run: input.run,
    undo,
    reference,
    backups,
    incidents,
    force: input.force === true,
    dryRun: input.dryRun === true,
    now: () => nowIso(ctx),
  });
  if (input.dryRun) return dryRun(ctx, input, scopeOf(newUndoId()), filter);
  const lease = await acquire(ctx, reference, input);
  try {
    const { state, resumed } = await startUndo(ctx, input.run, lease);
    const items: UndoItem[] = [];
    const scope = scopeOf(state.undo);
    if (!state.complete) {
      const paused = await undoPages(ctx, input, scope, filter, state, lease, items);
      if (paused) return report(scope, state, resumed, items, 'paused');
    }
    await ctx.ledger.audit.append({
      action: 'refs.repair.undone',
      subject: reference,
      details: { run: input.run, undo: state.undo, counts: state.counts, reopened: state.reopened },
    });
    await ctx.ledger.checkpoints.clear(undoJobName(input.run), lease);
    return report(scope, state, resumed, items, 'done');
  } finally {
    await lease.release().catch(() => undefined);
  }
}

/** The batches from the checkpoint on; true when stopped by the signal. */
async function undoPages(
  ctx: RepairContext,
  input: UndoInput,
  scope: UndoScope,
  filter: ReturnType<typeof parseFilter>,
  state: UndoState,
  lease: Lease,
  items: UndoItem[],
): Promise<boolean> {
  const pages = scanPages(scope.backups, { filter, after: state.after, limit: input.batchSize ?? 100 });
  for await (const page of pages) {
    if (input.signal?.aborted) return true;
    const keyField = scope.backups.spec.keyField;
    const done = await undoBatch(
      ctx,
      scope,
      page.docs.map((d) => storedImage(d, keyField)),
    );
    for (const it of done.items) state.counts[it.status]++;
    state.reopened += done.reopened;
    items.push(...done.items);
    state.after = page.next;
    state.complete = page.next === null;
    await ctx.ledger.checkpoints.save(undoJobName(scope.run), state as unknown as JsonObject, lease);
    await lease.renew();
    await input.onBatch?.({ images: total(state.counts) });
  }
  return false;
}

/** The undo's checkpoint, or a fresh one; a fresh undo also ends the run it undoes (see above). */
async function startUndo(
  ctx: RepairContext,
  run: string,
  lease: Lease,
): Promise<{ state: UndoState; resumed: boolean }> {
  const saved = await ctx.ledger.checkpoints.load(undoJobName(run), lease);
  if (saved && typeof saved.undo === 'string') return { state: saved as unknown as UndoState, resumed: true };
  const repair = await ctx.ledger.checkpoints.load(lease.name, lease);
  if (repair?.run === run) await ctx.ledger.checkpoints.clear(lease.name, lease);
  const state: UndoState = {
    undo: newUndoId(),
    after: null,
    complete: false,
    counts: noUndoCounts(),
    reopened: 0,
  };
  await ctx.ledger.checkpoints.save(undoJobName(run), state as unknown as JsonObject, lease);
  return { state, resumed: false };
}

/** A dry run: every batch decided, nothing written, no lease or checkpoint. */
async function dryRun(
  ctx: RepairContext,
  input: UndoInput,
  scope: UndoScope,
  filter: ReturnType<typeof parseFilter>,
): Promise<UndoReport> {
  const state: UndoState = {
    undo: scope.undo,
    after: null,
    complete: false,
    counts: noUndoCounts(),
    reopened: 0,
  };
  const items: UndoItem[] = [];
  for await (const page of scanPages(scope.backups, { filter, limit: input.batchSize ?? 100 })) {
    const keyField = scope.backups.spec.keyField;
    const done = await undoBatch(
      ctx,
      scope,
      page.docs.map((d) => storedImage(d, keyField)),
    );
    for (const it of done.items) state.counts[it.status]++;
    items.push(...done.items);
  }
  return report(scope, state, false, items, 'done');
}

/** The reference of a run, from its first before-image; `input.invalid` when it has none. */
async function referenceOf(
  backups: Collection,
  filter: ReturnType<typeof parseFilter>,
  run: string,
): Promise<string> {
  for await (const doc of scanDocuments(backups, { filter, limit: 100 })) {
    if (typeof doc.reference === 'string') return doc.reference;
  }
  throw new StewardError(
    'input.invalid',
    `no before-image of repair run "${run}" in "${backups.spec.name}": check the run id (\`steward refs repair\` ` +
      'prints it, and the incidents it closed carry it: `steward refs incidents --status closed --json`); ' +
      'a run that changed no document has nothing to undo',
    { run },
  );
}

/** The reference's repair lease; waits once for a held one when asked (a killed run's lapses). */
async function acquire(ctx: RepairContext, reference: string, input: UndoInput): Promise<Lease> {
  const ttlMs = input.leaseTtlMs ?? defaultLeaseTtlMs;
  const holder = `${ctx.actor}#${process.pid}-${randomBytes(3).toString('hex')}`;
  const ask = () => ctx.ledger.acquireLease({ name: repairJobName(reference), holder, ttlMs });
  try {
    return await ask();
  } catch (error) {
    if (!input.waitForLease || !isStewardError(error, 'lease.held')) throw error;
    const until = Number(error.details.expiresAt);
    const now = ctx.clock ? ctx.clock() : Date.now();
    await sleep(Math.min(maxLeaseWaitMs, Math.max(0, until - now)) + 100, undefined, {
      ...(input.signal ? { signal: input.signal } : {}),
    });
    return ask();
  }
}

function report(
  scope: UndoScope,
  state: UndoState,
  resumed: boolean,
  items: UndoItem[],
  status: UndoReport['status'],
): UndoReport {
  return {
    run: scope.run,
    undo: scope.undo,
    reference: scope.reference,
    dryRun: scope.dryRun,
    status,
    resumed,
    counts: { ...state.counts },
    reopened: state.reopened,
    items,
  };
}

function total(counts: Readonly<Record<UndoStatus, number>>): number {
  return undoStatuses.reduce((n, s) => n + counts[s], 0);
}

function newUndoId(): string {
  return `undo-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}
