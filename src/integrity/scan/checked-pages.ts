import { readAhead } from '../../stores/read-ahead.js';
import { scanPages } from '../../stores/scan-pages.js';
import type { ReferenceCheck, Segment } from '../../stores/store.js';
import { type BatchCheck, checkBatch } from './check-batch.js';
import { KnownKeys } from './known-keys.js';
import { preloadTargets } from './preload-targets.js';
import type { ScanReferenceInput } from './scan-input.js';
import { type KeyType, targetKeyTypes } from './target-key-types.js';

/** Source documents per batch unless told otherwise. */
export const defaultBatch = 1000;

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
  const limit = input.batch ?? defaultBatch;
  const segment = input.segment;
  const pushed = input.pushdown === false ? undefined : source.referenceCheck?.(target, reference.field);
  const keyTypes = await targetKeyTypes(target);
  if (pushed) {
    yield* pushedDownPages(input, pushed, { after, limit, segment }, keyTypes);
    return;
  }
  const known = new KnownKeys();
  await preloadTargets(source, target, known); // counted in the scan's duration
  const pages = scanPages(source, {
    after,
    limit,
    // Only the field the reference starts at is read and parsed, not the whole source document.
    fields: [reference.field.split('.')[0]!],
    ...(segment ? { segment } : {}),
  });
  for await (const page of readAhead(pages)) {
    const check = await checkBatch(page.docs, reference, source.spec, target, known, keyTypes);
    yield { check, resolved: 0, pushedDown: false, size: page.docs.length, next: page.next };
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
