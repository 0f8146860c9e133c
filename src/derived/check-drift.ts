import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { keyFraction } from '../core/hash.js';
import type { JsonObject } from '../core/json.js';
import { systemClock } from '../ledger/clock.js';
import { keyId } from '../stores/store.js';
import { checkpointPass } from './checkpoint-pass.js';
import { type CheckDriftInput, compareAll } from './compare-drift.js';
import { type DriftReport, emptyReport, snapshotInfo } from './drift-report.js';
import { hashPasses } from './hash-pass.js';
import { isFoldable } from './recompute.js';
import { confirmedIncidents } from './record-drift.js';
import { closeResolvedIncidents } from './reverify-drift.js';
import { type AggregateMap, buildAggregateMap } from './source-values.js';
import { windowPass } from './window-pass.js';

export type { CheckDriftInput } from './compare-drift.js';

/**
 * Recomputes derived state from its source and compares it with what is stored, page by page of
 * the derived collection. Every mismatch is read again (document and source) before it counts, so
 * a write made while the check runs is not reported as drift; what is still wrong becomes a drift
 * incident (subject: the derived name), and open incidents of the derived state this check did not
 * confirm are checked once more and closed when they no longer drift. A value inside array elements
 * is compared element by element. A snapshot's differences from its source are counted apart
 * (`report.snapshot`), never drift; a snapshot missing where its source gives a value is the
 * finding instead.
 *
 * `exact` compares every document; `sampling` a deterministic fraction by key hash; `hash` first
 * compares per-group hashes of (key, stored) and (key, expected) and then compares one by one only
 * the documents of groups whose hashes differ (see `hash-pass.ts`); `window` only the derived
 * documents whose source changed in the last N days (see `window-pass.ts`); `checkpoint` only
 * those whose stored source version is behind the latest (see `checkpoint-pass.ts`).
 */
export async function checkDrift(input: CheckDriftInput): Promise<DriftReport> {
  const started = performance.now();
  const clock = input.clock ?? systemClock;
  const method = input.method ?? 'exact';
  const report = emptyReport(
    input.derived.name,
    method,
    `drift-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`,
  );
  await input.ledger.openCollection('incidents');
  if (input.derived.snapshot) snapshotInfo(report);
  if (method === 'window') await windowPass(input, report, clock);
  else if (method === 'checkpoint') await checkpointPass(input, report, clock);
  else if (method === 'hash') await hashPasses(input, await aggregateMapFor(input), report, clock);
  else {
    const keep = method === 'sampling' ? sampler(input) : undefined;
    await compareAll(input, await aggregateMapFor(input), report, clock, keep);
  }
  const incidents = input.ledger.collection('incidents');
  const seen = confirmedIncidents(report);
  // A check stopped part way has not seen every document: an incident it did not meet may still hold.
  if (!report.interrupted)
    report.incidents.closed = await closeResolvedIncidents(input, incidents, seen, clock);
  report.elapsedMs = performance.now() - started;
  await input.ledger.audit.append({
    action: 'derived.drift-check',
    subject: input.derived.name,
    details: {
      scanId: report.scanId,
      method,
      checked: report.checked,
      drift: report.drift,
      ...(report.snapshot
        ? { snapshotDiffers: report.snapshot.differsFromSource, snapshotMissing: report.snapshot.missing }
        : {}),
      orphans: report.orphans,
      failed: report.failed,
      opened: report.incidents.opened,
      closed: report.incidents.closed,
      ...(report.interrupted ? { interrupted: true } : {}),
    },
  });
  return report;
}

async function aggregateMapFor(input: CheckDriftInput): Promise<AggregateMap | undefined> {
  const { derived } = input;
  if (derived.source.link.by !== 'key' || (input.strategy ?? 'map') !== 'map') return undefined;
  if (!isFoldable(derived.transform)) return undefined;
  return buildAggregateMap(derived, input.source);
}

/** True when a check found something to act on: drift, or snapshots missing. Differences of a snapshot are not. */
export function driftFound(report: DriftReport): boolean {
  return report.drift > 0 || (report.snapshot?.missing ?? 0) > 0;
}

function sampler(input: CheckDriftInput): (doc: JsonObject) => boolean {
  const sample = input.sample ?? 0.1;
  const keyField = input.target.spec.keyField;
  return (doc) => {
    const key = doc[keyField];
    return key !== undefined && keyFraction(keyId(key as never), input.derived.name) < sample;
  };
}
