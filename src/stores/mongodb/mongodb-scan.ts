import type { Document, Collection as DriverCollection, FindOptions } from 'mongodb';
import type { JsonObject } from '../../core/json.js';
import { StewardError } from '../../errors/steward-error.js';
import { projectFields, type ScanShape, scanShape, shapeId } from '../projected-fields.js';
import { checkSegment } from '../segment.js';
import type { Page, ScanOptions } from '../store.js';
import { toJsonDoc } from './ejson.js';
import { andQueries, toMongoFilter } from './filter-to-mongo.js';
import { keyAfter, keyBefore } from './key-order.js';
import { ScanCursors } from './scan-cursors.js';
import { decodeToken, encodeToken, type ScanPosition } from './scan-token.js';
import type { SegmentBounds } from './segment-bounds.js';

/**
 * Reads one page of a scan in ascending `_id` order, one round trip (plus the segment bounds on a
 * segment's first page). Pages always go by `_id`, MongoDB's one key that is unique in every
 * collection, whatever the collection's keyField; the token holds the last `_id` returned.
 * On MongoDB a page is a range scan of the `_id` index. FerretDB 1.24 on SQLite pushes neither
 * filter, sort nor limit down (its explain says so), so there every page reads the whole
 * collection: correct, but a full scan costs O(n^2 / limit) there.
 */
export async function scanPage(
  collection: DriverCollection,
  keyField: string,
  bounds: SegmentBounds,
  cursors: ScanCursors,
  options: ScanOptions,
): Promise<Page> {
  const limit = Math.max(1, Math.floor(options.limit ?? 500));
  const name = collection.collectionName;
  const position = await startPosition(collection, bounds, options);
  if (!position) return { docs: [], next: null };
  const shape = scanShape(options, keyField, name);
  const cached = shapeId(shape);
  const cursor =
    (options.after && cursors.take(ScanCursors.key(name, options.after, options.filter, cached))) ||
    collection
      .find(andQueries(toMongoFilter(options.filter), positionQuery(position)), findOptions(keyField, shape))
      .sort({ _id: 1 })
      .batchSize(Math.min(limit, 1000));
  const docs: Document[] = [];
  while (docs.length < limit) {
    const doc = await cursor.next();
    if (!doc) break;
    docs.push(doc);
  }
  const last = docs.at(-1);
  const page = docs.map((doc) => shaped(doc, keyField, shape));
  if (docs.length < limit || !last) {
    await cursor.close();
    return { docs: page, next: null };
  }
  const next = encodeToken({ ...position, after: last._id });
  cursors.keep(ScanCursors.key(name, next, options.filter, cached), cursor);
  return { docs: page, next };
}

/**
 * A keys-only scan projects `_id`, which pages go by, and the key field: no other field is sent
 * or decoded; a projected scan those and its fields. A full scan projects nothing.
 */
function findOptions(keyField: string, shape: ScanShape): FindOptions {
  if (shape.kind === 'docs') return {};
  const fields = shape.kind === 'fields' ? shape.fields : [];
  return { projection: Object.fromEntries(['_id', keyField, ...fields].map((f) => [f, 1])) };
}

/** A page's document in the scan's shape (`_id` was read for paging, kept only when asked for). */
function shaped(doc: Document, keyField: string, shape: ScanShape): JsonObject {
  if (shape.kind === 'docs') return toJsonDoc(doc);
  if (shape.kind === 'keys') return keyDoc(doc, keyField);
  return projectFields(toJsonDoc(doc), keyField, shape.fields);
}

/** A keys-only document: the key field alone, converted as a full scan converts it (`_id` was read for paging). */
function keyDoc(doc: Document, keyField: string): JsonObject {
  return toJsonDoc(keyField in doc ? { [keyField]: doc[keyField] } : {});
}

async function startPosition(
  collection: DriverCollection,
  bounds: SegmentBounds,
  options: ScanOptions,
): Promise<ScanPosition | null> {
  const name = collection.collectionName;
  const segment = options.segment && checkSegment(options.segment, name);
  if (options.after) {
    const position = decodeToken(options.after, name);
    if (segment && (position.segment?.[0] !== segment.index || position.segment?.[1] !== segment.total)) {
      throw new StewardError(
        'input.invalid',
        `scan token for collection ${name} belongs to another segment than ${segment.index} of ${segment.total}; resume each segment with its own token`,
        { collection: name },
      );
    }
    return position;
  }
  if (!segment) return {};
  const where: ScanPosition = { segment: [segment.index, segment.total] };
  if (segment.total === 1) return where;
  const all = await bounds.get(collection, segment.total);
  const lo = segment.index === 0 ? undefined : all[segment.index - 1];
  const hi = segment.index === segment.total - 1 ? undefined : all[segment.index];
  if (lo === null) return null;
  return { ...where, ...(lo && { lo: lo.value }), ...(hi && { hi: hi.value }) };
}

function positionQuery(position: ScanPosition): Document {
  const lower =
    'after' in position
      ? keyAfter('_id', position.after, false)
      : 'lo' in position
        ? keyAfter('_id', position.lo, true)
        : {};
  const upper = 'hi' in position ? keyBefore('_id', position.hi) : {};
  return andQueries(lower, upper);
}
