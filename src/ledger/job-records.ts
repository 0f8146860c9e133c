import type { JsonObject, JsonValue } from '../core/json.js';
import { StewardError } from '../errors/steward-error.js';
import { scanDocuments } from '../stores/scan-pages.js';
import type { Collection } from '../stores/store.js';
import { readLedgerDoc, withKey, withoutKey, writeLedgerDoc } from './ledger-document.js';

/** Where a background job stands; see `jobs/job-manager.ts` for the transitions. */
export type JobStatus = 'queued' | 'running' | 'paused' | 'succeeded' | 'failed' | 'interrupted';

/** What a job has done so far, as its progress events say. */
export interface JobProgress {
  /** Documents done (read, checked or written, as the kind counts them), over every run of the job. */
  readonly done: number;
  /** Documents in all, when known. */
  readonly total?: number;
  /** Documents per second over the current run. */
  readonly rate?: number;
  /** Seconds left at `rate`, when `total` is known. */
  readonly etaSeconds?: number;
  /** What the job is at: `canary subjects`, `scan profiles.accountId`, `waiting for lease`... */
  readonly stage?: string;
  /** When this progress was measured (ISO 8601). */
  readonly at: string;
}

/** Who runs a job: a manager instance in one process; `recover()` knows a dead owner by it. */
export interface JobOwner {
  readonly host: string;
  readonly pid: number;
  /** Unique per manager instance, so a restarted process that got the same pid is told apart. */
  readonly instance: string;
}

/**
 * A background job as the ledger keeps it: what it runs (`kind`, `input`), for whom, where it
 * stands, its progress, and how it ended (`result`, or `error` with a StewardError code).
 */
export interface JobRecord {
  readonly id: string;
  readonly kind: string;
  readonly input: JsonObject;
  readonly actor: string;
  readonly status: JobStatus;
  readonly progress: JobProgress;
  readonly result?: JsonValue;
  readonly error?: { readonly code: string; readonly message: string };
  /** The plan hash a migration job runs (apply and rollback), once known. */
  readonly planHash?: string;
  /** How many times the job was started: 1, then one more per resume. */
  readonly runs: number;
  readonly owner?: JobOwner;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly startedAt?: string;
  readonly finishedAt?: string;
}

/** A page of job records, newest first; `next` is the cursor of the following page. */
export interface JobPage {
  readonly jobs: JobRecord[];
  readonly next: string | null;
}

/**
 * The ledger's job records: one document per background job, keyed by its id. Whole records are
 * written at once (the job manager serializes a job's writes), so a reader never sees half an
 * update. Jobs are few (one per start), so listing reads them all and sorts them.
 */
export class JobRecords {
  private ready: Promise<void> | undefined;
  private known = false;

  constructor(
    private readonly collection: Collection,
    private readonly ensure: () => Promise<void>,
    private readonly exists: () => Promise<boolean>,
  ) {}

  /** Saves the record, creating or replacing it (and the collection, on the first save). */
  async put(record: JobRecord): Promise<void> {
    await this.open();
    const doc = withKey(this.collection, record.id, record as unknown as JsonObject);
    await writeLedgerDoc(this.collection, { type: 'replace', doc, upsert: true });
  }

  /** The record of job `id`; `job.unknown` when there is none. */
  async get(id: string): Promise<JobRecord> {
    const doc = (await this.readable()) ? await readLedgerDoc(this.collection, id) : undefined;
    if (!doc) throw new StewardError('job.unknown', `no job with id "${id}"`, { job: id });
    return { ...(withoutKey(this.collection, doc) as unknown as JobRecord), id };
  }

  /**
   * Job records newest first, `limit` per page (default 50), after the cursor `after` (the id of
   * the last record of the previous page), optionally only those of one status.
   */
  async list(options: { limit?: number; after?: string; status?: JobStatus } = {}): Promise<JobPage> {
    const all = (await this.all()).filter((r) => options.status === undefined || r.status === options.status);
    all.sort((a, b) =>
      a.createdAt === b.createdAt ? b.id.localeCompare(a.id) : b.createdAt < a.createdAt ? -1 : 1,
    );
    const start = options.after === undefined ? 0 : all.findIndex((r) => r.id === options.after) + 1;
    const limit = options.limit ?? 50;
    const jobs = all.slice(start, start + limit);
    const more = start + limit < all.length;
    return { jobs, next: more ? (jobs.at(-1)?.id ?? null) : null };
  }

  /** Every job record, in no order. */
  async all(): Promise<JobRecord[]> {
    const records: JobRecord[] = [];
    if (!(await this.readable())) return records;
    const keyField = this.collection.spec.keyField;
    for await (const doc of scanDocuments(this.collection, { limit: 500 })) {
      records.push({
        ...(withoutKey(this.collection, doc) as unknown as JobRecord),
        id: String(doc[keyField]),
      });
    }
    return records;
  }

  /** Whether the collection exists: reads create nothing, so a server that only reads writes nothing. */
  private async readable(): Promise<boolean> {
    if (!this.known) this.known = await this.exists();
    return this.known;
  }

  private open(): Promise<void> {
    this.ready ??= this.ensure().then(
      () => {
        this.known = true;
      },
      (error: unknown) => {
        this.ready = undefined;
        throw error;
      },
    );
    return this.ready;
  }
}
