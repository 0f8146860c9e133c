import { canonicalJson, isJsonObject, type JsonObject, type JsonValue } from '../../core/json.js';
import { unescapePointer } from '../field-paths.js';
import { mergeSchemas } from './merge-schemas.js';
import type { JsonSchema } from './schema-change.js';
import { draftOf, type SchemaDraft } from './schema-draft.js';

/**
 * A schema in steward's internal form: the 2020-12 vocabulary whatever the draft it was written
 * in, with annotations, `$defs`/`definitions` and `$id`s dropped, `const` folded into `enum`,
 * `type` a sorted list, draft-07 tuples as `prefixItems`, `dependencies` split into
 * `dependentRequired` and `dependentSchemas`, `$ref`s inlined (except those on a cycle, which stay
 * `{ $ref }` and resolve through {@link NormalRoot.resolve}), `allOf` parts merged into their
 * parent where that is exact, and `unevaluatedProperties` turned into `additionalProperties`
 * where no applicator is left to evaluate properties. `{}` is `true`. Keywords steward does not
 * know are kept as written, so the comparison can fail closed on them.
 */
export type NormalSchema = JsonObject | boolean;

/** One version's schema in internal form, with the references it keeps for cycles. */
export interface NormalRoot {
  readonly draft: SchemaDraft;
  readonly schema: NormalSchema;
  /** True when a `$ref` was kept (a cycle, or one that does not resolve): equal text may then differ in meaning. */
  readonly hasRefs: boolean;
  /** The internal form of a `$ref` kept for a cycle, or undefined when it does not resolve. */
  resolve(ref: string): NormalSchema | undefined;
}

/** Keywords that change no document's validity. */
export const annotationKeywords = new Set([
  '$schema',
  '$id',
  '$anchor',
  '$dynamicAnchor',
  '$recursiveAnchor',
  '$vocabulary',
  '$comment',
  '$defs',
  'definitions',
  'title',
  'description',
  'default',
  'examples',
  'deprecated',
  'readOnly',
  'writeOnly',
  'contentMediaType',
  'contentEncoding',
  'contentSchema',
]);

const cache = new WeakMap<object, NormalRoot>();

/**
 * The internal form of a whole schema (one contract version), cached by the schema object, so a
 * version compared with nine others is normalized once. Pure.
 */
export function normalRoot(schema: JsonSchema): NormalRoot {
  if (typeof schema === 'boolean')
    return { draft: '2020-12', schema, hasRefs: false, resolve: () => undefined };
  const hit = cache.get(schema);
  if (hit) return hit;
  const root = new Normalizer(schema, draftOf(schema) ?? '2020-12').root();
  cache.set(schema, root);
  return root;
}

class Normalizer {
  private readonly targets = new Map<string, NormalSchema>();
  keptRefs = false;

  constructor(
    private readonly source: JsonObject,
    private readonly draft: SchemaDraft,
  ) {}

  root(): NormalRoot {
    const schema = this.node(this.source, ['#']);
    this.targets.set('#', schema);
    const resolve = (ref: string): NormalSchema | undefined => {
      const known = this.targets.get(ref);
      if (known !== undefined) return known;
      const target = followRef(this.source, ref);
      if (target === undefined) return undefined;
      // Placeholder first: the target may refer to itself.
      this.targets.set(ref, true);
      const normal = this.node(target, [ref]);
      this.targets.set(ref, normal);
      return normal;
    };
    return { draft: this.draft, schema, hasRefs: this.keptRefs, resolve };
  }

  /** `stack`: the references being inlined above this node, to stop at a cycle. */
  node(value: JsonValue | undefined, stack: readonly string[]): NormalSchema {
    if (value === undefined || value === true) return true;
    if (value === false) return false;
    if (!isJsonObject(value)) return true;
    let out: JsonObject = {};
    for (const [key, v] of Object.entries(value)) {
      if (annotationKeywords.has(key) || key.startsWith('x-') || key === '$ref') continue;
      this.keyword(out, key, v, value, stack);
    }
    if (value.enum !== undefined || value.const !== undefined) out = withValues(out, value);
    const parts: NormalSchema[] = [];
    if (typeof value.$ref === 'string') parts.push(this.reference(value.$ref, stack));
    if (Array.isArray(value.allOf)) parts.push(...value.allOf.map((p) => this.node(p, stack)));
    delete out.allOf;
    return finish(out, parts, value);
  }

  private sub(x: JsonValue | undefined, stack: readonly string[]): JsonValue {
    return this.node(x, stack) as JsonValue;
  }

  private subs(x: JsonValue, stack: readonly string[]): JsonValue[] {
    const out: JsonValue[] = [];
    if (Array.isArray(x)) for (const item of x) out.push(this.sub(item, stack));
    return out;
  }

  private map(x: JsonValue, stack: readonly string[]): JsonObject {
    const out: JsonObject = {};
    if (isJsonObject(x)) for (const k of Object.keys(x)) out[k] = this.sub(x[k], stack);
    return out;
  }

  private keyword(out: JsonObject, key: string, v: JsonValue, node: JsonObject, stack: readonly string[]) {
    switch (key) {
      case 'type':
        out.type = [...new Set(typeof v === 'string' ? [v] : Array.isArray(v) ? v.map(String) : [])].sort();
        return;
      case 'enum':
      case 'const':
        return;
      case 'properties':
      case 'patternProperties':
      case 'dependentSchemas':
        out[key] = this.map(v, stack);
        return;
      case 'anyOf':
      case 'oneOf':
      case 'prefixItems':
        out[key] = this.subs(v, stack);
        return;
      case 'allOf':
        return;
      case 'items':
        if (Array.isArray(v) && this.draft !== '2020-12') {
          out.prefixItems = this.subs(v, stack);
          if (node.additionalItems !== undefined) out.items = this.sub(node.additionalItems, stack);
        } else out.items = this.sub(v, stack);
        return;
      case 'additionalItems':
        if (this.draft === '2020-12') out.additionalItems = v;
        return;
      case 'dependencies':
        if (this.draft !== 'draft-07' || !isJsonObject(v)) {
          out.dependencies = v;
          return;
        }
        for (const [name, d] of Object.entries(v)) {
          const bucket = Array.isArray(d) ? 'dependentRequired' : 'dependentSchemas';
          const into = (out[bucket] ?? {}) as JsonObject;
          into[name] = Array.isArray(d) ? d : this.sub(d, stack);
          out[bucket] = into;
        }
        return;
      case 'required':
        out.required = [...new Set(Array.isArray(v) ? v.map(String) : [])].sort();
        return;
      case 'additionalProperties':
      case 'unevaluatedProperties':
      case 'unevaluatedItems':
      case 'contains':
      case 'propertyNames':
      case 'not':
      case 'if':
      case 'then':
      case 'else':
        out[key] = this.sub(v, stack);
        return;
      default:
        out[key] = v;
    }
  }

  private reference(ref: string, stack: readonly string[]): NormalSchema {
    const target = stack.includes(ref) || stack.length > 64 ? undefined : followRef(this.source, ref);
    if (target === undefined) {
      this.keptRefs = true;
      return { $ref: ref };
    }
    return this.node(target, [...stack, ref]);
  }
}

/** `enum` and `const` as one `enum`: the values both allow. */
function withValues(out: JsonObject, node: JsonObject): JsonObject {
  let values: JsonValue[] | undefined = Array.isArray(node.enum) ? node.enum : undefined;
  if (node.const !== undefined) {
    const c = canonicalJson(node.const);
    values = values === undefined ? [node.const] : values.filter((x) => canonicalJson(x) === c);
  }
  const seen = new Set<string>();
  const unique = (values ?? []).filter((x) => {
    const k = canonicalJson(x);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  return { ...out, enum: unique };
}

/**
 * Merges the `allOf` parts (and an inlined `$ref`, which applies alongside its siblings) into the
 * node where that is exact; the rest stay as `allOf`. Then settles `unevaluatedProperties`.
 */
function finish(node: JsonObject, parts: readonly NormalSchema[], source: JsonObject): NormalSchema {
  if (parts.length === 0 && isPlain(node)) {
    // The common case: nothing to merge or settle. `additionalProperties: true` stays: it
    // evaluates every name for an `unevaluatedProperties` of a schema this one is merged into.
    if (node.items === true) delete node.items;
    for (const _ in node) return node;
    return true;
  }
  let merged: NormalSchema = node;
  const left: NormalSchema[] = [];
  for (const part of parts) {
    const m = mergeSchemas(merged, part, true);
    if (m === undefined) left.push(part);
    else merged = m;
  }
  if (merged === false) return false;
  let out: JsonObject = merged === true ? {} : { ...merged };
  if (left.length > 0)
    out.allOf = [...((out.allOf as JsonValue[] | undefined) ?? []), ...left] as JsonValue[];
  out = settleUnevaluated(out);
  const opaque = ['allOf', 'if', 'then', 'else', 'dependentSchemas', '$ref', 'not'].some(
    (k) => out[k] !== undefined,
  );
  if ((out.unevaluatedProperties !== undefined && opaque) || out.unevaluatedItems !== undefined) {
    // How these evaluate names through applicators is where validators (Ajv 8 included) differ:
    // such a node is compared as written, and any difference is unsupported.
    out.$unevaluatedAsWritten = canonicalJson(source);
  }
  // Ajv 8 skips `contains` on arrays shorter than a prefixItems list with a non-trivial schema:
  // that pair, too, is compared as written.
  if (out.contains !== undefined && Array.isArray(out.prefixItems))
    out.$containsAsWritten = canonicalJson(source);
  if (out.items === true) delete out.items;
  return Object.keys(out).length === 0 ? true : out;
}

/** No unevaluated keyword and no `contains` beside `prefixItems`: nothing for {@link finish} to settle. */
function isPlain(node: JsonObject): boolean {
  return (
    node.unevaluatedProperties === undefined &&
    node.unevaluatedItems === undefined &&
    !(node.contains !== undefined && node.prefixItems !== undefined) &&
    !typedUniqueTuple(node)
  );
}

/**
 * uniqueItems beside prefixItems and a typed `items`: Ajv 8 compares the items as if all had the
 * type of `items` (it accepts ["a", "a"] when `items` is `{"type": "null"}`), so such a node is
 * compared as written.
 */
export function typedUniqueTuple(node: JsonObject): boolean {
  return (
    node.uniqueItems === true &&
    Array.isArray(node.prefixItems) &&
    isJsonObject(node.items) &&
    node.items.type !== undefined
  );
}

/** Applicators that evaluate properties or items of the same instance. */
const inPlace = ['allOf', 'anyOf', 'oneOf', 'if', 'then', 'else', 'dependentSchemas', '$ref', 'not'];

/**
 * `unevaluatedProperties` next to no applicator is `additionalProperties` (the names it sees are
 * those not in `properties` nor matched by `patternProperties`); next to an `additionalProperties`
 * it is moot, since that evaluates every other name. The same for `unevaluatedItems` and `items`.
 */
function settleUnevaluated(node: JsonObject): JsonObject {
  const out = { ...node };
  const applied = inPlace.some((k) => out[k] !== undefined);
  if (out.unevaluatedProperties !== undefined) {
    if (out.additionalProperties !== undefined) delete out.unevaluatedProperties;
    else if (!applied) {
      out.additionalProperties = out.unevaluatedProperties;
      delete out.unevaluatedProperties;
    }
  }
  if (out.unevaluatedItems !== undefined) {
    if (out.items !== undefined) delete out.unevaluatedItems;
    else if (!applied && out.contains === undefined) {
      out.items = out.unevaluatedItems;
      delete out.unevaluatedItems;
    }
  }
  return out;
}

/** The sub-schema a reference points to inside `root`: `#`, `#/json/pointer`, or undefined. */
export function followRef(root: JsonObject, ref: string): JsonValue | undefined {
  if (!ref.startsWith('#')) return undefined;
  let node: JsonValue | undefined = root;
  const pointer = ref.slice(1);
  if (pointer === '') return root;
  if (!pointer.startsWith('/')) return undefined;
  for (const raw of pointer.split('/').slice(1)) {
    const step = unescapePointer(decodeURIComponent(raw));
    node = isJsonObject(node) ? node[step] : Array.isArray(node) ? node[Number(step)] : undefined;
    if (node === undefined) return undefined;
  }
  return node;
}
