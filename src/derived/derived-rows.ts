import {
  canonicalJson,
  getPath,
  isJsonObject,
  type JsonObject,
  type JsonValue,
  ownField,
  readPath,
} from '../core/json.js';
import { StewardError } from '../errors/steward-error.js';
import { type DocKey, keyId } from '../stores/store.js';
import type { ResolvedDerived } from './derived.js';

/*
 * A derived value is one field of a document, or, for a declaration inside an array
 * (`orders.lines[].line_total`), one field of each element. These helpers say where each value
 * is, how it is named in findings and incidents, and how a value of one element is told from
 * another's, so the drift methods, repair and rebuild treat both the same way.
 */

/** Which element of the array a value belongs to: its position, and its key when one is declared. */
export interface ElementRef {
  readonly index: number;
  /** The element's key field value (`elementKey`), when the declaration names one. */
  readonly key?: string | number | boolean;
}

/** A place holding one derived value: a document, and for an element value, which element. */
export interface ValueAt {
  readonly key: DocKey;
  readonly doc: JsonObject;
  readonly element?: ElementRef;
}

/** The dotted path of a value in its document: the field, or `lines.3.line_total` for element 3. */
export function valuePath(derived: ResolvedDerived, element?: ElementRef): string {
  if (!derived.element || !element) return derived.field;
  return `${derived.element.array}.${element.index}.${derived.element.field}`;
}

/** The stored value; undefined when absent. */
export function storedValue(
  derived: ResolvedDerived,
  at: Pick<ValueAt, 'doc' | 'element'>,
): JsonValue | undefined {
  return readPath(at.doc, valuePath(derived, at.element));
}

/**
 * The name of an element in findings and incident ids: `sku="A-1"` when elements are keyed,
 * else its position `3`. Undefined for a document-level value.
 */
export function elementId(derived: ResolvedDerived, element: ElementRef | undefined): string | undefined {
  if (!element) return undefined;
  const key = derived.element?.key;
  return key !== undefined && element.key !== undefined
    ? `${key}=${canonicalJson(element.key)}`
    : String(element.index);
}

/** Tells one derived value from every other of the same declaration: the document and the element. */
export function valueId(derived: ResolvedDerived, at: Pick<ValueAt, 'key' | 'element'>): string {
  const element = elementId(derived, at.element);
  return element === undefined ? keyId(at.key) : `${keyId(at.key)}\u0000${element}`;
}

/** How a value is named to a person: `"o-1"` or `"o-1" lines[sku="A-1"]`. */
export function valueLabel(derived: ResolvedDerived, at: Pick<ValueAt, 'key' | 'element'>): string {
  const element = elementId(derived, at.element);
  return element === undefined
    ? JSON.stringify(at.key)
    : `${JSON.stringify(at.key)} ${derived.element?.array}[${element}]`;
}

/** One element of a document's array, or why it cannot hold a value. */
export type ElementUnit =
  | { readonly element: ElementRef; readonly target: JsonObject }
  | { readonly element: ElementRef; readonly failed: string };

/**
 * The elements of a document's array that hold a value of this declaration. No array (absent or
 * null) means no elements. An element that is not an object, or (with `elementKey`) has no
 * scalar key, or shares its key with another element, cannot be told apart or written: it is
 * reported for that element only, and the others go on.
 */
export function elementsOf(derived: ResolvedDerived, doc: JsonObject, key: DocKey): ElementUnit[] {
  const spec = derived.element;
  if (!spec) return [];
  const array = getPath(doc, spec.array);
  if (array === undefined || array === null) return [];
  if (!Array.isArray(array)) return [{ element: { index: -1 }, failed: `${spec.array} is not an array` }];
  const units: ElementUnit[] = array.map((element, index): ElementUnit => {
    if (!isJsonObject(element))
      return { element: { index }, failed: `${spec.array}.${index} is not an object` };
    if (spec.key === undefined) return { element: { index }, target: element };
    const k = getPath(element, spec.key);
    if (typeof k !== 'string' && typeof k !== 'number' && typeof k !== 'boolean')
      return { element: { index }, failed: `${spec.array}.${index} has no ${spec.key} to tell it apart` };
    return { element: { index, key: k }, target: element };
  });
  return withoutDuplicateKeys(derived, units, key);
}

function withoutDuplicateKeys(derived: ResolvedDerived, units: ElementUnit[], key: DocKey): ElementUnit[] {
  if (derived.element?.key === undefined) return units;
  const seen = new Map<string, number>();
  for (const u of units)
    if (u.element.key !== undefined) {
      const id = canonicalJson(u.element.key);
      seen.set(id, (seen.get(id) ?? 0) + 1);
    }
  return units.map((u) =>
    u.element.key !== undefined && (seen.get(canonicalJson(u.element.key)) ?? 0) > 1
      ? {
          element: u.element,
          failed: `${derived.element?.key} ${canonicalJson(u.element.key)} is held by more than one element of ${derived.element?.array} in ${JSON.stringify(key)}`,
        }
      : u,
  );
}

/**
 * Refuses a document-level declaration whose path goes through an array (`lines.line_total` where
 * `lines` is an array): it can never hold one value, and every document would read as drifted. The
 * declaration means a value in each element, written `lines[].line_total`. A config error (exit 2)
 * naming the declaration, the array and a document.
 */
export function refuseArrayCrossing(derived: ResolvedDerived, doc: JsonObject, key: DocKey): void {
  const spec = derived.element;
  if (!spec) {
    const hit = arrayOnPath(doc, derived.field);
    if (hit) throw crossing(derived, hit.array, hit.rest, key);
    return;
  }
  const array = getPath(doc, spec.array);
  if (!Array.isArray(array)) return;
  for (const element of array) {
    const hit = isJsonObject(element) ? arrayOnPath(element, spec.field) : undefined;
    if (hit) throw crossing(derived, `${spec.array}[].${hit.array}`, hit.rest, key);
  }
}

/** The first array a dotted path goes through before its last step, and the steps after it. */
function arrayOnPath(value: JsonObject, path: string): { array: string; rest: string[] } | undefined {
  const steps = path.split('.');
  let current: JsonValue | undefined = value;
  for (let i = 0; i < steps.length - 1; i++) {
    current = ownField(current, steps[i]!);
    if (Array.isArray(current)) return { array: steps.slice(0, i + 1).join('.'), rest: steps.slice(i + 1) };
  }
  return undefined;
}

function crossing(
  derived: ResolvedDerived,
  array: string,
  rest: readonly string[],
  key: DocKey,
): StewardError {
  const suggestion = `${derived.collection}.${array}[].${rest.join('.')}`;
  return new StewardError(
    'config.invalid',
    `derived.${derived.name}: "${array}" is an array in ${derived.collection} ${JSON.stringify(key)}, so "${derived.field}" names no single value; ` +
      `a value in each element of the array is declared '${suggestion}'`,
    { derived: derived.name, key },
  );
}
