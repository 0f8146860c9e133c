import { getPath, isScalar, type JsonObject, type JsonValue, type Scalar } from '../core/json.js';
import { StewardError } from '../errors/steward-error.js';
import { type Clock, systemClock } from '../ledger/clock.js';
import type { Ledger } from '../ledger/ledger.js';
import { scanDocuments } from '../stores/scan-pages.js';
import { type Collection, type DocKey, docKey, type WriteOp } from '../stores/store.js';
import { checkpointedPages, type DerivedJobOptions, type JobCounters } from './checkpointed-pages.js';
import type { ResolvedDerived } from './derived.js';
import { refuseElements } from './dual-run.js';
import { ContentHash, reportHashOf, shadowField } from './dual-run-report.js';
import { saveLedgerStamps, stampSet } from './projection-metadata.js';
import { rebuildJobName } from './rebuild-derived.js';
import { saveBeforeImages } from './write-derived.js';

export interface CutoverInput extends Omit<DerivedJobOptions, 'ledger'> {
  readonly derived: ResolvedDerived;
  readonly target: Collection;
  readonly ledger: Ledger;
  /** The accepted dual-run report hash (`dr-...`). */
  readonly report: string;
  readonly batch?: number;
  readonly clock?: Clock;
  readonly onBatch?: (report: CutoverReport) => void | Promise<void>;
}

/** What a cutover did. */
export interface CutoverReport {
  readonly derived: string;
  readonly version: number;
  readonly reportHash: string;
  examined: number;
  /** Documents whose shadow value became the value in place. */
  switched: number;
  /** Documents without a shadow: switched by an earlier run, or without a new value (orphan, failed). */
  withoutShadow: number;
  /** Documents changed since they were read (the write's expectation failed) or not scalar. */
  skipped: number;
  readonly problems: { key: DocKey; reason: string }[];
  resumedAt?: number;
}

/**
 * Switches a derived state to the projection version a dual run built beside it, only when the
 * report accepted is the one the data gives now: first (once per job) the values in place and in
 * the shadow are hashed again as the dual run did, and a different report hash refuses the cutover
 * (the data changed since the report was read, or it is another run's report). Then, batch by
 * batch and checkpointed: before-images, one bulk write of patches that set the value to the
 * shadow's, stamp the projection metadata with the new `projectionVersion` and remove the shadow,
 * each conditional on the value in place being what was read. A kill resumes after the last batch
 * done, without verifying again (the switched documents no longer match the report).
 */
export async function cutover(input: CutoverInput): Promise<CutoverReport> {
  const { derived } = input;
  refuseElements(derived, 'a cutover');
  const shadow = shadowField(derived.field, derived.version);
  const report: CutoverReport = {
    derived: derived.name,
    version: derived.version,
    reportHash: input.report,
    examined: 0,
    switched: 0,
    withoutShadow: 0,
    skipped: 0,
    problems: [],
  };
  const counters: JobCounters = {
    read: () => ({
      examined: report.examined,
      switched: report.switched,
      withoutShadow: report.withoutShadow,
      skipped: report.skipped,
    }),
    restore: (saved) => {
      for (const n of ['examined', 'switched', 'withoutShadow', 'skipped'] as const) {
        const value = saved[n];
        if (typeof value === 'number') report[n] = value;
      }
    },
    start: () => verifyReport(input, shadow),
  };
  const job = `${rebuildJobName('cutover', derived, [])}:${input.report}`;
  const { resumedAt } = await checkpointedPages(
    input,
    job,
    input.target,
    { limit: input.batch ?? 500 },
    counters,
    async (docs) => {
      await cutoverPage(input, shadow, docs, report);
      await input.onBatch?.(report);
    },
  );
  if (resumedAt > 0) report.resumedAt = resumedAt;
  await input.ledger.audit.append({
    action: 'derived.cutover.done',
    subject: derived.name,
    details: {
      reportHash: input.report,
      projectionVersion: derived.version,
      switched: report.switched,
      skipped: report.skipped,
    },
  });
  return report;
}

/** Hashes the values in place and in the shadow as the dual run did; refuses another report. */
async function verifyReport(input: CutoverInput, shadow: string): Promise<void> {
  const { derived } = input;
  const hash = new ContentHash();
  let documents = 0;
  for await (const doc of scanDocuments(input.target, { limit: 1000 })) {
    const key = docKey(doc, input.target.spec);
    if (key === undefined) continue;
    documents++;
    hash.add(key, getPath(doc, derived.field) ?? null, getPath(doc, shadow) ?? null);
  }
  const now = reportHashOf({
    derived: derived.name,
    field: derived.field,
    shadow,
    version: derived.version,
    documents,
    contentHash: hash.hex(),
  });
  if (now !== input.report)
    throw new StewardError(
      'findings',
      `${derived.name}: the data now gives report ${now}, not the accepted ${input.report}: the values changed since that dual run, ` +
        `or the report is of another run or version. Run "steward derived dual-run ${derived.name}" again, review it and accept its report.`,
      { derived: derived.name, accepted: input.report, now },
    );
}

async function cutoverPage(
  input: CutoverInput,
  shadow: string,
  docs: readonly JsonObject[],
  report: CutoverReport,
): Promise<void> {
  const { derived } = input;
  const now = new Date((input.clock ?? systemClock)()).toISOString();
  const rows: { key: DocKey; doc: JsonObject; from: JsonValue | undefined; to: JsonValue }[] = [];
  for (const doc of docs) {
    const key = docKey(doc, input.target.spec);
    if (key === undefined) continue;
    report.examined++;
    const to = getPath(doc, shadow);
    const from = getPath(doc, derived.field);
    if (to === undefined) report.withoutShadow++;
    else if (from !== undefined && !isScalar(from)) skip(report, key, 'not-scalar');
    else rows.push({ key, doc, from, to });
  }
  if (rows.length === 0) return;
  await saveBeforeImages({ ...input, by: 'cutover', now }, rows);
  const stamp = { projectedAt: now, projectionVersion: derived.version, by: 'cutover' };
  const ops: WriteOp[] = rows.map(({ key, from, to }) => ({
    type: 'patch',
    key,
    set: { [derived.field]: to, ...stampSet(derived, stamp) },
    unset: [shadow],
    expect: { field: derived.field, value: from as Scalar | undefined },
  }));
  const results = await input.target.write(ops);
  await saveLedgerStamps(
    derived,
    input.ledger,
    rows.filter((_, i) => results[i]?.status === 'ok').map(({ key }) => ({ key, stamp })),
  );
  results.forEach((r, i) => {
    if (r.status === 'ok') report.switched++;
    else skip(report, rows[i]!.key, r.status === 'conflict' ? 'changed' : r.status);
  });
  await input.ledger.audit.append({
    action: 'derived.cutover',
    subject: derived.name,
    details: {
      reportHash: input.report,
      projectionVersion: derived.version,
      switched: results.filter((r) => r.status === 'ok').length,
      keys: rows.slice(0, 100).map((r) => r.key) as JsonValue,
    },
  });
}

function skip(report: CutoverReport, key: DocKey, reason: string): void {
  report.skipped++;
  if (report.problems.length < 1000) report.problems.push({ key, reason });
}
