import { parseFilter } from '../../core/filter.js';
import { formatCount } from '../../core/format-count.js';
import { canonicalJson } from '../../core/json.js';
import type { Collection } from '../../stores/store.js';
import type { ValidatorDefinition } from '../migration.js';
import type { ValidatorResult } from './validator-result.js';

type CountValidator = Extract<ValidatorDefinition, { kind: 'count' }>;

/** Counts the documents matching `where` (an exact count) and checks it against `min` and `max`. */
export async function runCountValidator(v: CountValidator, collection: Collection): Promise<ValidatorResult> {
  const filter = v.where ? parseFilter(v.where, `validator "${v.name}" where`) : undefined;
  const n = await collection.count(filter ? { filter } : {});
  const what = v.where
    ? `${formatCount(n)} document(s) of ${v.collection} where ${canonicalJson(v.where)}`
    : `${formatCount(n)} document(s) in ${v.collection}`;
  const low = v.min !== undefined && n < v.min;
  const high = v.max !== undefined && n > v.max;
  const bounds = [
    v.min !== undefined ? `at least ${formatCount(v.min)}` : '',
    v.max !== undefined ? `at most ${formatCount(v.max)}` : '',
  ]
    .filter(Boolean)
    .join(' and ');
  const ok = !low && !high;
  const message = bounds === '' ? what : `${what}; expected ${bounds}`;
  return { name: v.name, kind: 'count', ok, message, problems: ok ? [] : [message] };
}
