import { getPath, type JsonObject, type JsonValue } from '../core/json.js';
import { StewardError } from '../errors/steward-error.js';
import type { Clock } from '../ledger/clock.js';
import { scanDocuments } from '../stores/scan-pages.js';
import { type Collection, docKey, isDocKey, keyId } from '../stores/store.js';
import { type CheckDriftInput, comparePage, derivedPages, recheck } from './compare-drift.js';
import { type ResolvedDerived, sourceVersionField } from './derived.js';
import type { DriftFinding, DriftReport } from './drift-report.js';
import { readStamps } from './projection-metadata.js';
import { isFoldable } from './recompute.js';
import {
  type AggregateMap,
  buildAggregateMap,
  compareVersions,
  greatest,
  linkField,
} from './source-values.js';

/**
 * The `checkpoint` method (seed 001 section 17, "projection source version equals latest source
 * version"): compares the source version stamped on each derived document
 * (`sourceVersion` of its projection metadata, written by repair and rebuild, or by the application's own
 * projector) with the latest version of its source documents, and compares by value only the
 * documents that are behind, or carry no stamp. Those go through the same comparison, re-read and
 * incidents as every method: being behind is not drift by itself (the source may have changed a
 * field this value does not use), a value that differs is.
 *
 * The source version is the declared `source.version` field, else `source.changedAt`. For an
 * aggregate it is the greatest over every linked source document, those outside `where` included
 * (leaving the filter is a change). What it misses, by design: a derived value changed while its
 * stamp stayed current (a hand patch), and a source document deleted (no version is left to raise).
 */
export async function checkpointPass(
  input: CheckDriftInput,
  report: DriftReport,
  clock: Clock,
): Promise<void> {
  const { derived } = input;
  const versionField = sourceVersionField(derived.source);
  if (!versionField)
    throw new StewardError(
      'usage',
      `${derived.name}: the checkpoint method needs source.version (or source.changedAt) declared`,
      { derived: derived.name },
    );
  if (derived.element)
    throw new StewardError(
      'usage',
      `${derived.name}: the checkpoint method is not supported for values inside array elements; use exact, sampling, hash or window`,
      { derived: derived.name },
    );
  report.checkpoint = { behind: 0 };
  const byKey = derived.source.link.by === 'key';
  const map =
    byKey && isFoldable(derived.transform) ? await buildAggregateMap(derived, input.source) : undefined;
  const versions = byKey && !map ? await latestByKey(derived, input.source, versionField) : undefined;
  const suspects: DriftFinding[] = [];
  for await (const page of derivedPages(input)) {
    report.scanned += page.length;
    const latest = byKey
      ? (doc: JsonObject) => keyVersion(input, doc, map, versions)
      : await viaVersions(input, page, versionField);
    const stamps = await readStamps(derived, input.ledger, keyedOf(input, page));
    const stamped = (doc: JsonObject) => {
      const key = docKey(doc, input.target.spec);
      return key === undefined ? undefined : stamps.get(keyId(key))?.sourceVersion;
    };
    const behind = page.filter((doc) => isBehind(stamped(doc), latest(doc)));
    report.checkpoint.behind += behind.length;
    await comparePage(input, behind, map, report, suspects, clock);
  }
  await recheck(input, suspects, report, clock);
}

function keyedOf(input: CheckDriftInput, page: readonly JsonObject[]) {
  return page.flatMap((doc) => {
    const key = docKey(doc, input.target.spec);
    return key === undefined ? [] : [{ key, doc }];
  });
}

/** Behind: no stamp while the source has a version, or a stamp older than the latest version. */
function isBehind(stored: JsonValue | undefined, latest: JsonValue | undefined): boolean {
  if (latest === undefined || latest === null) return false;
  if (stored === undefined || stored === null) return true;
  return compareVersions(stored, latest) < 0;
}

function keyVersion(
  input: CheckDriftInput,
  doc: JsonObject,
  map: AggregateMap | undefined,
  versions: Map<string, JsonValue> | undefined,
): JsonValue | undefined {
  const key = docKey(doc, input.target.spec);
  if (key === undefined) return undefined;
  return map ? map.get(keyId(key))?.version : versions?.get(keyId(key));
}

/** The greatest version per derived key, for aggregates a map cannot fold (function transforms). */
async function latestByKey(
  derived: ResolvedDerived,
  source: Collection,
  versionField: string,
): Promise<Map<string, JsonValue>> {
  const out = new Map<string, JsonValue>();
  for await (const doc of scanDocuments(source, { limit: 1000 })) {
    const key = getPath(doc, linkField(derived));
    if (!isDocKey(key)) continue;
    out.set(keyId(key), greatest(out.get(keyId(key)), getPath(doc, versionField)));
  }
  return out;
}

/** Copies: the version of each page document's source document, with one getMany per page. */
async function viaVersions(
  input: CheckDriftInput,
  page: readonly JsonObject[],
  versionField: string,
): Promise<(doc: JsonObject) => JsonValue | undefined> {
  const via = linkField(input.derived);
  const keys = page.map((d) => getPath(d, via)).filter(isDocKey);
  const found = keys.length > 0 ? await input.source.getMany(keys) : new Map<string, JsonObject>();
  return (doc) => {
    const key = getPath(doc, via);
    const source = isDocKey(key) ? found.get(keyId(key)) : undefined;
    return source ? getPath(source, versionField) : undefined;
  };
}
