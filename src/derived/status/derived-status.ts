import { getPath, type JsonObject, type JsonValue } from '../../core/json.js';
import { StewardError } from '../../errors/steward-error.js';
import { listIncidents } from '../../ledger/incidents.js';
import type { Ledger } from '../../ledger/ledger.js';
import { scanDocuments, scanPages } from '../../stores/scan-pages.js';
import { type Collection, type DocKey, docKey, keyId } from '../../stores/store.js';
import { metadataOf, type ResolvedDerived, sourceVersionField } from '../derived.js';
import { readStamps } from '../projection-metadata.js';
import { emptyTally, type FreshnessTally, less, tallyStamp } from './freshness-tally.js';

/**
 * Whether a derived state keeps its freshness promise: `within`, `outside` (a document or a drift
 * incident older than the allowance), `unknown` (nothing older, but documents without projection
 * metadata, whose age steward cannot tell) or `not-applicable` (a snapshot: old by design).
 */
export type FreshnessState = 'within' | 'outside' | 'unknown' | 'not-applicable';

/** One derived state's lag against its policy (issue 6, seed 001 sections 6 and 12). */
export interface DerivedStatus extends FreshnessTally {
  readonly derived: string;
  readonly collection: string;
  readonly refresh: ResolvedDerived['refresh'];
  /** The staleness allowance in milliseconds; null for "immediate". */
  readonly stalenessMs: number | null;
  /** Now minus the oldest projected-at; null when no document carries metadata. */
  readonly lagMs: number | null;
  /** The greatest source version in the source collection, when the source declares a version field. */
  readonly latestSourceVersion?: number | string;
  /** Open drift incidents; for a snapshot, open missing-snapshot incidents (a snapshot has no drift). */
  readonly openIncidents: number;
  /** What `openIncidents` counts: drift, or for a snapshot, missing snapshots. */
  readonly incidentKind: 'drift' | 'snapshot-missing';
  readonly oldestOpenIncidentAt?: string;
  readonly state: FreshnessState;
  /** Why the state is what it is, in a sentence. */
  readonly reason: string;
}

export interface DerivedStatusInput {
  readonly derived: ResolvedDerived;
  readonly target: Collection;
  /** Read only when the source declares a version field, for the latest source version. */
  readonly source?: Collection;
  /** The ledger's incidents collection. */
  readonly incidents: Collection;
  /** The ledger, where projection metadata lives for declarations with `metadata: 'ledger'`. */
  readonly ledger?: Ledger;
  /** ISO 8601, UTC. */
  readonly now: string;
  readonly batch?: number;
}

/**
 * Streams the derived collection once and reports its freshness: how old its oldest projection is
 * against the allowance, how many documents carry no metadata, source versions found against the
 * latest, and the open drift incidents. Reads only; memory holds counters, not documents.
 */
export async function derivedStatus(input: DerivedStatusInput): Promise<DerivedStatus> {
  const { derived, now } = input;
  const nowMs = Date.parse(now);
  const cutoff =
    derived.stalenessMs === undefined ? undefined : new Date(nowMs - derived.stalenessMs).toISOString();
  const tally = emptyTally();
  for await (const page of scanPages(input.target, { limit: input.batch ?? 500 })) {
    const keyed = page.docs.flatMap((doc) => {
      const key = docKey(doc, input.target.spec);
      return key === undefined ? [] : [{ key, doc }];
    });
    const stamps = await stampsOf(input, keyed);
    for (const { key } of keyed) tallyStamp(tally, stamps.get(keyId(key)), derived.version, cutoff);
    for (let i = keyed.length; i < page.docs.length; i++)
      tallyStamp(tally, undefined, derived.version, cutoff);
  }
  // A snapshot has no drift: its open incidents are missing snapshots. Drift incidents older
  // checks opened for its differences are not counted (the next check closes them).
  const kind = derived.snapshot ? 'snapshot-missing' : 'drift';
  let openIncidents = 0;
  let oldestOpenIncidentAt: string | undefined;
  for await (const i of listIncidents(input.incidents, { subject: derived.name, status: 'open', kind })) {
    openIncidents += 1;
    if (oldestOpenIncidentAt === undefined || i.firstSeenAt < oldestOpenIncidentAt)
      oldestOpenIncidentAt = i.firstSeenAt;
  }
  const latestSourceVersion = derived.source.link.by === 'self' ? undefined : await latestVersion(input);
  const judged = judgeFreshness(derived, tally, { openIncidents, oldestOpenIncidentAt }, cutoff);
  return {
    derived: derived.name,
    collection: derived.collection,
    refresh: derived.refresh,
    stalenessMs: derived.stalenessMs ?? null,
    ...tally,
    lagMs: tally.oldestProjectedAt === undefined ? null : nowMs - Date.parse(tally.oldestProjectedAt),
    ...(latestSourceVersion === undefined ? {} : { latestSourceVersion }),
    openIncidents,
    incidentKind: kind,
    ...(oldestOpenIncidentAt === undefined ? {} : { oldestOpenIncidentAt }),
    ...judged,
  };
}

/**
 * The policy decision, pure. A bounded allowance is broken by a document projected before the
 * cutoff or by drift detected before it (the value has been wrong longer than allowed). An
 * immediate promise has no age to measure (a synchronously kept value is as old as its last source
 * change), so only open drift breaks it. A snapshot promises no freshness at all.
 */
export function judgeFreshness(
  derived: Pick<ResolvedDerived, 'snapshot' | 'stalenessMs' | 'refresh'>,
  tally: FreshnessTally,
  incidents: { openIncidents: number; oldestOpenIncidentAt?: string | undefined },
  cutoff: string | undefined,
): { state: FreshnessState; reason: string } {
  if (derived.snapshot)
    return {
      state: 'not-applicable',
      reason:
        'a snapshot keeps the value of its moment: no allowance applies' +
        (incidents.openIncidents > 0
          ? `; ${incidents.openIncidents} snapshot(s) missing where the source gives a value (drift repair --force, with an approval, fills them)`
          : ''),
    };
  if (cutoff === undefined && derived.refresh === 'manual')
    return {
      state: 'not-applicable',
      reason: 'refreshed by hand, with no staleness allowance declared: it promises no age',
    };
  if (cutoff === undefined)
    return incidents.openIncidents > 0
      ? {
          state: 'outside',
          reason: `must be immediate, and ${incidents.openIncidents} open drift incident(s) differ from the source`,
        }
      : { state: 'within', reason: 'must be immediate; no open drift incident (as of the last drift check)' };
  if (tally.olderThanAllowance > 0)
    return { state: 'outside', reason: `${tally.olderThanAllowance} document(s) projected before ${cutoff}` };
  if (incidents.oldestOpenIncidentAt !== undefined && incidents.oldestOpenIncidentAt < cutoff)
    return {
      state: 'outside',
      reason: `drift open since ${incidents.oldestOpenIncidentAt}, before ${cutoff}`,
    };
  if (tally.withoutMetadata > 0 && tally.withoutMetadata === tally.documents)
    return {
      state: 'unknown',
      reason: 'no document carries projection metadata (repair and rebuild stamp it): its age cannot be told',
    };
  if (tally.withoutMetadata > 0)
    return {
      state: 'unknown',
      reason: `${tally.withoutMetadata} document(s) carry no projection metadata; the others are within the allowance`,
    };
  return { state: 'within', reason: `every document projected since ${cutoff}` };
}

/** The stamps of a page's documents, from the documents or (ledger metadata) the ledger. */
function stampsOf(
  input: DerivedStatusInput,
  keyed: readonly { key: DocKey; doc: JsonObject }[],
): Promise<Map<string, JsonObject>> {
  if (metadataOf(input.derived).in === 'document' || input.ledger)
    return readStamps(input.derived, input.ledger as Ledger, keyed);
  throw new StewardError(
    'usage',
    `${input.derived.name} keeps its projection metadata in the ledger: derived status needs the ledger to read it`,
  );
}

/** The greatest value of the source's version field, by one scan of the source; undefined when none is declared. */
async function latestVersion(input: DerivedStatusInput): Promise<number | string | undefined> {
  const field = sourceVersionField(input.derived.source);
  if (field === undefined || input.source === undefined) return undefined;
  let latest: number | string | undefined;
  for await (const doc of scanDocuments(input.source, { limit: input.batch ?? 500 })) {
    const v: JsonValue | undefined = getPath(doc, field);
    if ((typeof v === 'number' || typeof v === 'string') && (latest === undefined || less(latest, v)))
      latest = v;
  }
  return latest;
}
