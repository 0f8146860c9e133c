import { getPath, type JsonObject, type JsonValue } from '../core/json.js';
import { StewardError } from '../errors/steward-error.js';
import type { Ledger } from '../ledger/ledger.js';
import { type Collection, docKey, type WriteOp } from '../stores/store.js';
import { checkpointedPages, type DerivedJobOptions, type JobCounters } from './checkpointed-pages.js';
import type { ResolvedDerived } from './derived.js';
import {
  ContentHash,
  type DualRunDifference,
  type DualRunReport,
  reportHashOf,
  sampleSize,
  shadowField,
} from './dual-run-report.js';
import { readStamps } from './projection-metadata.js';
import { rebuildJobName } from './rebuild-derived.js';
import { isFoldable, sameValue } from './recompute.js';
import { type AggregateMap, buildAggregateMap, recomputePage } from './source-values.js';

export interface DualRunInput extends Omit<DerivedJobOptions, 'ledger'> {
  /** The declaration at the version being proven: its transform and `version` are the new ones. */
  readonly derived: ResolvedDerived;
  readonly target: Collection;
  readonly source: Collection;
  readonly ledger: Ledger;
  readonly batch?: number;
  readonly onBatch?: (report: DualRunReport) => void | Promise<void>;
}

/**
 * A dual run proves a new version beside the one in place, so the declared version must be
 * above the version the values in place were written by: at least 1, or the highest
 * `projectionVersion` stamped in the first page of documents (a cutover stamps every document, so
 * one page tells). Without that check a run at the same version writes a shadow field into every
 * document and compares the logic with itself.
 */
async function refuseWithoutNewVersion(
  derived: ResolvedDerived,
  target: Collection,
  ledger: Ledger,
): Promise<void> {
  let inPlace = 1;
  if (derived.version > inPlace) {
    const page = await target.scan({ limit: 500 });
    const keyed = page.docs.flatMap((doc) => {
      const key = docKey(doc, target.spec);
      return key === undefined ? [] : [{ key, doc }];
    });
    for (const stamp of (await readStamps(derived, ledger, keyed)).values()) {
      const stamped = stamp.projectionVersion;
      if (typeof stamped === 'number' && stamped > inPlace) inPlace = stamped;
    }
  }
  if (derived.version <= inPlace)
    throw new StewardError(
      'usage',
      `${derived.name} is declared at version ${derived.version}, and its values in place were written by version ${inPlace}: ` +
        `a dual run proves a new version; declare the new logic with version: ${inPlace + 1} (drift check compares the values with the current logic)`,
      { derived: derived.name, version: derived.version, inPlace },
    );
}

/**
 * Dual-run compare: builds projection version N+1 beside version N and
 * compares them. The declaration already holds the new logic (its transform, `version: N+1`); the
 * values in place are version N. Each derived document gets the new value in a shadow field,
 * `<field>__v<N+1>`, and is compared with the value in place; the report counts equal and
 * different documents, samples the differences and ends with a report hash that
 * `derived cutover` needs. The values consumers read are not touched: dropping the shadow
 * (`--drop`) undoes the run.
 *
 * Batched and checkpointed like a rebuild (see `checkpointed-pages.ts`): a killed run resumes, and a
 * rerun writes only shadows that are not already right. One audit record per batch that wrote.
 */
export async function dualRun(input: DualRunInput): Promise<DualRunReport> {
  const { derived } = input;
  if (derived.snapshot)
    throw new StewardError(
      'usage',
      `${derived.name} is a snapshot: its values are history, not a projection to prove a new version of`,
      { derived: derived.name },
    );
  refuseElements(derived, 'a dual run');
  await refuseWithoutNewVersion(derived, input.target, input.ledger);
  const report = emptyDualRunReport(derived);
  const hash = { value: new ContentHash() };
  const map =
    derived.source.link.by === 'key' && isFoldable(derived.transform)
      ? await buildAggregateMap(derived, input.source)
      : undefined;
  const job = rebuildJobName('dual-run', derived, []);
  const { resumedAt } = await checkpointedPages(
    input,
    job,
    input.target,
    { limit: input.batch ?? 500 },
    dualRunCounters(report, hash),
    async (docs) => {
      await dualRunPage(input, docs, map, report, hash.value);
      await input.onBatch?.(report);
    },
  );
  report.contentHash = hash.value.hex();
  report.reportHash = reportHashOf(report);
  if (resumedAt > 0) report.resumedAt = resumedAt;
  await input.ledger.audit.append({
    action: 'derived.dual-run',
    subject: derived.name,
    details: {
      version: derived.version,
      shadow: report.shadow,
      documents: report.documents,
      equal: report.equal,
      different: report.different,
      orphans: report.orphans,
      failed: report.failed,
      reportHash: report.reportHash,
    },
  });
  return report;
}

async function dualRunPage(
  input: DualRunInput,
  docs: readonly JsonObject[],
  map: AggregateMap | undefined,
  report: DualRunReport,
  hash: ContentHash,
): Promise<void> {
  const { derived } = input;
  const rows = await recomputePage(derived, input.target.spec, docs, input.source, map);
  const ops: WriteOp[] = [];
  for (const { key, doc, expected } of rows) {
    report.documents++;
    const current = getPath(doc, derived.field) ?? null;
    const shadow = getPath(doc, report.shadow);
    let next: JsonValue = null;
    if (expected.status === 'value') {
      next = expected.value;
      if (shadow === undefined || !sameValue(shadow, next))
        ops.push({ type: 'patch', key, set: { [report.shadow]: next } });
      if (sameValue(current, next)) report.equal++;
      else {
        report.different++;
        if (report.sample.length < sampleSize) report.sample.push({ key, current, next });
      }
    } else {
      // A copy with no link has no source, as one whose source is gone: no value to switch to.
      report[expected.status === 'failed' ? 'failed' : 'orphans']++;
      // No new value: a shadow left by an earlier run would be switched in by mistake.
      if (shadow !== undefined) ops.push({ type: 'patch', key, unset: [report.shadow] });
    }
    hash.add(key, current, next);
  }
  if (ops.length === 0) return;
  const results = await input.target.write(ops);
  const written = results.filter((r) => r.status === 'ok').length;
  report.written += written;
  await input.ledger.audit.append({
    action: 'derived.dual-run.batch',
    subject: derived.name,
    details: {
      shadow: report.shadow,
      written,
      keys: ops.slice(0, 100).map((o) => (o as { key: JsonValue }).key),
    },
  });
}

function emptyDualRunReport(derived: ResolvedDerived): DualRunReport {
  return {
    derived: derived.name,
    field: derived.field,
    shadow: shadowField(derived.field, derived.version),
    version: derived.version,
    documents: 0,
    equal: 0,
    different: 0,
    orphans: 0,
    failed: 0,
    written: 0,
    sample: [],
    contentHash: '0',
    reportHash: '',
  };
}

const counted = ['documents', 'equal', 'different', 'orphans', 'failed', 'written'] as const;

/** The report's counts, sample and running hash, saved with each checkpoint. */
function dualRunCounters(report: DualRunReport, hash: { value: ContentHash }): JobCounters {
  return {
    read: () => {
      const saved: JsonObject = { examined: report.documents, contentHash: hash.value.hex() };
      for (const n of counted) saved[n] = report[n];
      saved.sample = report.sample as unknown as JsonValue;
      return saved;
    },
    restore: (saved) => {
      for (const n of counted) {
        const value = saved[n];
        if (typeof value === 'number') report[n] = value;
      }
      if (Array.isArray(saved.sample))
        report.sample.push(...(saved.sample as unknown as DualRunDifference[]).slice(0, sampleSize));
      if (typeof saved.contentHash === 'string') hash.value = new ContentHash(saved.contentHash);
    },
  };
}

/**
 * Dual run, cutover and backfill work on one value per document; a value in every element of an
 * array is rebuilt instead (`rebuild --all` writes only the values that differ, missing ones too).
 */
export function refuseElements(derived: ResolvedDerived, what: string): void {
  if (derived.element)
    throw new StewardError(
      'usage',
      `${derived.name} is a value in each element of an array: ${what} is not supported for it yet; use rebuild ${derived.name} --all`,
      { derived: derived.name },
    );
}
