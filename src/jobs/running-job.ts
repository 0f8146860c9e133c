import type { Clock } from '../ledger/clock.js';
import type { JobRecord, JobRecords } from '../ledger/job-records.js';
import { ProgressMeter, type ProgressStep } from './progress-meter.js';

/** How often a running job's progress reaches the ledger, at most, and its heartbeat. */
export interface WriteRates {
  /** At most one progress write per this many ms. Default 1000. */
  readonly progressIntervalMs: number;
  /** A running job's record is rewritten at least this often, so other hosts see it is alive. */
  readonly heartbeatMs: number;
}

/**
 * A job running in this process: its record, its AbortController, its progress meter, and the
 * queue of its ledger writes. Progress events only touch the meter; a timer writes the record at
 * most once per `progressIntervalMs` (and at least once per `heartbeatMs`), so a job writing a
 * thousand batches a second costs the ledger one write a second. Writes are chained, so the
 * ledger never sees an older state after a newer one.
 */
export class RunningJob {
  readonly controller = new AbortController();
  /** Why the signal was aborted: a pause asked for by a caller, or the manager shutting down. */
  stopReason: 'pause' | 'shutdown' | undefined;
  private readonly meter: ProgressMeter;
  private writes: Promise<void> = Promise.resolve();
  private dirty = false;
  private lastWrite = 0;
  private readonly timer: NodeJS.Timeout;
  /** Settles when the job has stopped and its last state is written. */
  ended: Promise<void> = Promise.resolve();
  /** The last ledger write that failed, if any (the store went away); the next write retries. */
  writeError: unknown;

  constructor(
    public record: JobRecord,
    private readonly records: JobRecords,
    private readonly clock: Clock,
    private readonly rates: WriteRates,
  ) {
    this.meter = new ProgressMeter(record.progress);
    this.timer = setInterval(() => this.tick(), rates.progressIntervalMs);
    this.timer.unref();
  }

  /** Takes a progress step from the job's events; it reaches the ledger with the next tick. */
  step(step: ProgressStep): void {
    if (this.meter.step(step, this.clock())) this.dirty = true;
  }

  setTotal(part: string, total: number): void {
    this.meter.setTotal(part, total);
    this.dirty = true;
  }

  /** The record with the progress as of now: what a caller following the job sees. */
  live(): JobRecord {
    return { ...this.record, progress: this.meter.snapshot(this.clock()) };
  }

  /** Changes the record and writes it (after the writes queued before). */
  update(change: Partial<JobRecord>): Promise<void> {
    const next: Record<string, unknown> = { ...this.live(), ...change, updatedAt: this.now() };
    // Fields set to undefined are removed: a ledger document holds JSON only.
    for (const [k, v] of Object.entries(next)) if (v === undefined) delete next[k];
    this.record = next as unknown as JobRecord;
    return this.write();
  }

  /** Stops the timer and writes the record's last state. */
  async finish(change: Partial<JobRecord>): Promise<JobRecord> {
    clearInterval(this.timer);
    await this.update({ ...change, finishedAt: this.now() });
    return this.record;
  }

  private tick(): void {
    const now = this.clock();
    if (!this.dirty && now - this.lastWrite < this.rates.heartbeatMs) return;
    void this.update({});
  }

  private write(): Promise<void> {
    const record = this.record;
    this.dirty = false;
    this.lastWrite = this.clock();
    this.writes = this.writes.then(async () => {
      try {
        await this.records.put(record);
        this.writeError = undefined;
      } catch (error) {
        this.writeError = error;
        this.dirty = true;
      }
    });
    return this.writes;
  }

  private now(): string {
    return new Date(this.clock()).toISOString();
  }
}
