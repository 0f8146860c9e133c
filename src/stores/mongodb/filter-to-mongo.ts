import { BSON, type Document } from 'mongodb';
import { type Condition, type FilterValue, isTyped, type ParsedFilter } from '../../core/filter.js';

/**
 * Translates steward's portable filter into a MongoDB query that selects exactly what
 * `matchesFilter` selects.
 *
 * MongoDB already agrees on most of it: equality to null also matches a missing field, and type
 * bracketing makes number bounds match only numbers and string bounds only strings (both checked
 * on FerretDB 1.24 too). It differs on arrays: MongoDB compares into them (`{tags: 'a'}` matches
 * `tags: ['a']`, `{'lines.sku': 'x'}` matches `lines: [{sku: 'x'}]`), where the portable language
 * reads a dotted path through objects only and never compares an array. So each condition is
 * guarded with `$type: 'array'` on the path and its prefixes: a value condition requires that
 * none of them is an array, and "null or missing" (which `matchesFilter` also sees when a prefix
 * is an array) accepts a prefix that is one.
 *
 * Typed values (Extended JSON: `$oid`, `$date`, `$numberDecimal`, UUID `$binary`, `$numberLong`)
 * become the BSON values they stand for, so `{_id: {$oid: ...}}` finds an ObjectId key natively.
 */
export function toMongoFilter(filter: ParsedFilter | undefined): Document {
  return andQueries(...(filter ?? []).map(toMongoCondition));
}

/** Conjunction of queries, leaving out empty ones; `{}` when all are empty. */
export function andQueries(...queries: Document[]): Document {
  const parts = queries.filter((q) => Object.keys(q).length > 0);
  if (parts.length <= 1) return parts[0] ?? {};
  return { $and: parts };
}

function toMongoCondition(c: Condition): Document {
  switch (c.op) {
    case 'eq':
      return c.value === null ? nullOrMissing(c.path) : scalarAt(c.path, { $eq: bson(c.value) });
    case 'in': {
      const values = c.values.filter((v) => v !== null).map(bson);
      const branches = [
        ...(values.length > 0 || c.values.length === 0 ? [scalarAt(c.path, { $in: values })] : []),
        ...(values.length < c.values.length ? [nullOrMissing(c.path)] : []),
      ];
      return branches.length === 1 ? branches[0]! : { $or: branches };
    }
    case 'exists':
      return c.exists
        ? andQueries(...prefixes(c.path).map(notArray), { [c.path]: { $exists: true } })
        : { $or: [{ [c.path]: { $exists: false } }, ...prefixes(c.path).map(isArray)] };
    case 'range': {
      const { gt, gte, lt, lte } = c.bounds;
      const range = { $gt: gt, $gte: gte, $lt: lt, $lte: lte };
      const set = Object.fromEntries(
        Object.entries(range)
          .filter(([, bound]) => bound !== undefined)
          .map(([op, bound]) => [op, bson(bound as FilterValue)]),
      );
      return scalarAt(c.path, set);
    }
  }
}

/** A filter value as the driver compares it: typed values in canonical Extended JSON, so an Int64 stays one. */
function bson(value: FilterValue): unknown {
  return isTyped(value)
    ? (BSON.EJSON.deserialize({ v: value }, { relaxed: false }) as { v: unknown }).v
    : value;
}

/** The value at `path`, reached through objects only and not itself an array, meets `condition`. */
function scalarAt(path: string, condition: Document): Document {
  return andQueries(...[...prefixes(path), path].map(notArray), { [path]: condition });
}

/** What `matchesFilter` reads as null: null, missing, or a path that runs into an array. */
function nullOrMissing(path: string): Document {
  const direct = andQueries(notArray(path), { [path]: { $eq: null } });
  const intoArray = prefixes(path).map(isArray);
  return intoArray.length === 0 ? direct : { $or: [direct, ...intoArray] };
}

/** The proper prefixes of a dotted path: `a.b.c` gives `a`, `a.b`. */
function prefixes(path: string): string[] {
  const steps = path.split('.');
  return steps.slice(1).map((_, i) => steps.slice(0, i + 1).join('.'));
}

function notArray(path: string): Document {
  return { [path]: { $not: { $type: 'array' } } };
}

function isArray(path: string): Document {
  return { [path]: { $type: 'array' } };
}
