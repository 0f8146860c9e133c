import type { JsonSchema } from '../compatibility/schema-change.js';
import type { Contract } from '../contract.js';
import { SchemaRegistry, schemaFailures } from '../schema-registry.js';
import type { ReadableDoc } from './plain-copy.js';
import { badReaderConfig, type ReadSite, schemaInvalid } from './reader-errors.js';
import { isVersion, type UpcasterChain, type Upcasters } from './upcaster-chain.js';

/** How a service configures a versioned reader; see `createVersionedReader`. */
export interface VersionedReaderOptions {
  /** Takes `collection`, `versionField` and `latest` (its newest version) from a loaded contract. */
  readonly contract?: Contract;
  /** The collection's name, for messages. Required without a contract. */
  readonly collection?: string;
  /** The field holding the schema version; dotted paths reach into objects. Default `schemaVersion`. */
  readonly versionField?: string;
  /** The version this service works with; every read returns a document of it. Required without a contract. */
  readonly latest?: number;
  /** Upcasters by the version they start from. The lowest key is the oldest version readable. */
  readonly upcasters?: Upcasters;
  /**
   * The version of a document without a version field; default the contract's `assumeVersion`.
   * Without either such a document is an error.
   */
  readonly assumeVersion?: number;
  /** The field holding a document's key, named in errors. Default: `_id` or `id`, whichever is present. */
  readonly keyField?: string;
  /**
   * Checks each result against the schema of version `latest`: the contract's, or `schema`.
   * Costs a validation per read; meant for tests, canaries and the first weeks of a new version.
   */
  readonly validate?: boolean;
  /** The schema to validate against, instead of the contract's. */
  readonly schema?: JsonSchema;
  /** Compiles the schema; pass `loadContracts(...).registry` when it `$ref`s shared schemas. */
  readonly registry?: SchemaRegistry;
}

/** Where collection, version field and latest come from: the options, else the contract. */
export function resolveTarget(options: VersionedReaderOptions): {
  collection: string;
  versionField: string;
  latest: number;
} {
  const { contract } = options;
  const collection = options.collection ?? contract?.collection;
  if (!collection) throw badReaderConfig('(unnamed)', 'give a collection name or a contract');
  const same = (field: string, given: unknown, declared: unknown) => {
    if (contract && given !== undefined && given !== declared) {
      throw badReaderConfig(
        collection,
        `${field} ${JSON.stringify(given)} differs from the contract's ${JSON.stringify(declared)} (${contract.file}); leave it out to use the contract's`,
      );
    }
  };
  same('collection', options.collection, contract?.collection);
  same('versionField', options.versionField, contract?.versionField);
  const versionField = options.versionField ?? contract?.versionField ?? 'schemaVersion';
  const latest = options.latest ?? contract?.versions.at(-1)?.version;
  if (latest === undefined)
    throw badReaderConfig(collection, 'give latest (the version the service reads) or a contract');
  if (contract && !contract.versions.some((v) => v.version === latest)) {
    throw badReaderConfig(collection, `latest ${latest} is not a version of the contract (${contract.file})`);
  }
  return { collection, versionField, latest };
}

/**
 * The version of documents without one: the option, else the contract's. An option that differs
 * from the contract's declaration is a configuration error, so a service cannot read unversioned
 * documents as another version than verify and migrations do.
 */
export function assumeVersionOf(options: VersionedReaderOptions, collection: string): number | undefined {
  const declared = options.contract?.assumeVersion;
  if (options.assumeVersion !== undefined && declared !== undefined && options.assumeVersion !== declared)
    throw badReaderConfig(
      collection,
      `assumeVersion ${options.assumeVersion} differs from the contract's ${declared} (${options.contract?.file}); leave it out to use the contract's`,
    );
  return options.assumeVersion ?? declared;
}

/** The version assumed for documents without one, checked to be one the chain reads. */
export function checkAssumed(
  collection: string,
  chain: UpcasterChain,
  assumed: number | undefined,
): number | undefined {
  if (assumed === undefined) return undefined;
  if (!isVersion(assumed) || assumed < chain.oldest || assumed > chain.latest) {
    throw badReaderConfig(
      collection,
      `assumeVersion ${assumed} is not a version this reader reads (${chain.oldest} to ${chain.latest})`,
    );
  }
  return assumed;
}

/** A validation step against the schema of version `latest`. */
export function validatorFor(
  options: VersionedReaderOptions,
  collection: string,
  latest: number,
): (doc: ReadableDoc, site: ReadSite) => void {
  const schema = options.schema ?? options.contract?.versions.find((v) => v.version === latest)?.schema;
  if (schema === undefined) throw badReaderConfig(collection, 'validate needs a contract or a schema');
  const registry = options.registry ?? new SchemaRegistry();
  const where = options.contract
    ? `${options.contract.file} version ${latest}`
    : `${collection} version ${latest}`;
  const validate = registry.validator(schema, where);
  return (doc: ReadableDoc, site: ReadSite) => {
    if (!validate(doc)) throw schemaInvalid(site, latest, schemaFailures(validate.errors));
  };
}
