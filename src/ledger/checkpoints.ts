import { isJsonObject, type JsonObject } from '../core/json.js';
import { StewardError } from '../errors/steward-error.js';
import type { Collection } from '../stores/store.js';
import type { ChainTip } from './audit-chain.js';
import { type Clock, systemClock } from './clock.js';
import {
  claimFenced,
  deleteClaimed,
  fenceField,
  fenceLeaseField,
  insertFenced,
  putFenced,
  writeFenced,
} from './fenced-write.js';
import type { Fence } from './lease.js';
import { readLedgerDoc, withoutKey, writeLedgerDoc } from './ledger-document.js';

/** The field of a checkpoint holding the audit head its job last saw: `{ seq, hash }`. */
export const checkpointAuditHeadField = 'auditHead';

/** What a checkpoint document holds besides its key: the job's state and where it was saved. */
export interface CheckpointParts {
  readonly job: string;
  readonly state: JsonObject;
  /** ISO time of the save. */
  readonly updatedAt: string;
  /** The audit log's head as the saving process last saw it; none before its first record. */
  readonly auditHead?: ChainTip | undefined;
  /** The lease the save is fenced by: its token and name are stored with the state. */
  readonly fence: Pick<Fence, 'name' | 'token'>;
}

/**
 * A checkpoint document as {@link Checkpoints.save} stores it, its key field aside. Pure, and the
 * one place the document's shape is said: the dry run writes one built here into its sandbox to
 * time apply's checkpoint save (it holds no lease to save through the ledger), so a change to
 * what a save stores changes what the dry run times.
 */
export function checkpointDocument(parts: CheckpointParts): JsonObject {
  const doc: JsonObject = { job: parts.job, state: parts.state, updatedAt: parts.updatedAt };
  const head = parts.auditHead;
  if (head && head.seq > 0) doc[checkpointAuditHeadField] = { seq: head.seq, hash: head.hash };
  // The fenced write sets the same two fields again (`putFenced`); named here for the shape.
  doc[fenceField] = parts.fence.token;
  doc[fenceLeaseField] = parts.fence.name;
  return doc;
}

/**
 * Where jobs resume: one document per job name holding a JSON state (scan tokens per segment,
 * counters), saved as the job goes. Saves are fenced by the job's lease, so a job that lost its
 * lease cannot overwrite the progress of the run that took over (it gets `lease.lost`).
 *
 * The protocol for a job: acquire the lease, `load(job, lease)` (which claims the checkpoint for
 * the new token before reading it, so the old holder's saves are refused from then on), work and
 * `save` under the lease, `clear` when done.
 *
 * Each save also records the audit log's head as this process last saw it (`auditHead`), one more
 * place the log's end is kept apart from the log: `audit verify` and `doctor` check the log still
 * holds it (see `recorded-heads.ts`).
 */
export class Checkpoints {
  /** Jobs whose claim found no checkpoint, with the token that claimed: their first save inserts. */
  private readonly absent = new Map<string, number>();

  constructor(
    readonly collection: Collection,
    private readonly clock: Clock = systemClock,
    private readonly auditTip: () => Promise<ChainTip | undefined> = async () => undefined,
  ) {}

  /**
   * The job's saved state, or undefined when it has none. With a lease, first claims the
   * checkpoint for that lease's token; without one, only reads (for status displays).
   */
  async load(job: string, lease?: Fence): Promise<JsonObject | undefined> {
    const doc = lease
      ? await claimFenced(this.collection, job, lease)
      : await readLedgerDoc(this.collection, job).then((d) => d && withoutKey(this.collection, d));
    if (!doc) {
      if (lease) this.absent.set(job, lease.token);
      return undefined;
    }
    if (!isJsonObject(doc.state)) {
      throw new StewardError(
        'ledger.conflict',
        `checkpoint "${job}" in "${this.collection.spec.name}" has no state`,
        {
          collection: this.collection.spec.name,
          job,
        },
      );
    }
    return doc.state;
  }

  /**
   * Saves the job's state under the lease; `lease.lost` when a newer holder has acquired the lease
   * or claimed the job. One conditional write and one lease check after it (a job saves after
   * every batch): the checkpoint is claimed by every holder before it resumes from it (see
   * {@link load}), so the write's fence condition stands in for a lease check before it. The first
   * save after a claim that found nothing is an insert (a replace would find nothing to replace).
   */
  async save(job: string, state: JsonObject, lease: Fence): Promise<void> {
    const auditHead = await this.auditTip();
    const doc = checkpointDocument({ job, state, updatedAt: this.now(), auditHead, fence: lease });
    if (this.absent.get(job) === lease.token) {
      this.absent.delete(job);
      if (await insertFenced(this.collection, job, lease, doc)) return;
    }
    await putFenced(this.collection, job, lease, doc, { claimed: true });
  }

  /** Removes the job's checkpoint: fenced with a lease, unconditionally without one. */
  async clear(job: string, lease?: Fence): Promise<void> {
    if (lease) await writeFenced(this.collection, job, lease, () => null);
    else await writeLedgerDoc(this.collection, { type: 'delete', key: job });
  }

  /**
   * Removes the checkpoint of a job that {@link load}ed it under this lease (the lease named as
   * the job): one delete conditional on our fence and a lease check after it, two round trips
   * where {@link clear} takes four (see `deleteClaimed`).
   */
  async clearClaimed(job: string, lease: Fence): Promise<void> {
    await deleteClaimed(this.collection, job, lease);
  }

  private now(): string {
    return new Date(this.clock()).toISOString();
  }
}
