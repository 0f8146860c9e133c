import { type JsonObject, setField } from '../core/json.js';
import { StewardError } from '../errors/steward-error.js';
import type { ScanOptions } from './store.js';

/**
 * What a scan page's documents hold, from its options: whole documents, keys only, or the key
 * and some top-level fields (see {@link ScanOptions.fields}). Adapters read only what it names,
 * where their store allows, and then shape each document with {@link projectFields}.
 */
export type ScanShape =
  | { readonly kind: 'docs' }
  | { readonly kind: 'keys' }
  | { readonly kind: 'fields'; readonly fields: readonly string[] };

/**
 * The shape a scan asks for. `keysOnly` wins over `fields`; the key field among `fields` is
 * dropped (every shape holds it). Throws `input.invalid` for a field name that is empty or dotted:
 * a projection names top-level fields, so a caller that needs `a.b` asks for `a`.
 */
export function scanShape(options: ScanOptions, keyField: string, collection: string): ScanShape {
  if (options.keysOnly === true) return { kind: 'keys' };
  if (options.fields === undefined) return { kind: 'docs' };
  for (const field of options.fields)
    if (field === '' || field.includes('.'))
      throw new StewardError(
        'input.invalid',
        `scan of "${collection}": projected field "${field}" must be a top-level field name (for a path a.b, project a)`,
        { collection },
      );
  const fields = [...new Set(options.fields)].filter((f) => f !== keyField);
  return fields.length === 0 ? { kind: 'keys' } : { kind: 'fields', fields };
}

/** A short stable text of a shape, for caches keyed by what a scan returns (MongoDB's open cursors). */
export function shapeId(shape: ScanShape): string {
  return shape.kind === 'fields' ? `fields:${JSON.stringify(shape.fields)}` : shape.kind;
}

/**
 * The document holding the key field and those of `fields` that `doc` has as own fields, each
 * whole (objects and arrays as stored). Pure; a field `doc` lacks is absent, not null.
 */
export function projectFields(doc: JsonObject, keyField: string, fields: readonly string[]): JsonObject {
  const out: JsonObject = {};
  for (const field of [keyField, ...fields]) {
    const value = Object.hasOwn(doc, field) ? doc[field] : undefined;
    if (value !== undefined) setField(out, field, value);
  }
  return out;
}
