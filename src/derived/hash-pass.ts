import { sha256 } from '../core/hash.js';
import { canonicalJson, type JsonValue } from '../core/json.js';
import type { Clock } from '../ledger/clock.js';
import { scanPages } from '../stores/scan-pages.js';
import type { ScanOptions } from '../stores/store.js';
import {
  type CheckDriftInput,
  compareAll,
  comparePage,
  isMissingSnapshot,
  noteSnapshotDifference,
  recheck,
} from './compare-drift.js';
import { storedValue, valueId } from './derived-rows.js';
import type { DriftFinding, DriftReport } from './drift-report.js';
import { sameValue } from './recompute.js';
import { type AggregateMap, type Recomputed, recomputePage } from './source-values.js';

/** Documents per group unless the caller says otherwise: a few tens of thousands is a good size. */
export const defaultGroupSize = 20_000;
/** At most this many groups, so the groups' resume tokens stay small however big the collection. */
const maxGroups = 10_000;
const modulus = 1n << 256n;

/**
 * A run of consecutive pages of the derived collection's scan, with the token it starts after (so
 * it can be read again on its own) and the sums of the hashes of its (key, stored) and (key,
 * expected) pairs. Equal sums mean equal content except with negligible probability; different
 * sums prove a difference.
 */
interface Group {
  readonly after: string | null;
  pages: number;
  stored: bigint;
  expected: bigint;
}

/**
 * The `hash` method. Pass one reads the derived collection once, page by page, cutting it into
 * groups of about `groupSize` documents in scan order and summing, per group, the SHA-256 of each
 * (key, stored value) and (key, expected value). Pass two reads again only the groups whose sums
 * differ, by resuming the scan at each one's first token, and compares their documents one by one.
 * So the documents of equal groups are read once, and only differing groups are fetched again.
 *
 * Below two groups' worth of documents the check compares documents directly: there is nothing for
 * a hash to save. Documents written between the passes can move a group's edges; a document that
 * moves out of a differing group is compared by the next check, and one that moves in is compared
 * now, so live writes can cost a missed document for one run, never a false finding.
 */
export async function hashPasses(
  input: CheckDriftInput,
  map: AggregateMap | undefined,
  report: DriftReport,
  clock: Clock,
): Promise<void> {
  const count = await input.target.count({ ...filterOf(input), estimate: true });
  const groupSize = Math.max(input.groupSize ?? defaultGroupSize, Math.ceil(count / maxGroups));
  // Groups are whole pages, so a page is never larger than a group.
  const batch = Math.min(input.batch ?? 500, groupSize);
  if (count < 2 * groupSize) {
    report.hash = { groups: 1, differing: 1, fetched: 0 };
    report.hash.fetched = await compareAll(input, map, report, clock);
    return;
  }
  const suspects: DriftFinding[] = [];
  const groups = await hashGroups(input, map, report, batch, Math.ceil(groupSize / batch));
  const differing = groups.filter((g) => g.stored !== g.expected);
  report.hash = { groups: groups.length, differing: differing.length, fetched: 0 };
  for (const group of differing) {
    let pages = 0;
    for await (const page of scanPages(input.target, { ...scanOptions(input, batch), after: group.after })) {
      report.hash.fetched += page.docs.length;
      // A snapshot's differences were counted in the first pass.
      await comparePage(input, page.docs, map, report, suspects, clock, !input.derived.snapshot);
      if (++pages >= group.pages) break;
    }
  }
  await recheck(input, suspects, report, clock);
}

async function hashGroups(
  input: CheckDriftInput,
  map: AggregateMap | undefined,
  report: DriftReport,
  batch: number,
  pagesPerGroup: number,
): Promise<Group[]> {
  const groups: Group[] = [];
  let group: Group | undefined;
  let after: string | null = null;
  for await (const page of scanPages(input.target, scanOptions(input, batch))) {
    if (!group || group.pages >= pagesPerGroup) {
      group = { after, pages: 0, stored: 0n, expected: 0n };
      groups.push(group);
    }
    group.pages++;
    after = page.next;
    report.scanned += page.docs.length;
    input.onPage?.(report.scanned);
    const recomputed = await recomputePage(input.derived, input.target.spec, page.docs, input.source, map);
    for (const row of recomputed) {
      const [stored, want] = hashedPair(input, row, report);
      const id = valueId(input.derived, row);
      group.stored = (group.stored + pairHash(id, stored)) % modulus;
      group.expected = (group.expected + pairHash(id, want)) % modulus;
    }
  }
  return groups;
}

/**
 * What is hashed of one value on each side. Orphans and failing transforms hash as themselves, so
 * a group holding one differs and is compared value by value, where they are counted. A snapshot
 * hashes only whether it is present where its source gives a value (what can be checked of it);
 * its differences from the source are counted here, once, as information.
 */
function hashedPair(input: CheckDriftInput, row: Recomputed, report: DriftReport): [JsonValue, JsonValue] {
  const { expected } = row;
  const stored = storedValue(input.derived, row) ?? null;
  const want = expected.status === 'value' ? expected.value : `\u0000${expected.status}`;
  if (!input.derived.snapshot) return [stored, want];
  if (expected.status !== 'value') return [true, want];
  const missing = isMissingSnapshot(stored, expected.value);
  if (!missing && !sameValue(stored, expected.value)) {
    const finding = { key: row.key, field: input.derived.field, expected: expected.value, actual: stored };
    noteSnapshotDifference(report, row.element ? { ...finding, element: row.element } : finding);
  }
  return [true, !missing];
}

function pairHash(id: string, value: JsonValue): bigint {
  return BigInt(`0x${sha256(`${id}\u0000${canonicalJson(value)}`)}`);
}

function filterOf(input: CheckDriftInput) {
  return input.where && input.where.length > 0 ? { filter: input.where } : {};
}

function scanOptions(input: CheckDriftInput, batch: number): ScanOptions {
  return { limit: batch, ...filterOf(input), ...(input.segment ? { segment: input.segment } : {}) };
}
