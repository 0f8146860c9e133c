import type { JsonObject } from '../../core/json.js';
import { estimatedCount } from '../../stores/estimated-count.js';
import { readAhead } from '../../stores/read-ahead.js';
import { scanPages } from '../../stores/scan-pages.js';
import { type DocKey, docKey, keyId, type Page, type WriteOp } from '../../stores/store.js';
import { parseStoredText } from '../../stores/stored-text.js';
import { maxListedFailures } from '../apply/apply-state.js';
import { contractAssumeVersion } from '../apply/contract-check.js';
import type { TargetCollection } from '../apply/migration-target.js';
import { readBeforeImages } from '../before-images.js';
import {
  ChecksumAccumulator,
  type DigestKind,
  digestKindOf,
  preferredDigestKind,
} from '../collection-checksum.js';
import type { Migration } from '../migration.js';
import { documentVersion } from '../transform-document.js';
import { exactDown } from './restore-plan.js';
import type { RollbackContext } from './rollback-context.js';
import type { RollbackProgress } from './rollback-state.js';

/** What the census needs to know of the migration being rolled back. */
export interface CensusSubject {
  readonly migration: Migration | undefined;
  readonly targetVersion: number;
  /** The collections `up` versioned: the census counts their documents by version. */
  readonly collections: readonly string[];
  /**
   * The checksums apply recorded of the collections as they were (the changelog's): the census sums
   * each collection in the same kind (`DigestKind`), for rollback to compare them.
   */
  readonly checksumsBefore: Readonly<Record<string, string>>;
}

/**
 * The census after the restore: every document of the versioned collections counted by the
 * version it carries. A document still at the target version is accounted for: it was there
 * before apply (its marker image says so), or it could not be restored (already reported), or it
 * arrived after apply; those are converted by an exact `down()` when the migration has one, and
 * otherwise counted in `remainingAtTarget` and listed. Zero remaining proves that no migrated
 * document was left behind. The same read sums each collection's checksum after the rollback.
 */
export async function censusPass(
  ctx: RollbackContext,
  subject: CensusSubject,
  start: RollbackProgress,
): Promise<{ progress: RollbackProgress; paused: boolean }> {
  let progress = start;
  for (let c = progress.census.collection; c < subject.collections.length; c++) {
    const target = ctx.target.collection(subject.collections[c]!);
    let after = progress.census.collection === c ? progress.census.after : null;
    const total = await estimatedCount(target.handle);
    let read = 0;
    const recorded = progress.census.checksums?.[target.name] ?? subject.checksumsBefore[target.name];
    const kind = recorded ? digestKindOf(recorded) : preferredDigestKind(target.handle);
    const texts = kind === 'stored-text';
    const pages = scanPages(target.handle, { after, limit: ctx.batchSize, ...censusShape(target, texts) });
    for await (const page of readAhead(pages)) {
      progress = await countPage(ctx, subject, target, kind, page, progress);
      read += page.docs.length;
      after = page.next;
      progress = { ...progress, census: { ...progress.census, collection: after ? c : c + 1, after } };
      await ctx.save(progress);
      ctx.onEvent?.({
        type: 'progress',
        migration: progress.id,
        stage: 'census',
        collection: target.name,
        counts: progress.counts,
        read,
        ...(total === undefined ? {} : { total }),
      });
      await ctx.throttle.take(page.docs.length, ctx.signal);
      if (ctx.signal?.aborted) return { progress, paused: true };
    }
  }
  return { progress, paused: false };
}

/**
 * What the census reads of each document. A `stored-text` census hashes the stored texts and
 * needs only the version field of each document (and the key), so it reads those projected beside
 * the texts: the rest of a document is parsed only for the few at the target version that `down()`
 * converts (issue 17, tenth pass, bench/tools/census-read-cpu.ts: 27% less CPU for the read of
 * documents with nested objects and arrays, whose parse makes many objects; the same on flat ones).
 * A version field whose name holds a dot cannot be projected (a projection names top-level fields
 * and refuses dotted ones); such a census reads whole documents.
 */
function censusShape(target: TargetCollection, texts: boolean): { texts: boolean; fields?: string[] } {
  if (!texts || target.versionField.includes('.')) return { texts };
  return { texts, fields: [target.versionField] };
}

async function countPage(
  ctx: RollbackContext,
  subject: CensusSubject,
  target: TargetCollection,
  kind: DigestKind,
  page: Page,
  progress: RollbackProgress,
): Promise<RollbackProgress> {
  const { docs, texts } = page;
  // A document to convert is parsed whole from its stored text where the page has texts: its
  // document there may be a projection (see `censusShape`). Few are: those written since apply.
  const whole = (i: number): JsonObject =>
    texts ? parseStoredText(texts[i]!, target.name, docKey(docs[i]!, target.spec)) : docs[i]!;
  const versions = { ...(progress.census.versions[target.name] ?? {}) };
  const assumed = contractAssumeVersion(ctx.contracts, target.name);
  const versionOf = (doc: JsonObject) => documentVersion(doc, target.versionField, assumed);
  const atTarget = docs.filter((doc) => versionOf(doc) === subject.targetVersion);
  const keys = atTarget.map((doc) => docKey(doc, target.spec)).filter((k): k is DocKey => k !== undefined);
  const images = await readBeforeImages(
    ctx.backups,
    { migration: progress.id, attempt: progress.attempt, collection: target.name },
    keys,
  );
  const rewrite = {
    migration: subject.migration,
    keyField: target.spec.keyField,
    versionField: target.versionField,
  };
  const conversions: { at: number; doc: JsonObject; to: JsonObject }[] = [];
  let { remainingAtTarget } = progress;
  const failures = [...progress.failures];
  let failed = progress.counts.failed;
  for (let i = 0; i < docs.length; i++) {
    const doc = docs[i]!;
    const key = docKey(doc, target.spec);
    const version = versionOf(doc);
    const image = key === undefined ? undefined : images.get(keyId(key));
    if (version !== subject.targetVersion || image) {
      // Before apply, or a marker, or a restore failure already reported: counted as found.
      if (version === subject.targetVersion && image?.doc) remainingAtTarget++;
      bump(versions, version);
      continue;
    }
    const from = whole(i);
    const to = exactDown(from, rewrite);
    if (to) conversions.push({ at: i, doc: from, to });
    else {
      remainingAtTarget++;
      bump(versions, version);
      failed++;
      if (failures.length < maxListedFailures)
        failures.push({
          collection: target.name,
          key: key ?? null,
          reason: `at version ${subject.targetVersion} but not migrated by this apply (written since?); ${subject.migration?.down ? 'down() does not give it back exactly' : 'the migration has no down() to convert it'}`,
        });
    }
  }
  const finals = await convert(target, conversions, versions);
  const sum = ChecksumAccumulator.from(progress.census.checksums?.[target.name], kind);
  for (let i = 0; i < docs.length; i++) {
    const final = finals.get(i);
    if (!final) sum.add(docs[i]!, texts?.[i]);
    else if (sum.kind === 'content') sum.add(final.doc);
    else if (final.textDigest) sum.addTextDigest(final.textDigest);
    else throw new Error('a stored-text census met a conversion without the digest of its text');
  }
  return {
    ...progress,
    census: {
      ...progress.census,
      versions: { ...progress.census.versions, [target.name]: versions },
      checksums: { ...progress.census.checksums, [target.name]: sum.result() },
    },
    converted: progress.converted + finals.size,
    remainingAtTarget,
    failures,
    counts: { ...progress.counts, failed },
  };
}

/**
 * Writes the `down()` conversions, each conditional on the document still being at the target.
 * Returns what each converted document became, by its place in the page (`at`), with the digest
 * of the text written where the store encodes (`Collection.encode`: the census's `stored-text` sum).
 */
async function convert(
  target: TargetCollection,
  conversions: readonly { at: number; doc: JsonObject; to: JsonObject }[],
  versions: Record<string, number>,
): Promise<Map<number, { doc: JsonObject; textDigest?: string }>> {
  const finals = new Map<number, { doc: JsonObject; textDigest?: string }>();
  if (conversions.length === 0) return finals;
  const encodings = conversions.map(({ to }) => target.handle.encode?.(to));
  const ops: WriteOp[] = conversions.map(({ doc, to }, i) => {
    const expect = {
      field: target.versionField,
      value: (doc[target.versionField] as number | undefined) ?? null,
    };
    const encoded = encodings[i];
    return encoded ? { type: 'replace', doc: to, encoded, expect } : { type: 'replace', doc: to, expect };
  });
  const results = await target.handle.write(ops);
  for (const [i, { at, doc, to }] of conversions.entries()) {
    const ok = results[i]?.status === 'ok';
    const textDigest = encodings[i]?.textDigest;
    if (ok) finals.set(at, textDigest === undefined ? { doc: to } : { doc: to, textDigest });
    bump(versions, documentVersion(ok ? to : doc, target.versionField));
  }
  return finals;
}

function bump(versions: Record<string, number>, version: number | undefined): void {
  const key = version === undefined ? 'invalid' : String(version);
  versions[key] = (versions[key] ?? 0) + 1;
}
