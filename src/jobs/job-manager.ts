import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ResolvedConfig } from '../config/resolved-config.js';
import type { JsonObject, JsonValue } from '../core/json.js';
import { isStewardError, StewardError } from '../errors/steward-error.js';
import { type Clock, systemClock } from '../ledger/clock.js';
import type { ClaimOutcome, JobOwner, JobPage, JobRecord, JobStatus } from '../ledger/job-records.js';
import { migrateLease } from '../migrations/apply/apply-context.js';
import { countDocuments } from '../workspace/documents.js';
import { type LedgerSession, openLedgerSession } from '../workspace/ledger-session.js';
import { migratePlanRead } from '../workspace/migrations/migrate-plan.js';
import { actorFromEnv } from '../workspace/run-options.js';
import { checkJobInput } from './check-job-input.js';
import { isJobKind, type JobKind, jobKindDefinitions, jobKinds } from './job-kinds.js';
import { RunningJob, type WriteRates } from './running-job.js';

/** How a job manager runs. */
export interface JobManagerOptions extends Partial<WriteRates> {
  /** Who acts when `start` is not told: default `STEWARD_ACTOR`, else `user@host`. */
  readonly actor?: string;
  /** A job of another host counts as dead when its record was not written for this long. Default 60 s. */
  readonly staleAfterMs?: number;
  /** The longest a resumed job waits for the lease a killed run left. Default 5 min. */
  readonly maxLeaseWaitMs?: number;
  readonly clock?: Clock;
  /** Told each time a job starts running or stops (paused, succeeded, failed, interrupted): for logs. */
  readonly onChange?: (job: JobRecord) => void;
}

/** What `recover` does with the jobs a killed process left running. */
export interface RecoverOptions {
  /** Resume them (default), or only mark them `interrupted`, for an explicit `resume` call. */
  readonly resume?: boolean;
}

const resumable: readonly JobStatus[] = ['paused', 'interrupted', 'failed'];
/** A job result larger than this is stored as a summary: a ledger document must stay small. */
const maxResultChars = 200_000;

/**
 * Runs library entry points (migrate apply and rollback, refs scan and repair, drift check and
 * repair) as background jobs, and lets callers follow, pause and resume them. A job is not tied to
 * whoever started it: it runs until it ends, is paused, or the process stops. Every job is a
 * record in the ledger (`ledger.jobs`), with its progress written at a bounded rate, so any
 * process sharing the ledger sees it.
 *
 * Jobs call the same entry points as the CLI, under the same leases and checkpoints: a CLI run
 * and a job on the same collections exclude each other (the later one fails with `lease.held`;
 * a migration job is refused at start while the `migrate` lease is held). Pausing aborts the
 * job's signal: it stops after the batch in flight, checkpointed, and `resume` runs the same input
 * again, which goes on from the checkpoint. After a crash, `recover()` marks the jobs a dead
 * process left running as `interrupted` and resumes them (they first wait for the lease the
 * killed run left to expire).
 */
export class JobManager {
  private readonly active = new Map<string, RunningJob>();
  private readonly owner: JobOwner;
  private readonly clock: Clock;
  private readonly rates: WriteRates;
  private closing = false;

  private constructor(
    readonly config: ResolvedConfig,
    private readonly session: LedgerSession,
    private readonly options: JobManagerOptions,
  ) {
    this.owner = { host: hostname(), pid: process.pid, instance: randomBytes(6).toString('hex') };
    openInstances.add(this.owner.instance);
    this.clock = options.clock ?? systemClock;
    this.rates = {
      progressIntervalMs: options.progressIntervalMs ?? 1000,
      heartbeatMs: options.heartbeatMs ?? 15_000,
    };
  }

  /** Opens the config's ledger and keeps it open until `close()`. */
  static async open(config: ResolvedConfig, options: JobManagerOptions = {}): Promise<JobManager> {
    const session = await openLedgerSession(config, options.actor ?? actorFromEnv());
    return new JobManager(config, session, options);
  }

  /**
   * Checks the input (`input.invalid` naming the field; nothing is recorded), refuses a migration
   * while another run holds the `migrate` lease (`lease.held`), records the job and starts it in
   * the background. Returns the record as it starts; follow it with `get`.
   */
  async start(kind: string, input: unknown = {}, options: { actor?: string } = {}): Promise<JobRecord> {
    if (this.closing) throw new StewardError('job.conflict', 'the job manager is shutting down');
    if (!isJobKind(kind))
      throw new StewardError('input.invalid', `unknown job kind "${kind}": one of ${jobKinds.join(', ')}`, {
        field: 'kind',
      });
    const checked = checkJobInput(kind, this.config, input);
    await this.refuseHeldMigrateLease(kind);
    const planHash = kind === 'migrate.apply' ? (await migratePlanRead(this.config)).hash : undefined;
    const now = this.now();
    const record: JobRecord = {
      id: `job-${this.clock().toString(36)}-${randomBytes(4).toString('hex')}`,
      kind,
      input: checked,
      actor: options.actor ?? this.options.actor ?? actorFromEnv(),
      status: 'queued',
      progress: { done: 0, at: now },
      ...(planHash === undefined ? {} : { planHash }),
      runs: 0,
      createdAt: now,
      updatedAt: now,
    };
    await this.session.ledger.jobs.put(record);
    return this.launch(record, false);
  }

  /** The job's record, with live progress when it runs in this process; `job.unknown` if none. */
  async get(id: string): Promise<JobRecord> {
    return this.active.get(id)?.live() ?? this.session.ledger.jobs.get(id);
  }

  /** Job records newest first, paged (see `JobRecords.list`), live progress for those running here. */
  async list(options: { limit?: number; after?: string; status?: JobStatus } = {}): Promise<JobPage> {
    const page = await this.session.ledger.jobs.list(options);
    return { ...page, jobs: page.jobs.map((r) => this.active.get(r.id)?.live() ?? r) };
  }

  /** The jobs running in this process, with live progress; of one kind when given. */
  running(kind?: JobKind): JobRecord[] {
    return [...this.active.values()]
      .map((j) => j.live())
      .filter((r) => kind === undefined || r.kind === kind);
  }

  /**
   * Pauses a running job: aborts its signal, waits for it to stop after the batch in flight
   * (checkpointed) and returns its record, status `paused`. `job.conflict` when it is not running
   * in this process, or its kind cannot be paused (`refs.repair`).
   */
  async pause(id: string): Promise<JobRecord> {
    const job = this.active.get(id);
    if (!job) {
      const record = await this.session.ledger.jobs.get(id);
      throw new StewardError(
        'job.conflict',
        `job ${id} is ${record.status}${this.elsewhere(record)}: only a job running here can be paused`,
        {
          job: id,
          status: record.status,
        },
      );
    }
    if (!jobKindDefinitions[job.record.kind as JobKind].pausable)
      throw new StewardError(
        'job.conflict',
        `a ${job.record.kind} job cannot be paused; it runs to its end`,
        {
          job: id,
        },
      );
    job.stopReason = 'pause';
    job.controller.abort();
    return this.settled(id);
  }

  /**
   * Starts a paused, interrupted or failed job again with the same input: it goes on from its
   * checkpoint. Also a job left `running` by a process that is gone. `job.conflict` otherwise.
   */
  async resume(id: string): Promise<JobRecord> {
    if (this.active.has(id))
      throw new StewardError('job.conflict', `job ${id} is already running`, { job: id, status: 'running' });
    const record = await this.session.ledger.jobs.get(id);
    const orphaned = (record.status === 'running' || record.status === 'queued') && this.ownerGone(record);
    if (!resumable.includes(record.status) && !orphaned) {
      throw new StewardError(
        'job.conflict',
        `job ${id} is ${record.status}${this.elsewhere(record)}: it cannot be resumed`,
        {
          job: id,
          status: record.status,
        },
      );
    }
    const afterCrash = record.status === 'interrupted' || orphaned;
    if (!afterCrash) await this.refuseHeldMigrateLease(record.kind as JobKind);
    const outcome = await this.claim(record);
    if ('heldBy' in outcome)
      throw new StewardError(
        'job.conflict',
        `job ${id} is ${outcome.record.status}${this.elsewhere(outcome.record)}: another process resumed it first`,
        { job: id, status: outcome.record.status },
      );
    return this.launch(outcome.claimed, afterCrash);
  }

  /**
   * Finds the jobs a process that is gone left `queued` or `running` (same host: its pid is dead;
   * another host: its record was not written for `staleAfterMs`) and marks them `interrupted`;
   * then, unless told not to, resumes every `interrupted` job (those, and those a closing manager
   * stopped). Resuming claims the job in the ledger first (see `JobRecords.claim`), so of several
   * managers recovering at once on one ledger exactly one resumes each job. Returns the jobs it
   * marked or resumed, then those running in another live process (claimed first by another
   * manager, or running there all along), as that process recorded them: tell them apart with
   * {@link runsHere}. `steward serve` calls it on start.
   */
  async recover(options: RecoverOptions = {}): Promise<JobRecord[]> {
    const all = await this.session.ledger.jobs.all();
    const live = (r: JobRecord) =>
      (r.status === 'running' || r.status === 'queued') && !this.active.has(r.id);
    const left = all.filter((r) => live(r) && this.ownerGone(r));
    const elsewhere = all.filter((r) => live(r) && !this.ownerGone(r));
    const recovered: JobRecord[] = [];
    for (const record of left) {
      const interrupted: JobRecord = { ...record, status: 'interrupted', updatedAt: this.now() };
      try {
        await this.session.ledger.jobs.put(interrupted);
        recovered.push(interrupted);
      } catch (error) {
        // Claimed by another manager since we read it: it runs there now.
        if (!isStewardError(error, 'job.conflict')) throw error;
        elsewhere.push(await this.session.ledger.jobs.get(record.id));
      }
    }
    if (options.resume === false) return [...recovered, ...elsewhere];
    // Also those a stopping server left `interrupted` (see `close`), or an earlier recover({ resume: false }).
    const stopped = all.filter((r) => r.status === 'interrupted' && !this.active.has(r.id));
    const resumed: JobRecord[] = [];
    for (const record of [...recovered, ...stopped]) {
      const outcome = await this.claim(record);
      if ('claimed' in outcome) resumed.push(await this.launch(outcome.claimed, true));
      else elsewhere.push(outcome.record);
    }
    return [...resumed, ...elsewhere];
  }

  /** True when this manager runs (or last ran) the job: its record names this manager as owner. */
  runsHere(record: JobRecord): boolean {
    return record.owner?.instance === this.owner.instance;
  }

  /** Waits until the job stops running in this process; its record then. */
  async settled(id: string): Promise<JobRecord> {
    const job = this.active.get(id);
    if (job) await job.ended;
    return this.get(id);
  }

  /**
   * Stops every job running here at its next batch boundary (status `interrupted`, so the next
   * `recover()` resumes them), waits for them, and closes the ledger. A `refs.repair` job, which
   * cannot stop midway, is waited for.
   */
  async close(): Promise<void> {
    this.closing = true;
    for (const job of this.active.values()) {
      job.stopReason ??= 'shutdown';
      job.controller.abort();
    }
    await Promise.allSettled([...this.active.values()].map((j) => j.ended));
    openInstances.delete(this.owner.instance);
    await this.session.close();
  }

  private launch(record: JobRecord, afterCrash: boolean): Promise<JobRecord> {
    const job = new RunningJob(record, this.session.ledger.jobs, this.clock, this.rates);
    this.active.set(record.id, job);
    const started = job.update({
      status: 'running',
      runs: record.runs + 1,
      owner: this.owner,
      startedAt: this.now(),
      error: undefined,
      result: undefined,
      finishedAt: undefined,
    });
    job.ended = started
      .then(() => this.options.onChange?.(job.live()))
      .then(() => this.execute(job, afterCrash))
      .then(() => this.options.onChange?.(job.record))
      .finally(() => this.active.delete(record.id));
    return started.then(() => job.live());
  }

  /** Runs the job to its end and records how it ended; never throws. */
  private async execute(job: RunningJob, afterCrash: boolean): Promise<void> {
    const definition = jobKindDefinitions[job.record.kind as JobKind];
    try {
      const result = await this.runOnce(job, afterCrash);
      const stopped = definition.paused(result);
      const planHash = definition.planHash(result) ?? job.record.planHash;
      await job.finish({
        status: stopped ? this.stoppedStatus(job) : 'succeeded',
        result: storable(result),
        ...(planHash === undefined ? {} : { planHash }),
      });
    } catch (error) {
      if (job.stopReason !== undefined && isStewardError(error, 'aborted')) {
        await job.finish({ status: this.stoppedStatus(job) });
        return;
      }
      await job.finish({ status: 'failed', error: errorOf(error) });
    }
  }

  /** Calls the entry point; after a crash, waits once for the lease the killed run left. */
  private async runOnce(job: RunningJob, afterCrash: boolean): Promise<unknown> {
    try {
      return await this.call(job);
    } catch (error) {
      const until = isStewardError(error, 'lease.held') ? Number(error.details.expiresAt) : Number.NaN;
      const waitMs = until - this.clock() + 500;
      if (!afterCrash || !(waitMs > 0) || waitMs > (this.options.maxLeaseWaitMs ?? 300_000)) throw error;
      job.step({
        stage: `waiting for the lease of the interrupted run (until ${new Date(until).toISOString()})`,
      });
      await sleep(waitMs, undefined, { signal: job.controller.signal }).catch(() => {
        throw new StewardError('aborted', 'stopped on request while waiting for a lease');
      });
      return this.call(job);
    }
  }

  private call(job: RunningJob): Promise<unknown> {
    const definition = jobKindDefinitions[job.record.kind as JobKind];
    const counting = new Set<string>();
    return definition.run(this.config, job.record.input, {
      actor: job.record.actor,
      signal: job.controller.signal,
      onProgress: (event) => {
        const step = definition.progress(event, this.config);
        if (!step) return;
        job.step(step);
        if (step.part !== undefined && step.collection !== undefined && !counting.has(step.part)) {
          counting.add(step.part);
          this.countTotal(job, step.part, step.collection);
        }
      },
    });
  }

  /** Counts (an estimate where the store has one) a part's collection in the background, for the ETA. */
  private countTotal(job: RunningJob, part: string, collection: string): void {
    countDocuments(this.config, { collection, estimate: true }).then(
      (r) => job.setTotal(part, r.count),
      () => undefined, // no total: progress without an ETA
    );
  }

  private stoppedStatus(job: RunningJob): JobStatus {
    return job.stopReason === 'shutdown' ? 'interrupted' : 'paused';
  }

  /** `lease.held` when a migration would start while another run holds the `migrate` lease. */
  private async refuseHeldMigrateLease(kind: JobKind): Promise<void> {
    if (!jobKindDefinitions[kind].migration) return;
    const lease = await this.session.ledger.readLease(migrateLease);
    if (!lease || lease.expiresAt <= this.clock()) return;
    throw new StewardError(
      'lease.held',
      `lease "${migrateLease}" is held by ${lease.holder} until ${new Date(lease.expiresAt).toISOString()}; ` +
        'a migration is running: wait for it to finish, then start again',
      { lease: migrateLease, holder: lease.holder, expiresAt: lease.expiresAt },
    );
  }

  /**
   * Claims the job for this manager in the ledger before it resumes it: `heldBy` when another
   * live manager claimed it first. A claim whose process is gone (it died between claiming and
   * writing the record) is passed over.
   */
  private claim(record: JobRecord): Promise<ClaimOutcome> {
    return this.session.ledger.jobs.claim(
      record,
      this.owner,
      { status: 'running', updatedAt: this.now() },
      (claim) => claim.owner.instance !== this.owner.instance && this.processGone(claim.owner, claim.at),
    );
  }

  /** True when the process that ran the record is gone (see {@link recover}). */
  private ownerGone(record: JobRecord): boolean {
    const owner = record.owner;
    if (!owner) return true;
    if (owner.instance === this.owner.instance) return !this.active.has(record.id);
    return this.processGone(owner, record.updatedAt);
  }

  /** Another manager's process is gone: its pid is dead here, or on another host it was silent too long. */
  private processGone(owner: JobOwner, lastWrite: string): boolean {
    if (owner.host !== this.owner.host)
      return this.clock() - Date.parse(lastWrite) > (this.options.staleAfterMs ?? 60_000);
    // Our pid: a manager of this process, or of an earlier process that had our pid (a container's pid 1).
    if (owner.pid === process.pid) return !openInstances.has(owner.instance);
    return !processAlive(owner.pid);
  }

  private elsewhere(record: JobRecord): string {
    return record.status === 'running' && record.owner
      ? ` in process ${record.owner.pid} on ${record.owner.host}`
      : '';
  }

  private now(): string {
    return new Date(this.clock()).toISOString();
  }
}

/** The managers open in this process, by instance: a record of our pid names one of them or a dead process. */
const openInstances = new Set<string>();

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function errorOf(error: unknown): { code: string; message: string } {
  if (isStewardError(error)) return { code: error.code, message: error.message };
  return { code: 'internal', message: error instanceof Error ? error.message : String(error) };
}

/** The result as JSON; a summary of its top-level fields when it is too large for a ledger document. */
function storable(result: unknown): JsonValue {
  const text = JSON.stringify(result ?? null);
  if (text.length <= maxResultChars) return JSON.parse(text) as JsonValue;
  const summary: JsonObject = { truncated: true, chars: text.length };
  for (const [k, v] of Object.entries(result as Record<string, unknown>)) {
    if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) summary[k] = v as JsonValue;
  }
  return summary;
}
