import { isJsonObject, type JsonValue } from '../core/json.js';
import type { JsonSchema } from './compatibility/schema-change.js';

/**
 * Field paths, the names consumers, deprecations and the impact map use for fields: dotted
 * (`lead.officerId`), with `[]` for the objects inside an array (`lines[].sku`). The schema diff
 * speaks JSON pointers; these helpers translate between the two.
 */

/** Every field path a schema declares, parents included (`lead` and `lead.officerId`). */
export function fieldPathsOf(schema: JsonSchema): Set<string> {
  const out = new Set<string>();
  collect(schema, '', out);
  return out;
}

const inPlace = ['allOf', 'anyOf', 'oneOf', 'then', 'else', 'dependentSchemas'] as const;
const itemKeys = ['items', 'prefixItems', 'additionalItems'] as const;

/**
 * Fields declared in `properties`, also inside the applicators that apply in place (`allOf`,
 * `anyOf`, `oneOf`, `then`, `else`, `dependentSchemas`), and items of arrays and tuples
 * (`items`, `prefixItems`, draft-07 `items: [...]` and `additionalItems`) as `[]`.
 */
function collect(schema: JsonValue | undefined, prefix: string, out: Set<string>, depth = 0): void {
  if (!isJsonObject(schema) || depth > 32) return;
  if (isJsonObject(schema.properties)) {
    for (const [name, sub] of Object.entries(schema.properties)) {
      if (sub === false) continue;
      const path = prefix === '' ? name : `${prefix}.${name}`;
      out.add(path);
      collect(sub, path, out, depth + 1);
    }
  }
  for (const key of inPlace) {
    const sub = schema[key];
    if (sub === undefined) continue;
    const list = Array.isArray(sub)
      ? sub
      : key === 'dependentSchemas' && isJsonObject(sub)
        ? Object.values(sub)
        : [sub];
    for (const s of list) collect(s, prefix, out, depth + 1);
  }
  for (const key of itemKeys) {
    const sub = schema[key];
    if (sub === undefined) continue;
    for (const s of Array.isArray(sub) ? sub : [sub]) collect(s, `${prefix}[]`, out, depth + 1);
  }
}

/**
 * The field a JSON pointer into a schema is about: `/properties/lead/properties/officerId` is
 * `lead.officerId`, `/properties/lines/items/properties/sku` is `lines[].sku`, and a keyword at the
 * end (`/properties/status/enum`) belongs to its field. The root is `''`.
 */
export function pointerToFieldPath(pointer: string): string {
  const steps = pointer.split('/').slice(1).map(unescapePointer);
  let path = '';
  for (let i = 0; i < steps.length; i++) {
    if (steps[i] === 'properties' && i + 1 < steps.length) {
      const name = steps[++i] as string;
      path = path === '' ? name : `${path}.${name}`;
    } else if (steps[i] === 'items') {
      path = `${path}[]`;
    } else {
      break;
    }
  }
  return path;
}

/** Decodes one step of a JSON pointer (RFC 6901). */
export function unescapePointer(step: string): string {
  return step.replaceAll('~1', '/').replaceAll('~0', '~');
}

/**
 * True when two field paths touch the same data: equal, or one inside the other. A consumer
 * reading `lead` is affected by a change to `lead.officerId`, and one reading `lead.officerId` by
 * the removal of `lead`. The root path `''` overlaps everything.
 */
export function pathsOverlap(a: string, b: string): boolean {
  return a === b || a === '' || b === '' || isInside(a, b) || isInside(b, a);
}

function isInside(inner: string, outer: string): boolean {
  return inner.startsWith(`${outer}.`) || inner.startsWith(`${outer}[]`);
}
