import { keyFraction } from '../core/hash.js';
import type { JsonObject } from '../core/json.js';
import { StewardError } from '../errors/steward-error.js';
import { docKey, type KeySample, keyId, type Page } from './store.js';

/**
 * True when a key, as its {@link keyId}, is in the sample of `percent` drawn with `seed`: its
 * `keyFraction` under `percent / 100`, or always at 100 and above. What apply's canary is
 * (`inCanary`), and what SQLite's `steward_sample` computes over its `k` column, which holds ids.
 */
export function idInSample(id: string, seed: string, percent: number): boolean {
  return percent >= 100 || keyFraction(id, seed) < percent / 100;
}

/** Whether a document passes a {@link KeySample}: a keyless document counts as inside. */
export function inKeySample(doc: JsonObject, keyField: string, sample: KeySample): boolean {
  const key = docKey(doc, { name: '', keyField });
  if (key === undefined) return sample.inside;
  return idInSample(keyId(key), sample.seed, sample.percent) === sample.inside;
}

/**
 * A page cut down to the documents of a sample, for stores that cannot ask their server for it:
 * the token stays the full page's, so paging is unchanged (a page may come back short, or empty
 * with a `next`).
 */
export function samplePage(page: Page, keyField: string, sample: KeySample | undefined): Page {
  if (!sample) return page;
  return { docs: page.docs.filter((doc) => inKeySample(doc, keyField, sample)), next: page.next };
}

/** Validates a sample before any adapter uses it: a bad percentage would select nothing, or all. */
export function checkSample(sample: KeySample | undefined, collection: string): KeySample | undefined {
  if (!sample) return undefined;
  if (typeof sample.seed !== 'string' || !Number.isFinite(sample.percent) || sample.percent < 0)
    throw new StewardError(
      'input.invalid',
      `key sample ${JSON.stringify(sample)} is not valid for collection "${collection}": a string seed and a percent of 0 or more`,
      { collection },
    );
  return sample;
}
