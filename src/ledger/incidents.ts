import { parseFilter } from '../core/filter.js';
import { sha256 } from '../core/hash.js';
import { canonicalJson, type JsonObject, type JsonValue } from '../core/json.js';
import { StewardError } from '../errors/steward-error.js';
import { scanDocuments } from '../stores/scan-pages.js';
import { type Collection, type DocKey, keyId, type WriteOp } from '../stores/store.js';

/**
 * The incident ledger: one document per problem found in user data (an orphaned reference, a
 * drifted derived value), keyed by a stable id made of the subject (the reference or derived
 * state) and the document's key. A rescan that finds the same problem updates its incident
 * instead of adding one; a problem that went away is closed, and reopened if it comes back.
 *
 * Incidents live in the ledger's `incidents` collection and are written only through the seam.
 */
export interface Incident {
  readonly id: string;
  /** What kind of problem: `orphan`, `type-mismatch`, `missing-required`, `drift`... */
  readonly kind: string;
  /** The reference (`profiles.accountId`) or derived state the problem is about. */
  readonly subject: string;
  /** The collection of the document with the problem. */
  readonly collection: string;
  readonly key: DocKey;
  /** The field with the problem. */
  readonly field: string;
  /**
   * For a problem in one element of an array (a derived value in `lines[]`), which element: its
   * position (`3`) or its key (`sku="A-1"`). Part of the incident's identity.
   */
  readonly element?: string;
  /** What was found: the missing target keys, the expected and actual values... */
  readonly detail: JsonObject;
  readonly status: IncidentStatus;
  readonly firstSeenAt: string;
  readonly lastSeenAt: string;
  /** The scan that last saw it: a rescan closes the open incidents of a subject it did not see. */
  readonly scanId: string;
  /** How it ended, when it did: `gone` (fixed at the source), or a repair action. */
  readonly resolution?: JsonObject;
  readonly closedAt?: string;
  /** Raised on every change, for optimistic updates. */
  readonly revision: number;
}

export type IncidentStatus = 'open' | 'closed';

/** A problem a scan found, before it is an incident. */
export type Finding = Pick<
  Incident,
  'kind' | 'subject' | 'collection' | 'key' | 'field' | 'detail' | 'element'
>;

/** The stable id of the incident for a subject and a document key (and an element of its array). */
export function incidentId(subject: string, key: DocKey, element?: string): string {
  const part = element === undefined ? '' : `\u0000${element}`;
  return `inc-${sha256(`${subject}\u0000${keyId(key)}${part}`).slice(0, 40)}`;
}

/**
 * Incident writes sent per call of the store's bulk write. On FerretDB's SQLite backend every
 * update reads the whole incidents collection, and a bulk of a hundred updates or more took far
 * longer than two of fifty.
 */
const writeChunk = 50;

/**
 * Lets {@link recordFindings} leave an open incident as it is when the finding matches it (same
 * kind and detail) and it was last seen within `withinMs`: writing it again would only move its
 * `lastSeenAt` and `scanId`. Its id goes into `kept` (while `kept` holds fewer than `maxKept`;
 * past that it is written as before, so memory stays bounded), for the caller to treat as seen by
 * this scan. So `lastSeenAt` is exact to `withinMs`.
 */
export interface KeepUnchanged {
  readonly withinMs: number;
  readonly kept: Set<string>;
  readonly maxKept: number;
}

/** How many incidents a call opened (new or reopened) and updated (already open). */
export interface RecordOutcome {
  readonly opened: number;
  readonly updated: number;
}

/**
 * Opens or updates the incidents of a batch of findings, in one lookup and bulk writes of
 * {@link writeChunk}. An incident already open is updated (kind, detail, last seen, scan); a
 * closed one is reopened. Idempotent: recording the same batch again under another scan id changes
 * only `lastSeenAt` and `scanId` (nothing with {@link KeepUnchanged}), and under the same scan id
 * writes nothing (one read).
 */
export async function recordFindings(
  incidents: Collection,
  findings: readonly Finding[],
  scanId: string,
  now: string,
  keep?: KeepUnchanged,
): Promise<RecordOutcome> {
  if (findings.length === 0) return { opened: 0, updated: 0 };
  const keyField = incidents.spec.keyField;
  const byId = new Map(findings.map((f) => [incidentId(f.subject, f.key, f.element), f]));
  const existing = await incidents.getMany([...byId.keys()]);
  const ops: WriteOp[] = [];
  let opened = 0;
  for (const [id, finding] of byId) {
    const stored = existing.get(keyId(id)) as unknown as Incident | undefined;
    if (stored?.status === 'open') {
      // Recorded already by this scan (a run resumed after a kill records again the batches after
      // its last checkpoint): writing it again would change only `lastSeenAt`, so it is left be.
      if (sameRecord(stored, finding, scanId)) continue;
      if (keep && keep.kept.size < keep.maxKept && seenRecently(stored, finding, now, keep.withinMs)) {
        keep.kept.add(id);
        continue;
      }
      ops.push(update(id, stored, { kind: finding.kind, detail: finding.detail, lastSeenAt: now, scanId }));
      continue;
    }
    opened++;
    const doc: Omit<Incident, 'id'> = {
      ...finding,
      status: 'open',
      firstSeenAt: now,
      lastSeenAt: now,
      scanId,
      revision: (stored?.revision ?? 0) + 1,
    };
    ops.push(
      stored
        ? update(id, stored, { ...doc })
        : { type: 'insert', doc: { ...(doc as unknown as JsonObject), [keyField]: id } },
    );
  }
  for (let i = 0; i < ops.length; i += writeChunk) await applyAll(incidents, ops.slice(i, i + writeChunk));
  return { opened, updated: byId.size - opened };
}

/** An open incident this scan recorded with the same kind and detail as the finding. */
function sameRecord(stored: Incident, finding: Finding, scanId: string): boolean {
  return (
    stored.scanId === scanId &&
    stored.kind === finding.kind &&
    canonicalJson(stored.detail) === canonicalJson(finding.detail)
  );
}

/** An open incident with the same kind and detail as the finding, last seen within `withinMs` of `now`. */
function seenRecently(stored: Incident, finding: Finding, now: string, withinMs: number): boolean {
  const last = Date.parse(stored.lastSeenAt);
  return (
    Number.isFinite(last) &&
    Date.parse(now) - last < withinMs &&
    stored.kind === finding.kind &&
    canonicalJson(stored.detail) === canonicalJson(finding.detail)
  );
}

/** Closes one incident with a resolution, unless someone changed it since it was read. */
export async function closeIncident(
  incidents: Collection,
  incident: Incident,
  resolution: JsonObject,
  now: string,
): Promise<boolean> {
  return (await closeIncidents(incidents, [{ incident, resolution }], now)) === 1;
}

/**
 * Closes incidents with their resolutions in bulk writes of {@link writeChunk}, each unless
 * someone changed it since it was read (that one stays as it is). Returns how many were closed.
 */
export async function closeIncidents(
  incidents: Collection,
  closes: readonly { readonly incident: Incident; readonly resolution: JsonObject }[],
  now: string,
): Promise<number> {
  let closed = 0;
  for (let i = 0; i < closes.length; i += writeChunk) {
    const ops = closes
      .slice(i, i + writeChunk)
      .map(({ incident, resolution }) =>
        update(incident.id, incident, { status: 'closed', resolution, closedAt: now }),
      );
    closed += (await incidents.write(ops)).filter((r) => r.status === 'ok').length;
  }
  return closed;
}

/** The incidents of a subject, streamed, optionally only those with a status. */
/** How many incidents match (an exact count: a progress total, or a summary). */
export function countIncidents(
  incidents: Collection,
  options: { subject?: string; status?: IncidentStatus; kind?: string } = {},
): Promise<number> {
  return incidents.count({ filter: incidentFilter(options) });
}

function incidentFilter(options: { subject?: string; status?: IncidentStatus; kind?: string }) {
  const where: Record<string, JsonValue> = {};
  if (options.subject !== undefined) where.subject = options.subject;
  if (options.status !== undefined) where.status = options.status;
  if (options.kind !== undefined) where.kind = options.kind;
  return parseFilter(where);
}

export async function* listIncidents(
  incidents: Collection,
  options: { subject?: string; status?: IncidentStatus; kind?: string } = {},
): AsyncGenerator<Incident> {
  const filter = incidentFilter(options);
  for await (const doc of scanDocuments(incidents, { filter, limit: 500 })) {
    yield { ...(doc as unknown as Incident), id: doc[incidents.spec.keyField] as string };
  }
}

function update(id: string, stored: Pick<Incident, 'revision'>, set: Partial<Incident>): WriteOp {
  return {
    type: 'patch',
    key: id,
    set: { ...(set as unknown as JsonObject), revision: stored.revision + 1 },
    expect: { field: 'revision', value: stored.revision },
  };
}

async function applyAll(incidents: Collection, ops: WriteOp[]): Promise<void> {
  const results = await incidents.write(ops);
  const failed = results.findIndex((r) => r.status !== 'ok');
  if (failed === -1) return;
  // Another scan of the same subject raced this one: its record stands, and this batch is
  // recorded again by the next scan. Reported rather than retried so two scans never interleave.
  throw new StewardError(
    'ledger.conflict',
    `incident ${JSON.stringify((ops[failed] as { key?: DocKey }).key ?? '')} changed while it was being recorded (${results[failed]?.status}); is another scan of the same reference running?`,
  );
}
