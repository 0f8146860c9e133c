import { readAhead } from '../../stores/read-ahead.js';
import { scanPages } from '../../stores/scan-pages.js';
import type { ReferenceCheck, Segment } from '../../stores/store.js';
import { type BatchCheck, checkBatch, finishBatches, type ReadBatch, readBatch } from './check-batch.js';
import { KnownKeys } from './known-keys.js';
import { preloadTargets } from './preload-targets.js';
import type { ScanReferenceInput } from './scan-input.js';
import { type KeyType, targetKeyTypes } from './target-key-types.js';

/** Source documents per batch unless told otherwise or the source prefers larger pages (`Collection.preferredScanLimit`). */
export const defaultBatch = 1000;

/**
 * Pages checked with one lookup when the target was preloaded, and the documents such a group
 * covers at most. A group holds only its pages' pending documents (those with a key not known to
 * exist, or no plain key), so memory stays flat; a killed or stopped scan loses at most the group
 * in hand: its checkpoint is at the last page it yielded. On DynamoDB (pages of thousands) the
 * documents bound it: 100k sources were 10 lookups of an orphan key or two each in groups of
 * 10,000, 2 in groups of 50,000 (issue 17).
 */
export const pagesPerLookup = 10;
const maxGroupDocs = 50_000;

/**
 * One page of the source, checked. `check` holds the documents classified here, one outcome
 * each; `resolved` documents more were found `ok` by the store itself (`pushedDown`), their keys
 * neither read nor counted here. `next` is the page's resume token.
 */
export interface CheckedPage {
  readonly check: BatchCheck;
  readonly resolved: number;
  readonly pushedDown: boolean;
  /** Documents the page covered, classified here or resolved. */
  readonly size: number;
  readonly next: string | null;
}

/**
 * The source's pages from `after` to the end, each checked against the target. When the source's
 * store can check the reference itself (`Collection.referenceCheck`: SQLite, both collections in
 * one file) it does, and only the documents it could not resolve are classified here, with the
 * same `checkBatch` as every other store; otherwise the source is scanned projected on the
 * field's first step and every page checked here. Both ways give the same outcomes and
 * incidents; the lookup figures differ: a pushed-down page counts as one lookup, and its resolved
 * documents' keys are not in `keysChecked` or `distinctTargetKeys`, which the store would have to
 * send out to count (measured: a third to a half more CPU for the whole scan).
 */
export async function* checkedPages(
  input: ScanReferenceInput,
  after: string | null,
): AsyncGenerator<CheckedPage> {
  const { reference, source, target } = input;
  const limit = input.batch ?? source.preferredScanLimit ?? defaultBatch;
  const segment = input.segment;
  const pushed = input.pushdown === false ? undefined : source.referenceCheck?.(target, reference.field);
  if (pushed) {
    yield* pushedDownPages(input, pushed, { after, limit, segment }, await targetKeyTypes(target));
    return;
  }
  const known = new KnownKeys();
  const types = new Set<KeyType>();
  const preloaded = await preloadTargets(source, target, known, types); // counted in the scan's duration
  // The preload's first keys are the ones `targetKeyTypes` reads: no page of its own then.
  const keyTypes = preloaded > 0 ? types : await targetKeyTypes(target);
  const pages = scanPages(source, {
    after,
    limit,
    // Only the field the reference starts at is read and parsed, not the whole source document.
    fields: [reference.field.split('.')[0]!],
    ...(segment ? { segment } : {}),
  });
  // With the target preloaded, a page's unknown keys are few (its orphans, new targets): pages are
  // read against what is known as they come, and checked in groups with one lookup for the group;
  // a group holds only its pages' pending documents. Without, each page's keys are one lookup.
  const groupPages = preloaded > 0 ? pagesPerLookup : 1;
  const steps = reference.field.split('.');
  let group: { read: ReadBatch; size: number; next: string | null }[] = [];
  let groupDocs = 0;
  for await (const page of readAhead(pages)) {
    group.push({ read: readBatch(page.docs, steps, known), size: page.docs.length, next: page.next });
    groupDocs += page.docs.length;
    // A stop asked for closes the group at once: the scan stops after the page in hand, not after
    // the group's last (up to 50,000 documents on DynamoDB).
    const full = group.length >= groupPages || groupDocs >= maxGroupDocs || input.signal?.aborted === true;
    if (!full && page.next !== null) continue;
    const read = group.map((p) => p.read);
    const checks = await finishBatches(read, reference, source.spec, target, known, keyTypes);
    for (const [i, { size, next }] of group.entries())
      yield { check: checks[i]!, resolved: 0, pushedDown: false, size, next };
    group = [];
    groupDocs = 0;
  }
}

async function* pushedDownPages(
  input: ScanReferenceInput,
  pushed: ReferenceCheck,
  options: { after: string | null; limit: number; segment: Segment | undefined },
  keyTypes: ReadonlySet<KeyType>,
): AsyncGenerator<CheckedPage> {
  const { reference, source, target } = input;
  let after = options.after;
  do {
    const page = await pushed.page({
      after,
      limit: options.limit,
      ...(options.segment ? { segment: options.segment } : {}),
    });
    const check = await checkBatch(page.unresolved, reference, source.spec, target, undefined, keyTypes);
    yield {
      check: { ...check, lookups: check.lookups + 1 },
      resolved: page.scanned - page.unresolved.length,
      pushedDown: true,
      size: page.scanned,
      next: page.next,
    };
    after = page.next;
  } while (after !== null);
}
