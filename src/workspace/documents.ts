import type { ResolvedCollection, ResolvedConfig } from '../config/resolved-config.js';
import type { ParsedFilter } from '../core/filter.js';
import type { JsonObject } from '../core/json.js';
import { StewardError } from '../errors/steward-error.js';
import { scanDocuments } from '../stores/scan-pages.js';
import type { Segment } from '../stores/store.js';
import { withStores } from './with-stores.js';

/** Which documents of a declared collection to read. */
export interface FindInput {
  /** A collection declared in the config. */
  readonly collection: string;
  /** The portable filter language (see `parseFilter`); default every document. */
  readonly where?: ParsedFilter;
  /** At most this many documents; 0 or absent for all. */
  readonly limit?: number;
  /** Only this segment, as a worker of N would read it. */
  readonly segment?: Segment;
}

/**
 * Reads documents of a collection, streamed page by page, calling `onDocument` for each and
 * waiting for it (so a slow reader keeps memory flat); the store is closed when done. Filters
 * with anything outside the portable language are refused before the store is asked. Returns how
 * many documents it gave.
 */
export async function findDocuments(
  config: ResolvedConfig,
  input: FindInput,
  onDocument: (doc: JsonObject) => void | Promise<void>,
): Promise<number> {
  const collection = declaredCollection(config, input.collection);
  const limit = input.limit ?? 0;
  return withStores(config, [collection.store], async (stores) => {
    const handle = stores.get(collection.store)!.collection(collection.spec);
    let given = 0;
    for await (const doc of scanDocuments(handle, {
      filter: input.where ?? [],
      limit: 500,
      ...(input.segment ? { segment: input.segment } : {}),
    })) {
      if (limit > 0 && given >= limit) break;
      given++;
      await onDocument(doc);
    }
    return given;
  });
}

/** A count of a collection's documents. */
export interface CountResult {
  readonly collection: string;
  readonly count: number;
  /** True when it is the store's cheap estimate rather than an exact count. */
  readonly estimate: boolean;
}

/** Counts documents of a declared collection, exactly or (with `estimate`) by the store's estimate. */
export function countDocuments(
  config: ResolvedConfig,
  input: { readonly collection: string; readonly where?: ParsedFilter; readonly estimate?: boolean },
): Promise<CountResult> {
  const collection = declaredCollection(config, input.collection);
  const estimate = input.estimate === true;
  return withStores(config, [collection.store], async (stores) => {
    const handle = stores.get(collection.store)!.collection(collection.spec);
    const count = await handle.count({ filter: input.where ?? [], estimate });
    return { collection: collection.name, count, estimate };
  });
}

/** The collection of that name in the config: `collection.unknown` listing the declared ones otherwise. */
export function declaredCollection(config: ResolvedConfig, name: string): ResolvedCollection {
  const collection = config.collections.get(name);
  if (!collection) {
    const known = [...config.collections.keys()].join(', ') || 'none';
    throw new StewardError(
      'collection.unknown',
      `collection "${name}" is not declared in ${config.file ?? 'the config'} (declared: ${known})`,
      { collection: name },
    );
  }
  return collection;
}
