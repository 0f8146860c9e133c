import type { JobProgress } from '../ledger/job-records.js';

/**
 * One step of a job's progress, as a kind reads it from an event: the documents done so far in
 * one part of the job (a migration, a reference, a derived state; counts are cumulative per part,
 * resumed runs included), what it is at, and the collection whose size is the part's total.
 */
export interface ProgressStep {
  readonly part?: string;
  readonly done?: number;
  readonly stage?: string;
  /** The collection the part reads; its document count, once known, is the part's total. */
  readonly collection?: string;
}

/** How far back the rate looks: long enough to smooth batches, short enough to follow a throttle. */
const rateWindowMs = 10_000;

/**
 * Adds up a job's progress from its steps and works out its rate and ETA. Pure: the caller passes
 * the time. Parts keep their latest count, so an event repeated or a resumed run's counts (which
 * start from the checkpoint) never count twice.
 */
export class ProgressMeter {
  private readonly done = new Map<string, number>();
  private readonly totals = new Map<string, number>();
  private samples: { at: number; done: number }[] = [];
  private stage: string | undefined;

  constructor(from?: JobProgress) {
    if (from && from.done > 0) this.done.set('', from.done);
    this.stage = from?.stage;
  }

  /** Takes a step; returns true when it changed something. */
  step(step: ProgressStep, now: number): boolean {
    let changed = false;
    if (step.stage !== undefined && step.stage !== this.stage) {
      this.stage = step.stage;
      changed = true;
    }
    if (step.part !== undefined && step.done !== undefined && this.done.get(step.part) !== step.done) {
      // A part's first count replaces what an earlier run left as a whole ('').
      if (!this.done.has(step.part)) this.done.delete('');
      this.done.set(step.part, step.done);
      this.samples.push({ at: now, done: this.total() });
      this.samples = this.samples.filter((s) => s.at >= now - rateWindowMs);
      changed = true;
    }
    return changed;
  }

  /** Sets a part's total; the job's total is known once every part with a count has one. */
  setTotal(part: string, total: number): void {
    this.totals.set(part, total);
  }

  /** The progress now. */
  snapshot(now: number): JobProgress {
    const done = this.total();
    const total = this.knownTotal(done);
    const rate = this.rate();
    const eta = total !== undefined && rate !== undefined && rate > 0 ? (total - done) / rate : undefined;
    return {
      done,
      ...(total === undefined ? {} : { total }),
      ...(rate === undefined ? {} : { rate: round(rate) }),
      ...(eta === undefined ? {} : { etaSeconds: Math.ceil(eta) }),
      ...(this.stage === undefined ? {} : { stage: this.stage }),
      at: new Date(now).toISOString(),
    };
  }

  private total(): number {
    let sum = 0;
    for (const n of this.done.values()) sum += n;
    return sum;
  }

  private knownTotal(done: number): number | undefined {
    const parts = [...this.done.keys()].filter((p) => p !== '');
    if (parts.length === 0 || parts.some((p) => !this.totals.has(p))) return undefined;
    const sum = parts.reduce((n, p) => n + (this.totals.get(p) ?? 0), 0);
    return Math.max(sum, done);
  }

  private rate(): number | undefined {
    const first = this.samples[0];
    const last = this.samples.at(-1);
    if (!first || !last || last.at - first.at < 200) return undefined;
    return ((last.done - first.done) * 1000) / (last.at - first.at);
  }
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
