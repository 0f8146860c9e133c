import type { JsonSchema } from '../server-route.js';

/**
 * A name in a path or a query: a collection, a service, a flag, a derived state. Letters, digits
 * and `._-:` only, so no path traversal (`..` is refused too) and nothing a store could read as
 * an operator.
 */
export const nameSchema: JsonSchema = {
  type: 'string',
  minLength: 1,
  maxLength: 128,
  pattern: '^(?!.*\\.\\.)[A-Za-z0-9_][A-Za-z0-9_.:-]*$',
};

/** A path parameter object of one name. */
export function nameParams(...names: string[]): JsonSchema {
  return {
    type: 'object',
    properties: Object.fromEntries(names.map((n) => [n, nameSchema])),
    required: names,
    additionalProperties: false,
  };
}

/** Paging by offset and limit; answers carry `total`. */
export const pagingProperties = {
  offset: { type: 'integer', minimum: 0, default: 0 },
  limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
} as const;

/** One page of a list, with the total before paging. */
export function page<T>(items: readonly T[], offset: number, limit: number) {
  return { total: items.length, offset, limit, items: items.slice(offset, offset + limit) };
}
