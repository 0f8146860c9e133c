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

function collect(schema: JsonValue | undefined, prefix: string, out: Set<string>): void {
  if (!isJsonObject(schema)) return;
  if (isJsonObject(schema.properties)) {
    for (const [name, sub] of Object.entries(schema.properties)) {
      const path = prefix === '' ? name : `${prefix}.${name}`;
      out.add(path);
      collect(sub, path, out);
    }
  }
  if (isJsonObject(schema.items)) collect(schema.items, `${prefix}[]`, out);
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
