import type { Document } from 'mongodb';
import type { Condition, ParsedFilter } from '../../core/filter.js';

/**
 * Translates steward's portable filter into a MongoDB query. MongoDB's own semantics already
 * agree with `matchesFilter`: equality to null also matches a missing field, and type bracketing
 * makes number bounds match only numbers and string bounds only strings (checked on FerretDB
 * 1.24 too). One difference is left: MongoDB compares into arrays (`{tags: 'a'}` matches
 * `tags: ['a']`), where the portable language compares scalar fields only and never matches an
 * array; filters on array fields are outside the portable language.
 */
export function toMongoFilter(filter: ParsedFilter | undefined): Document {
  if (!filter || filter.length === 0) return {};
  const parts = filter.map(toMongoCondition);
  return parts.length === 1 ? parts[0]! : { $and: parts };
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
      return { [c.path]: { $eq: c.value } };
    case 'in':
      return { [c.path]: { $in: c.values } };
    case 'exists':
      return { [c.path]: { $exists: c.exists } };
    case 'range': {
      const range: Document = {};
      if (c.bounds.gt !== undefined) range.$gt = c.bounds.gt;
      if (c.bounds.gte !== undefined) range.$gte = c.bounds.gte;
      if (c.bounds.lt !== undefined) range.$lt = c.bounds.lt;
      if (c.bounds.lte !== undefined) range.$lte = c.bounds.lte;
      return { [c.path]: range };
    }
  }
}
