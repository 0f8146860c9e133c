import { copyPlain, isPlainObject, type ReadableDoc, readField, writeField } from './plain-copy.js';
import {
  assumeVersionOf,
  checkAssumed,
  resolveTarget,
  type VersionedReaderOptions,
  validatorFor,
} from './reader-config.js';
import {
  type ReadSite,
  upcasterFailed,
  upcasterResult,
  versionInvalid,
  versionMissing,
  versionNewer,
  versionOlder,
} from './reader-errors.js';
import { checkUpcasters, isVersion, type UpcasterChain } from './upcaster-chain.js';

export type { VersionedReaderOptions } from './reader-config.js';

/** Reads documents of any supported schema version as the one version a service is written for. */
export interface VersionedReader<T = ReadableDoc> {
  readonly collection: string;
  readonly versionField: string;
  readonly latest: number;
  /** The oldest version it reads: the lowest upcaster's, or `latest` when there are none. */
  readonly oldest: number;
  /**
   * The document at version `latest`, upcast one version at a time. The argument is never changed;
   * a document already at `latest` is returned as it is, not copied. Throws `input.invalid` when
   * the document cannot be read (see `ReaderProblem` for the reasons).
   */
  read(doc: object): T;
  /** The version the reader takes the document to be at (`assumeVersion` when it has none); undefined when it has no usable one. */
  versionOf(doc: object): number | undefined;
  /** True when {@link read} would upcast the document; it does not run the upcasters or the validation. */
  canRead(doc: object): boolean;
}

/**
 * Makes a reader for one collection, as a service does at start-up. Pure: no I/O, nothing shared;
 * the configuration is checked here, so a missing upcaster fails the start, not a request.
 * The type parameter is what `read` claims to return; only `validate` checks it at run time.
 */
export function createVersionedReader<T = ReadableDoc>(options: VersionedReaderOptions): VersionedReader<T> {
  const { collection, versionField, latest } = resolveTarget(options);
  const chain = checkUpcasters(collection, options.upcasters ?? {}, latest);
  // A version the service chose must be one it reads; the contract's may be older than the
  // service reads, and its documents are then refused as too old when met, like any other.
  const assumeVersion = assumeVersionOf(options, collection);
  const assumed = checkAssumed(collection, chain, options.assumeVersion) ?? assumeVersion;
  const check = options.validate ? validatorFor(options, collection, latest) : undefined;

  const versionOf = (doc: object): number | undefined => {
    const stored = readField(doc as ReadableDoc, versionField);
    if (stored === undefined || stored === null) return assumed;
    return isVersion(stored) ? stored : undefined;
  };
  // The key is looked up only when an error names it: reads that succeed pay nothing for it.
  const siteOf = (doc: object): ReadSite => ({
    collection,
    get key() {
      return keyOf(doc as ReadableDoc, options.keyField);
    },
  });

  return {
    collection,
    versionField,
    latest,
    oldest: chain.oldest,
    versionOf,
    canRead(doc) {
      const version = versionOf(doc);
      return version !== undefined && version >= chain.oldest && version <= latest;
    },
    read(doc) {
      const site = siteOf(doc);
      const version = knownVersion(doc as ReadableDoc, site, versionField, assumed, chain);
      const result = version === latest ? (doc as ReadableDoc) : upcast(doc as ReadableDoc, version, site);
      check?.(result, site);
      return result as T;
    },
  };

  function upcast(doc: ReadableDoc, from: number, site: ReadSite): ReadableDoc {
    let current = copyPlain(doc);
    for (let step = from; step < latest; step++) {
      current = applyStep(chain, current, step, site, versionField);
    }
    return current;
  }
}

/** The document's version, or the error saying why it cannot be read. */
function knownVersion(
  doc: ReadableDoc,
  site: ReadSite,
  versionField: string,
  assumed: number | undefined,
  chain: UpcasterChain,
): number {
  const stored = readField(doc, versionField);
  let version: number;
  if (stored === undefined || stored === null) {
    if (assumed === undefined) throw versionMissing(site, versionField);
    version = assumed;
  } else if (isVersion(stored)) {
    version = stored;
  } else {
    throw versionInvalid(site, versionField, stored);
  }
  if (version > chain.latest) throw versionNewer(site, version, chain.latest);
  if (version < chain.oldest) throw versionOlder(site, version, chain.oldest);
  return version;
}

/**
 * One upcast. An upcaster that leaves the version field as it was (or removes it) gets it set to
 * `from + 1`: forgetting that line is the common slip, and the intent is plain. Any other value is
 * an error, because the upcaster then claims to produce a version it was not registered for.
 */
function applyStep(
  chain: UpcasterChain,
  doc: ReadableDoc,
  from: number,
  site: ReadSite,
  versionField: string,
): ReadableDoc {
  const before = readField(doc, versionField);
  let out: unknown;
  try {
    out = chain.steps.get(from)!(doc);
  } catch (error) {
    throw upcasterFailed(site, from, error);
  }
  if (!isPlainObject(out)) throw upcasterResult(site, from, `returned ${describe(out)}, not a document`);
  const after = readField(out, versionField);
  if (after === from + 1) return out;
  if (after === undefined || after === null || after === before)
    return writeField(out, versionField, from + 1);
  throw upcasterResult(
    site,
    from,
    `set "${versionField}" to ${JSON.stringify(after)}; it must be ${from + 1}, or left for the reader to set`,
  );
}

/** The key as errors show it: quoted when a string, `$oid` or the value's own text otherwise. */
function keyOf(doc: ReadableDoc, keyField: string | undefined): string | undefined {
  const field = keyField ?? ['_id', 'id'].find((f) => doc[f] !== undefined);
  const key = field === undefined ? undefined : readField(doc, field);
  if (key === undefined || key === null) return undefined;
  if (typeof key === 'string') return JSON.stringify(key);
  if (isPlainObject(key) && typeof key.$oid === 'string') return key.$oid;
  const text = String(key);
  return text === '[object Object]' ? JSON.stringify(key) : text;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object'
    ? `an instance of ${value.constructor?.name ?? 'an object'}`
    : typeof value;
}
