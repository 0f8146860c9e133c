import { randomBytes } from 'node:crypto';
import type { Lease } from '../../ledger/lease.js';
import type { Ledger } from '../../ledger/ledger.js';

/**
 * A repair run: one reference repaired once, under its lease, with an id that names everything
 * it did: its before-images, audit records and the resolutions of the incidents it closed. The
 * id is what `refs repair --undo` takes.
 *
 * The run id is kept in a checkpoint named like the lease (`refs.repair.<reference>`) from the
 * start of the run to its end, so a run that was killed is continued by the next repair of the
 * reference under the same id: a before-image saved before the kill is found again instead of
 * being saved twice, and one undo puts back the whole run.
 */
export interface RepairRun {
  readonly id: string;
  /** True when this continues a run that stopped part-way. */
  readonly resumed: boolean;
}

/** The lease and checkpoint name of the repairs of a reference. */
export function repairJobName(reference: string): string {
  return `refs.repair.${reference}`;
}

/** A fresh run id: `rr-<time>-<random>`, sortable by start time. */
export function newRepairRunId(): string {
  return `rr-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

/** Starts a run of the reference's repair under its lease, or continues the one a kill left. */
export async function startRepairRun(ledger: Ledger, reference: string, lease: Lease): Promise<RepairRun> {
  const job = repairJobName(reference);
  const saved = await ledger.checkpoints.load(job, lease);
  if (typeof saved?.run === 'string') return { id: saved.run, resumed: true };
  const id = newRepairRunId();
  await ledger.checkpoints.save(job, { run: id, startedAt: new Date().toISOString() }, lease);
  return { id, resumed: false };
}

/** Ends a run that went through: the next repair of the reference starts a new one. */
export async function endRepairRun(ledger: Ledger, reference: string, lease: Lease): Promise<void> {
  await ledger.checkpoints.clear(repairJobName(reference), lease);
}
