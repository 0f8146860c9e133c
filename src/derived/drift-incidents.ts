import { parseFilter } from '../core/filter.js';
import type { JsonValue } from '../core/json.js';
import { StewardError } from '../errors/steward-error.js';
import type { Incident, IncidentStatus } from '../ledger/incidents.js';
import type { Collection } from '../stores/store.js';
import { type DriftIncidentKind, driftIncidentKinds } from './reverify-drift.js';

/** Which drift incidents to list, and which page of them. */
export interface DriftIncidentQuery {
  /** The derived states (incident subjects) to list. */
  readonly derived: readonly string[];
  /** Default `open`; `all` lists both. */
  readonly status?: IncidentStatus | 'all';
  /** `drift` or `snapshot-missing`; default both. */
  readonly kind?: DriftIncidentKind;
  /** Only incidents first seen before now minus this (open for at least this long). */
  readonly olderThanMs?: number;
  /** Only incidents first seen after now minus this. */
  readonly newerThanMs?: number;
  /** Incidents per page. */
  readonly limit: number;
  /** Where the previous page stopped (its `next`); undefined for the first page. */
  readonly cursor?: string;
  /** ISO 8601, for the age filters. */
  readonly now: string;
}

/** One page of drift incidents. */
export interface DriftIncidentPage {
  readonly incidents: Incident[];
  /** Pass as `cursor` for the next page; null when this page holds the last incident. */
  readonly next: string | null;
}

/**
 * Lists drift incidents (drifted values and missing snapshots) page by page, with the filters
 * pushed down to the ledger's store: subject, kind, status and first-seen time. A page stops at
 * `limit`; its `next` cursor is where the following page starts, given only when another
 * matching incident exists, so a list never looks complete while it is not. A cursor is the
 * store's resume token and a position in its page: stable while the incidents do not change,
 * and at worst repeating or skipping an incident that changed status between two pages.
 */
export async function listDriftIncidents(
  incidents: Collection,
  query: DriftIncidentQuery,
): Promise<DriftIncidentPage> {
  const filter = parseFilter(filterOf(query));
  let { after, skip } = decodeCursor(query.cursor);
  const out: Incident[] = [];
  for (;;) {
    const page = await incidents.scan({ after, limit: Math.min(1000, query.limit + 1), filter });
    const docs = page.docs.slice(skip);
    for (const [i, doc] of docs.entries()) {
      if (out.length === query.limit) return { incidents: out, next: encodeCursor(after, skip + i) };
      out.push({ ...(doc as unknown as Incident), id: doc[incidents.spec.keyField] as string });
    }
    if (page.next === null) return { incidents: out, next: null };
    after = page.next;
    skip = 0;
  }
}

function filterOf(query: DriftIncidentQuery): Record<string, JsonValue> {
  const nowMs = Date.parse(query.now);
  const firstSeenAt: Record<string, string> = {};
  if (query.olderThanMs !== undefined) firstSeenAt.$lt = new Date(nowMs - query.olderThanMs).toISOString();
  if (query.newerThanMs !== undefined) firstSeenAt.$gte = new Date(nowMs - query.newerThanMs).toISOString();
  return {
    subject: { $in: [...query.derived] },
    kind: query.kind ?? { $in: [...driftIncidentKinds] },
    ...((query.status ?? 'open') === 'all' ? {} : { status: query.status ?? 'open' }),
    ...(Object.keys(firstSeenAt).length > 0 ? { firstSeenAt } : {}),
  };
}

function encodeCursor(after: string | null, skip: number): string {
  return Buffer.from(JSON.stringify({ after, skip })).toString('base64url');
}

function decodeCursor(cursor: string | undefined): { after: string | null; skip: number } {
  if (cursor === undefined) return { after: null, skip: 0 };
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as {
      after?: unknown;
      skip?: unknown;
    };
    if (
      (parsed.after === null || typeof parsed.after === 'string') &&
      Number.isInteger(parsed.skip) &&
      (parsed.skip as number) >= 0
    )
      return { after: parsed.after, skip: parsed.skip as number };
  } catch {
    // reported below
  }
  throw new StewardError(
    'usage',
    `--cursor "${cursor}" is not a cursor steward gave: pass the "next" of the previous page as it was printed`,
  );
}

/** One incident as a line: status, kind, derived state, where, what, when, id. */
export function driftIncidentLine(i: Incident): string {
  const d = i.detail;
  const at =
    i.element === undefined ? '' : ` ${i.field.slice(0, Math.max(0, i.field.indexOf('[]')))}[${i.element}]`;
  const what =
    i.kind === 'snapshot-missing'
      ? `missing; the source gives ${JSON.stringify(d.expected)}`
      : `stored ${JSON.stringify(d.actual)}, source gives ${JSON.stringify(d.expected)}`;
  const when =
    i.status === 'open'
      ? `open since ${i.firstSeenAt}`
      : `closed ${i.closedAt ?? ''} (${String(i.resolution?.action ?? '')})`;
  return `${i.status.padEnd(6)} ${i.kind.padEnd(16)} ${i.subject} ${JSON.stringify(i.key)}${at}  ${what}  ${when}  ${i.id}`;
}
