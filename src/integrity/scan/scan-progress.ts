import { isJsonObject, type JsonObject } from '../../core/json.js';
import { type DocKey, isDocKey, keyId } from '../../stores/store.js';
import type { Verdict } from './classify-reference.js';
import { type DistinctCount, DistinctCounter } from './distinct-counter.js';
import type { ReverifyOutcome } from './reverify-incidents.js';

/** Orphan source keys a report lists; the counts are never limited by it. */
export const orphanSampleSize = 20;

/**
 * Characters of key ids counted exactly before estimating: distinct target keys are many and
 * only indicative (about 500 short keys), distinct missing keys are few and matter (about 7,000).
 * Both are saved in the checkpoint after every batch, which bounds them (DynamoDB items: 400 KB).
 */
export const exactBudgets = { targets: 8 * 1024, missing: 100 * 1024 } as const;

/** Running totals of one scan of one reference (one segment). They add up: every document has one outcome. */
export interface ScanCounters {
  scanned: number;
  ok: number;
  /** References holding null or an empty array (not orphans unless the reference is required). */
  nulls: number;
  absent: number;
  /** Documents with at least one referenced key missing in every form. */
  orphans: number;
  typeMismatches: number;
  /** Null or absent references of a `required` reference. */
  missingRequired: number;
  /** Target keys checked: each batch's distinct keys, summed (a key in two batches counts twice). */
  keysChecked: number;
  /**
   * Key lookups (`existingKeys`) on the target: at most one per batch, plus one for alternate key forms when
   * needed; fewer when keys seen to exist are remembered (see `known-keys.ts`), so a resumed scan,
   * which starts with nothing remembered, may make more than an uninterrupted one.
   */
  lookups: number;
  batches: number;
  incidentsOpened: number;
  incidentsUpdated: number;
}

const counterNames: readonly (keyof ScanCounters)[] = [
  'scanned',
  'ok',
  'nulls',
  'absent',
  'orphans',
  'typeMismatches',
  'missingRequired',
  'keysChecked',
  'lookups',
  'batches',
  'incidentsOpened',
  'incidentsUpdated',
];

/** Where a checkpointed scan stands: what it resumes from, and how the report is rebuilt exactly. */
export class ScanProgress {
  readonly counters: ScanCounters = Object.fromEntries(counterNames.map((n) => [n, 0])) as never;
  readonly orphanSample: DocKey[] = [];
  /** Resume token of the next page; null before the first batch and after the last. */
  after: string | null = null;
  complete = false;
  /** Time spent scanning, summed over the runs that made progress. */
  elapsedMs = 0;
  /** True when this run continued a checkpoint. */
  resumed = false;
  /** True once a page was checked inside the source's store (see `checked-pages.ts`). */
  pushedDown = false;
  /** Set once the scan is complete and the incidents it did not see were looked at again. */
  reverified: ReverifyOutcome | undefined;
  /**
   * Open incidents this run found unchanged and left as they are (see `KeepUnchanged` in
   * `ledger/incidents.ts`): seen by this scan though their `scanId` is an older one's. In memory
   * only: a resumed run re-verifies them at the end, and finds them still open.
   */
  readonly keptIncidents = new Set<string>();
  private targets = new DistinctCounter(exactBudgets.targets);
  private missing = new DistinctCounter(exactBudgets.missing);

  constructor(
    readonly scanId: string,
    readonly startedAt: string,
  ) {}

  /** Counts one document's outcome; `key` is undefined only for a document without a usable key. */
  tally(key: DocKey | undefined, verdict: Verdict): void {
    const c = this.counters;
    c.scanned++;
    switch (verdict.outcome) {
      case 'ok':
        c.ok++;
        break;
      case 'null':
        c.nulls++;
        break;
      case 'absent':
        c.absent++;
        break;
      case 'missing-required':
        c.missingRequired++;
        break;
      case 'type-mismatch':
        c.typeMismatches++;
        break;
      case 'orphan':
        c.orphans++;
        if (key !== undefined && this.orphanSample.length < orphanSampleSize) this.orphanSample.push(key);
        for (const missing of verdict.missing) this.missing.add(keyId(missing));
        break;
    }
  }

  /**
   * Notes a batch's distinct target keys: how many (`distinct`), and those its run had not met
   * before (`keys`; the distinct count takes each key once, so a key met again need not be added).
   */
  lookedUp(keys: readonly DocKey[], distinct: number, lookups: number): void {
    for (const key of keys) this.targets.addKey(key);
    this.counters.keysChecked += distinct;
    this.counters.lookups += lookups;
    this.counters.batches++;
  }

  /** Counts `count` documents found `ok` (not listed one by one: see `BatchCheck`). */
  tallyOk(count: number): void {
    this.counters.scanned += count;
    this.counters.ok += count;
  }

  /**
   * Counts `count` documents the store found `ok` itself (a pushed-down check), which are then
   * neither read nor classified here.
   */
  tallyResolved(count: number): void {
    this.counters.scanned += count;
    this.counters.ok += count;
  }

  distinctTargetKeys(): DistinctCount {
    return this.targets.count();
  }

  distinctMissingKeys(): DistinctCount {
    return this.missing.count();
  }

  /**
   * The checkpoint state, a copy: it is saved while the scan goes on (see `commit-queue.ts`).
   * `field` and `target` let a resume notice that the reference was declared anew meanwhile.
   */
  toState(where: { field: string; target: string }): JsonObject {
    return {
      version: 1,
      ...where,
      scanId: this.scanId,
      startedAt: this.startedAt,
      after: this.after,
      complete: this.complete,
      elapsedMs: Math.round(this.elapsedMs),
      counters: { ...this.counters },
      ...(this.pushedDown ? { pushedDown: true } : {}),
      orphanSample: [...this.orphanSample],
      targets: this.targets.toState(),
      missing: this.missing.toState(),
      ...(this.reverified ? { reverified: { ...this.reverified } } : {}),
    };
  }

  /** The progress a checkpoint holds, or undefined when it is of another shape or reference. */
  static fromState(state: JsonObject, where: { field: string; target: string }): ScanProgress | undefined {
    const { scanId, startedAt, counters } = state;
    if (state.version !== 1 || state.field !== where.field || state.target !== where.target) return undefined;
    if (typeof scanId !== 'string' || typeof startedAt !== 'string' || !isJsonObject(counters))
      return undefined;
    const progress = new ScanProgress(scanId, startedAt);
    for (const name of counterNames) {
      const value = counters[name];
      if (typeof value === 'number') progress.counters[name] = value;
    }
    progress.after = typeof state.after === 'string' ? state.after : null;
    progress.complete = state.complete === true;
    progress.elapsedMs = typeof state.elapsedMs === 'number' ? state.elapsedMs : 0;
    if (Array.isArray(state.orphanSample)) progress.orphanSample.push(...state.orphanSample.filter(isDocKey));
    progress.targets = DistinctCounter.fromState(state.targets, exactBudgets.targets);
    progress.missing = DistinctCounter.fromState(state.missing, exactBudgets.missing);
    const reverified = state.reverified;
    if (isJsonObject(reverified)) {
      const n = (name: string) => (typeof reverified[name] === 'number' ? (reverified[name] as number) : 0);
      progress.reverified = { checked: n('checked'), closed: n('closed'), stillOpen: n('stillOpen') };
    }
    progress.pushedDown = state.pushedDown === true;
    progress.resumed = true;
    return progress;
  }
}
