import {
  closeIncident,
  type Finding,
  type Incident,
  listIncidents,
  recordFindings,
} from '../../ledger/incidents.js';
import { type Collection, type DocKey, docKey, keyId } from '../../stores/store.js';
import type { ResolvedReference } from '../reference.js';
import { checkBatch } from './check-batch.js';
import type { Verdict } from './classify-reference.js';
import { referenceFinding } from './reference-finding.js';
import { type KeyType, targetKeyTypes } from './target-key-types.js';

const resolved: Verdict = { outcome: 'ok' };

/** What re-verifying open incidents did. */
export interface ReverifyOutcome {
  /** Open incidents looked at again. */
  readonly checked: number;
  /** Closed: the source document is gone, or its reference resolves now. */
  readonly closed: number;
  /** Still broken (or changed by someone else while being closed): left open. */
  readonly stillOpen: number;
}

export interface ReverifyInput {
  readonly reference: ResolvedReference;
  readonly source: Collection;
  readonly target: Collection;
  readonly incidents: Collection;
  /** Which open incidents of the reference to look at again. */
  select(incident: Incident): boolean;
  /** Time for `closedAt` and `lastSeenAt`, as ISO 8601. */
  now(): string;
  /**
   * When given, incidents still broken are recorded again under this scan id (their detail and
   * `lastSeenAt` refreshed), so a horizon counts from this check. Otherwise they are left as they are.
   */
  readonly refreshAs?: string;
  /** Incidents per round of lookups. Default 500. */
  readonly chunkSize?: number;
}

/**
 * Looks again at open incidents of a reference: reads their source documents in one getMany per
 * chunk and checks them as the scan does. An incident whose document is gone, or whose reference
 * now resolves (or is null and allowed to be), is closed with resolution `{ action: 'gone' }`;
 * one still broken stays open. A full scan calls this for the incidents it did not see, so
 * problems fixed behind its back do not stay open forever; `refs scan --stale-only` calls it for
 * incidents not checked within the reference's `revalidateAfter`.
 */
export async function reverifyIncidents(input: ReverifyInput): Promise<ReverifyOutcome> {
  const chunkSize = input.chunkSize ?? 500;
  const total = { checked: 0, closed: 0, stillOpen: 0 };
  let chunk: Incident[] = [];
  let keyTypes: ReadonlySet<KeyType> | undefined;
  const flush = async (): Promise<void> => {
    keyTypes ??= await targetKeyTypes(input.target);
    const outcome = await reverifyChunk(input, chunk, keyTypes);
    total.checked += chunk.length;
    total.closed += outcome.closed;
    total.stillOpen += chunk.length - outcome.closed;
    chunk = [];
  };
  for await (const incident of listIncidents(input.incidents, {
    subject: input.reference.name,
    status: 'open',
  })) {
    if (!input.select(incident)) continue;
    chunk.push(incident);
    if (chunk.length >= chunkSize) await flush();
  }
  if (chunk.length > 0) await flush();
  return total;
}

async function reverifyChunk(
  input: ReverifyInput,
  chunk: readonly Incident[],
  keyTypes: ReadonlySet<KeyType>,
): Promise<{ closed: number }> {
  const { reference, source, target, incidents } = input;
  const docs = await source.getMany(chunk.map((incident) => incident.key));
  const check = await checkBatch([...docs.values()], reference, source.spec, target, undefined, keyTypes);
  // Only the documents not `ok` are listed; a source document found and not listed resolves.
  const verdicts = new Map<string, Verdict>(
    check.checked.flatMap(({ key, verdict }) => (key === undefined ? [] : [[keyId(key), verdict]])),
  );
  const read = new Set<string>();
  for (const doc of docs.values()) {
    const key = docKey(doc, source.spec);
    if (key !== undefined) read.add(keyId(key));
  }
  const stillBroken: Finding[] = [];
  let closed = 0;
  for (const incident of chunk) {
    const id = keyId(incident.key as DocKey);
    const verdict = verdicts.get(id) ?? (read.has(id) ? resolved : undefined);
    const finding = verdict && referenceFinding(reference, incident.key, verdict);
    if (finding) {
      stillBroken.push(finding);
      continue;
    }
    const reason = verdict ? 'the reference resolves' : 'the source document is gone';
    const resolution = { action: 'gone', reason, by: 'refs scan' };
    if (await closeIncident(incidents, incident, resolution, input.now())) closed++;
  }
  if (input.refreshAs !== undefined)
    await recordFindings(incidents, stillBroken, input.refreshAs, input.now());
  return { closed };
}
