import type { ReadableDoc } from './plain-copy.js';
import { badReaderConfig, upcasterGap } from './reader-errors.js';

/**
 * Turns a document of version `from` into one of version `from + 1`. It may change its argument
 * (the reader hands it a copy) or return a new object. Setting the version field is optional: the
 * reader sets it to `from + 1` when the upcaster leaves it as it was.
 */
export type Upcaster = (doc: ReadableDoc) => ReadableDoc;

/** Upcasters by the version they upcast from: `{ 1: v1ToV2, 2: v2ToV3 }`. */
export type Upcasters = Readonly<Record<number, Upcaster>>;

/** The checked chain: every step from `oldest` to `latest - 1` has an upcaster. */
export interface UpcasterChain {
  readonly oldest: number;
  readonly latest: number;
  readonly steps: ReadonlyMap<number, Upcaster>;
}

/**
 * Checks the upcasters once, when the reader is made, so a gap is found at start-up rather than
 * on the first old document in production. Reports the lowest missing step.
 */
export function checkUpcasters(collection: string, upcasters: Upcasters, latest: number): UpcasterChain {
  if (!isVersion(latest))
    throw badReaderConfig(collection, `latest must be a version (1, 2, ...), got ${latest}`);
  const steps = new Map<number, Upcaster>();
  for (const [raw, upcaster] of Object.entries(upcasters)) {
    const from = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
    if (!isVersion(from)) throw badReaderConfig(collection, `upcaster key "${raw}" is not a version`);
    if (from >= latest) {
      throw badReaderConfig(collection, `upcasters[${from}] would upcast past the latest version ${latest}`);
    }
    if (typeof upcaster !== 'function')
      throw badReaderConfig(collection, `upcasters[${from}] is not a function`);
    steps.set(from, upcaster);
  }
  const oldest = Math.min(latest, ...steps.keys());
  for (let from = oldest; from < latest; from++) {
    if (!steps.has(from)) throw upcasterGap(collection, from, oldest, latest);
  }
  return { oldest, latest, steps };
}

/** Versions are the integers 1, 2, 3...: what contracts declare. */
export function isVersion(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1;
}
