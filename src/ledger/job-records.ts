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
  /**
   * The token of the claim under which `owner` runs the job (see {@link JobRecords.claim}):
   * absent until a process resumes it, then one higher per claim. Writes of the record are
   * conditional on it, so a process whose claim was superseded cannot overwrite the record.
   */
  readonly claim?: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly startedAt?: string;
  readonly finishedAt?: string;
}

/** A claim of a job by a process: one ledger document per token, created by a unique-key insert. */
export interface JobClaim {
  readonly job: string;
  readonly token: number;
  readonly owner: JobOwner;
  /** When it was claimed (ISO 8601). */
  readonly at: string;
}

/** How {@link JobRecords.claim} ended: the record as claimed, or the claim another process holds. */
export type ClaimOutcome =
  | { readonly claimed: JobRecord }
  | { readonly heldBy: JobOwner; readonly record: JobRecord };

/** A page of job records, newest first; `next` is the cursor of the following page. */
export interface JobPage {
  readonly jobs: JobRecord[];
  readonly next: string | null;
}

/**
 * The ledger's job records: one document per background job, keyed by its id. Whole records are
 * written at once (the job manager serializes a job's writes), so a reader never sees half an
 * update. Jobs are few (one per start), so listing reads them all and sorts them.
 *
 * Resuming a job claims it ({@link claim}), fenced as leases are: each claim inserts a document of
 * its own (`<id>#claim#<token>`, beside the records) with the next token, and of concurrent
 * inserts of one key exactly one succeeds on every store, FerretDB included. So of two servers
 * recovering the same interrupted job, exactly one runs it. Afterwards the record carries the
 * token, and {@link put} writes it only while the stored token is the writer's.
 */
export class JobRecords {
  private ready: Promise<void> | undefined;
  private known = false;

  constructor(
    private readonly collection: Collection,
    private readonly ensure: () => Promise<void>,
    private readonly exists: () => Promise<boolean>,
  ) {}

  /**
   * Saves the record, creating or replacing it (and the collection, on the first save); refused
   * with `job.conflict` when the stored record was claimed since (its `claim` is not this one's).
   */
  async put(record: JobRecord): Promise<void> {
    await this.open();
    const doc = withKey(this.collection, record.id, record as unknown as JsonObject);
    const expect = { field: claimField, value: record.claim };
    const status = await writeLedgerDoc(this.collection, { type: 'replace', doc, upsert: true, expect });
    if (status === 'conflict') throw claimedSince(await this.get(record.id));
  }

  /**
   * Claims the job for `owner` and writes `record` with `change` as its new state, under the next
   * claim token. When another process claimed it first, returns that claim's owner instead, unless
   * `stale` says that process is gone (it died between its claim and its first write): then the
   * token after it is tried. Nothing is written unless the claim is ours.
   */
  async claim(
    record: JobRecord,
    owner: JobOwner,
    change: Partial<JobRecord>,
    stale: (claim: JobClaim) => boolean,
  ): Promise<ClaimOutcome> {
    await this.open();
    const first = (record.claim ?? 0) + 1;
    for (let token = first; token < first + maxStaleClaims; token++) {
      const claim: JobClaim = { job: record.id, token, owner, at: new Date().toISOString() };
      const key = claimKey(record.id, token);
      const doc = withKey(this.collection, key, {
        [claimOfField]: record.id,
        ...claim,
      } as unknown as JsonObject);
      const inserted = await writeLedgerDoc(this.collection, { type: 'insert', doc });
      if (inserted === 'ok') return this.writeClaimed(record, { ...change, owner, claim: token });
      const theirs = await this.readClaim(key);
      if (theirs && !stale(theirs)) return { heldBy: theirs.owner, record: await this.get(record.id) };
    }
    throw new StewardError(
      'ledger.conflict',
      `job ${record.id} has ${maxStaleClaims} claims by processes that are gone; the ledger's job records need a look`,
      { job: record.id },
    );
  }

  /** The record of job `id`; `job.unknown` when there is none. */
  async get(id: string): Promise<JobRecord> {
    const doc = (await this.readable()) ? await readLedgerDoc(this.collection, id) : undefined;
    if (!doc || doc[claimOfField] !== undefined)
      throw new StewardError('job.unknown', `no job with id "${id}"`, { job: id });
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
      if (doc[claimOfField] !== undefined) continue;
      records.push({
        ...(withoutKey(this.collection, doc) as unknown as JobRecord),
        id: String(doc[keyField]),
      });
    }
    return records;
  }

  /** Writes the claimed record, conditional on the claim it was read under. */
  private async writeClaimed(record: JobRecord, change: Partial<JobRecord>): Promise<ClaimOutcome> {
    const next = { ...record, ...change } as JobRecord;
    const doc = withKey(this.collection, record.id, next as unknown as JsonObject);
    const expect = { field: claimField, value: record.claim };
    const status = await writeLedgerDoc(this.collection, { type: 'replace', doc, expect });
    if (status === 'ok') return { claimed: next };
    // A later claim got in between our read of the record and our claim: it runs the job.
    const current = await this.get(record.id);
    if (current.owner) return { heldBy: current.owner, record: current };
    throw claimedSince(current);
  }

  private async readClaim(key: string): Promise<JobClaim | undefined> {
    const doc = await readLedgerDoc(this.collection, key);
    return doc && (withoutKey(this.collection, doc) as unknown as JobClaim);
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

const claimField = 'claim';
/** Claims by dead processes skipped before giving up: each is a process that died mid-claim. */
const maxStaleClaims = 20;
/** Marks a claim document, so listing skips it. */
const claimOfField = 'claimOf';

/** The key of claim `token` of job `id`: the token zero-padded, as lease generations are. */
function claimKey(id: string, token: number): string {
  return `${id}#claim#${String(token).padStart(12, '0')}`;
}

function claimedSince(current: JobRecord): StewardError {
  const where = current.owner ? ` by process ${current.owner.pid} on ${current.owner.host}` : '';
  return new StewardError(
    'job.conflict',
    `job ${current.id} was claimed${where} (claim ${current.claim ?? 'none'}): this process no longer runs it`,
    { job: current.id, status: current.status },
  );
}
