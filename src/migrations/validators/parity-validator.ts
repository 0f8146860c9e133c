import { isDeepStrictEqual } from 'node:util';
import { formatCount } from '../../core/format-count.js';
import { keyFraction } from '../../core/hash.js';
import type { JsonObject } from '../../core/json.js';
import { scanPages } from '../../stores/scan-pages.js';
import { type Collection, type DocKey, docKey, keyId } from '../../stores/store.js';
import type { ValidatorDefinition } from '../migration.js';
import { ProblemList, showKey, thrownMessage, type ValidatorResult } from './validator-result.js';

type ParityValidator = Extract<ValidatorDefinition, { kind: 'parity' }>;

/**
 * The documents as they were before the migration, by key id (`keyId`), for the keys asked.
 * Missing keys are absent. The dry run keeps them in memory; apply reads its before-images.
 */
export type OriginalsLookup = (
  collection: string,
  keys: readonly DocKey[],
) => Promise<ReadonlyMap<string, JsonObject>>;

/** Seed of the parity sample, so it never coincides with the dry run's or the canary's selection. */
const paritySeed = 'parity';

/**
 * Compares what a reader of the old shape sees with what a reader of the new shape sees, on a
 * deterministic sample of about `sample` documents chosen by key hash. With `originals`, the old
 * reader gets the document as it was before the migration and the new reader the document as it
 * is now, which is the comparison that matters after `up`; without, both read the same document.
 * Documents without a saved original (not migrated) are compared against themselves.
 */
export async function runParityValidator(
  v: ParityValidator,
  collection: Collection,
  options: { sample: number; originals?: OriginalsLookup },
): Promise<ValidatorResult> {
  const fraction = paritySampleFraction(await collection.count({ estimate: true }), options.sample);
  const problems = new ProblemList();
  let compared = 0;
  for await (const page of scanPages(collection, { limit: 500 })) {
    const docs = page.docs.filter((doc) => inParitySample(docKey(doc, collection.spec), fraction));
    const keys = docs.map((doc) => docKey(doc, collection.spec)).filter((k): k is DocKey => k !== undefined);
    const originals =
      options.originals && keys.length > 0 ? await options.originals(v.collection, keys) : undefined;
    for (const doc of docs) {
      compared++;
      const key = docKey(doc, collection.spec);
      const original = key === undefined ? undefined : originals?.get(keyId(key));
      const problem = compare(v, original ?? doc, doc);
      if (problem) problems.add(`${showKey(key)}: ${problem}`);
    }
  }
  const ok = problems.total === 0;
  const message = ok
    ? `old and new read shapes agree on ${formatCount(compared)} sampled document(s) of ${v.collection}`
    : `old and new read shapes differ on ${formatCount(problems.total)} of ${formatCount(compared)} sampled document(s) of ${v.collection}`;
  return { name: v.name, kind: 'parity', ok, message, problems: problems.items };
}

function compare(v: ParityValidator, oldDoc: JsonObject, newDoc: JsonObject): string | undefined {
  let before: unknown;
  let after: unknown;
  try {
    before = v.before(structuredClone(oldDoc));
  } catch (error) {
    return `before() threw: ${thrownMessage(error)}`;
  }
  try {
    after = v.after(structuredClone(newDoc));
  } catch (error) {
    return `after() threw: ${thrownMessage(error)}`;
  }
  if (isDeepStrictEqual(before, after)) return undefined;
  return `before() gives ${preview(before)}, after() gives ${preview(after)}`;
}

/** The key-hash fraction that draws about `sample` of `estimate` documents. */
export function paritySampleFraction(estimate: number, sample: number): number {
  return estimate <= sample ? 1 : sample / estimate;
}

/**
 * Whether a document is in the parity sample. Exported so the dry run keeps the originals of
 * exactly the documents parity will compare.
 */
export function inParitySample(key: DocKey | undefined, fraction: number): boolean {
  return fraction >= 1 || key === undefined || keyFraction(keyId(key), paritySeed) < fraction;
}

function preview(value: unknown): string {
  const text = value === undefined ? 'undefined' : JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
