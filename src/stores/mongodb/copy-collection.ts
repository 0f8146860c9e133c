import type { Db, Document } from 'mongodb';
import { keyFraction } from '../../core/hash.js';
import { StewardError } from '../../errors/steward-error.js';
import type { CollectionSpec, CopyOptions, CopyResult } from '../store.js';
import { storedKeyId } from './ejson.js';
import { hasCode } from './mongodb-errors.js';

const batchSize = 1000;

/**
 * Copies a collection, or the deterministic sample of it whose keys hash below `fraction`, into a
 * freshly dropped target, in batches of 1000 so the collection never sits in memory. Values are
 * copied as stored (no JSON round trip, so Int64 and Decimal128 keep their type), and so are the
 * source's indexes (keys, names, unique, sparse), so a dry run meets the same unique constraints.
 * TTL, partial filters and collations are not copied: a sandbox must not expire documents, and
 * FerretDB 1.24 refuses those options (code 238, not implemented).
 */
export async function copyCollection(
  db: Db,
  source: CollectionSpec,
  target: CollectionSpec,
  options: CopyOptions = {},
): Promise<CopyResult> {
  const keep = sampler(source, options);
  if (source.name === target.name) {
    throw new StewardError('input.invalid', `cannot copy collection ${source.name} onto itself`, {
      collection: source.name,
    });
  }
  await db.collection(target.name).drop().catch(ignoreCode(26));
  await db.createCollection(target.name);
  await copyIndexes(db, source.name, target.name);
  const into = db.collection(target.name);
  const cursor = db.collection(source.name).find({}, { batchSize, promoteValues: false });
  let batch: Document[] = [];
  let copied = 0;
  for await (const doc of cursor) {
    if (!keep(doc)) continue;
    batch.push(doc);
    if (batch.length < batchSize) continue;
    await into.insertMany(batch, { ordered: false });
    copied += batch.length;
    batch = [];
  }
  if (batch.length > 0) await into.insertMany(batch, { ordered: false });
  return { copied: copied + batch.length };
}

function sampler(source: CollectionSpec, options: CopyOptions): (doc: Document) => boolean {
  const { fraction, seed = '' } = options;
  if (fraction === undefined) return () => true;
  if (!(fraction > 0 && fraction <= 1)) {
    const message = `copy fraction ${fraction} is not in (0, 1]; use for example 0.1`;
    throw new StewardError('input.invalid', message, { collection: source.name });
  }
  return (doc) => keyFraction(storedKeyId(doc[source.keyField]), seed) < fraction;
}

async function copyIndexes(db: Db, source: string, target: string): Promise<void> {
  const indexes = await db.collection(source).listIndexes().toArray().catch(ignoreCode(26));
  const specs = (indexes ?? [])
    .filter((index) => index.name !== '_id_')
    .map((index) => ({
      key: index.key,
      name: index.name,
      ...(index.unique === true && { unique: true }),
      ...(index.sparse === true && { sparse: true }),
    }));
  if (specs.length > 0) await db.collection(target).createIndexes(specs);
}

/** A catch handler that swallows server errors with the given code (26: namespace not found). */
export function ignoreCode(code: number): (error: unknown) => undefined {
  return (error) => {
    if (!hasCode(error, code)) throw error;
    return undefined;
  };
}
