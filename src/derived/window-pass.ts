import type { Condition, ParsedFilter } from '../core/filter.js';
import { matchesFilter } from '../core/filter.js';
import { getPath, type JsonObject, type JsonValue, type Scalar } from '../core/json.js';
import { StewardError } from '../errors/steward-error.js';
import type { Clock } from '../ledger/clock.js';
import { scanDocuments, scanPages } from '../stores/scan-pages.js';
import { type DocKey, docKey, isDocKey, keyId } from '../stores/store.js';
import { type CheckDriftInput, comparePage, recheck } from './compare-drift.js';
import type { DriftFinding, DriftReport } from './drift-report.js';
import { gatherPath } from './recompute.js';
import { linkField, maxInValues } from './source-values.js';

/** Derived keys looked up per `getMany` (aggregates) before their sources are recomputed. */
const keysPerLookup = 500;

/**
 * The `window` method (seed 001 section 17, "recompute last N days"): reads only the source
 * documents whose `changedAt` is within the window, with the range pushed down to the store, and
 * compares only the derived documents they name: for a `key` link (aggregates) the derived keys
 * their link field holds, for a `via` link the derived documents pointing at them. Those go
 * through the same comparison, re-read and incidents as every method.
 *
 * Memory holds the distinct keys named by the window's changes, not documents. What it misses, by
 * design: drift whose source did not change in the window (a derived value patched by hand), a
 * source document deleted (it has no `changedAt` left to find), and for an aggregate the key a
 * changed document moved away from (only its new key is named). `exact` or `hash` cover those.
 */
export async function windowPass(input: CheckDriftInput, report: DriftReport, clock: Clock): Promise<void> {
  const { derived } = input;
  const field = derived.source.changedAt;
  const windowMs = input.windowMs ?? derived.windowMs;
  if (!field || windowMs === undefined)
    throw new StewardError(
      'usage',
      `${derived.name}: the window method needs source.changedAt declared and a window (--window 7d, or validation: { method: 'window', days: 7 })`,
      { derived: derived.name },
    );
  if (derived.source.link.by === 'self')
    throw new StewardError(
      'usage',
      `${derived.name} is computed from its own document: the window method follows a source's changes; use exact, sampling or hash`,
      { derived: derived.name },
    );
  const since = new Date(clock() - windowMs).toISOString();
  const changed: ParsedFilter = [{ op: 'range', path: field, bounds: { gte: since } }];
  report.window = { since, changedSources: 0, derivedKeys: 0 };
  const suspects: DriftFinding[] = [];
  if (derived.source.link.by === 'key') await keyWindow(input, changed, report, suspects, clock);
  else await viaWindow(input, changed, report, suspects, clock);
  await recheck(input, suspects, report, clock);
}

/** Aggregates: the derived keys the changed source documents' link field holds, looked up by key. */
async function keyWindow(
  input: CheckDriftInput,
  changed: ParsedFilter,
  report: DriftReport,
  suspects: DriftFinding[],
  clock: Clock,
): Promise<void> {
  if (input.segment)
    throw new StewardError(
      'usage',
      `${input.derived.name}: --segment does not combine with the window method on an aggregate (its derived keys come from the source)`,
    );
  const keys = new Map<string, DocKey>();
  for await (const doc of scanDocuments(input.source, { filter: changed, limit: 1000 })) {
    report.window!.changedSources++;
    const key = getPath(doc, linkField(input.derived));
    if (isDocKey(key)) keys.set(keyId(key), key);
  }
  report.window!.derivedKeys = keys.size;
  const all = [...keys.values()];
  for (let i = 0; i < all.length; i += keysPerLookup) {
    const found = await input.target.getMany(all.slice(i, i + keysPerLookup));
    report.scanned += found.size;
    const docs = [...found.values()].filter((d) => matchesFilter(d, input.where ?? []));
    await comparePage(input, docs, undefined, report, suspects, clock);
    input.onPage?.(report.scanned);
  }
}

/** Copies: the derived documents whose `via` holds the key of a changed source document. */
async function viaWindow(
  input: CheckDriftInput,
  changed: ParsedFilter,
  report: DriftReport,
  suspects: DriftFinding[],
  clock: Clock,
): Promise<void> {
  const changedKeys = new Map<string, DocKey>();
  for await (const doc of scanDocuments(input.source, { filter: changed, limit: 1000 })) {
    report.window!.changedSources++;
    const key = docKey(doc, input.source.spec);
    if (key !== undefined) changedKeys.set(keyId(key), key);
  }
  if (changedKeys.size === 0) return;
  const { derived } = input;
  const via = linkField(derived);
  const filter: Condition[] = [...(input.where ?? [])];
  const scalars = [...changedKeys.values()].filter((k): k is string | number => typeof k !== 'object');
  // Inside array elements the link is in each element: no filter reaches it on every store.
  const inlist = !derived.element && scalars.length === changedKeys.size;
  if (inlist && scalars.length <= (await maxInValues(input.target, via)))
    filter.push({ op: 'in', path: via, values: scalars as Scalar[] });
  const changedKey = (value: JsonValue | undefined) => isDocKey(value) && changedKeys.has(keyId(value));
  const pointsAtChange = (doc: JsonObject) =>
    derived.element
      ? gatherPath(doc, `${derived.element.array}[].${via}`).some(changedKey)
      : changedKey(getPath(doc, via));
  for await (const page of scanPages(input.target, {
    limit: input.batch ?? 500,
    ...(filter.length > 0 ? { filter } : {}),
    ...(input.segment ? { segment: input.segment } : {}),
  })) {
    report.scanned += page.docs.length;
    const docs = page.docs.filter(pointsAtChange);
    report.window!.derivedKeys += docs.length;
    await comparePage(input, docs, undefined, report, suspects, clock);
    input.onPage?.(report.scanned);
  }
}
