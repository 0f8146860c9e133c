import fc from 'fast-check';
import type { JsonObject, JsonValue } from '../src/core/json.js';

/**
 * fast-check arbitraries for JSON Schemas (2020-12) of the shapes people write, over a small
 * vocabulary (three field names, a few values) so that two schemas and the generated documents
 * meet often: objects open, closed, constrained, with patterns and unevaluatedProperties; tuples;
 * anyOf/oneOf/allOf/not/if; dependencies; bounds; enums; `true`/`false`.
 */

export const names = ['a', 'b', 'c'] as const;
const values: JsonValue[] = ['', 'a', 'b', 0, 1, 2, -1, 1.5, true, null];

const typeName = fc.constantFrom('string', 'integer', 'number', 'boolean', 'null', 'object', 'array');
const scalarType = fc.constantFrom('string', 'integer', 'number', 'boolean', 'null');

const leaf: fc.Arbitrary<JsonObject | boolean> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record(
      { type: fc.oneof(scalarType, fc.uniqueArray(scalarType, { minLength: 1, maxLength: 2 })) },
      { requiredKeys: ['type'] },
    ),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      enum: fc.uniqueArray(fc.constantFrom(...values), { minLength: 1, maxLength: 3 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ const: fc.constantFrom(...values) }) },
  {
    weight: 3,
    arbitrary: fc.record(
      {
        type: fc.constantFrom('integer', 'number'),
        minimum: fc.integer({ min: -1, max: 2 }),
        maximum: fc.integer({ min: 0, max: 3 }),
        exclusiveMinimum: fc.integer({ min: -1, max: 1 }),
        multipleOf: fc.constantFrom(1, 2, 3, 4, 0.5),
      },
      { requiredKeys: ['type'] },
    ),
  },
  {
    weight: 3,
    arbitrary: fc.record(
      {
        type: fc.constant('string'),
        minLength: fc.integer({ min: 0, max: 2 }),
        maxLength: fc.integer({ min: 0, max: 3 }),
        pattern: fc.constantFrom('^a', '^b', 'a'),
      },
      { requiredKeys: ['type'] },
    ),
  },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant({}) },
);

/** Schemas up to `depth` levels of objects, arrays and applicators. */
export function schemaArbitrary(depth = 2): fc.Arbitrary<JsonObject | boolean> {
  if (depth <= 0) return leaf;
  const sub = schemaArbitrary(depth - 1);
  const nameSet = fc.subarray([...names]);
  const object = fc
    .record(
      {
        type: fc.constant('object'),
        properties: fc.dictionary(fc.constantFrom(...names), sub, { maxKeys: 3 }),
        required: nameSet,
        additionalProperties: fc.oneof(fc.boolean(), leaf),
        patternProperties: fc.dictionary(fc.constantFrom('^x', '^y'), leaf, { maxKeys: 1 }),
        unevaluatedProperties: fc.constant(false),
        propertyNames: fc.constantFrom({ pattern: '^[a-c]' }, { maxLength: 1 }),
        dependentRequired: fc.dictionary(fc.constantFrom(...names), nameSet, { maxKeys: 1 }),
        dependentSchemas: fc.dictionary(fc.constantFrom(...names), sub, { maxKeys: 1 }),
        minProperties: fc.integer({ min: 0, max: 2 }),
        maxProperties: fc.integer({ min: 1, max: 3 }),
      },
      { requiredKeys: ['properties'] },
    )
    .map((s) => dropRare(s as unknown as JsonObject));
  const array = fc.record(
    {
      type: fc.constant('array'),
      items: fc.oneof(sub, fc.boolean()),
      prefixItems: fc.array(sub, { minLength: 1, maxLength: 2 }),
      minItems: fc.integer({ min: 0, max: 2 }),
      maxItems: fc.integer({ min: 0, max: 3 }),
      uniqueItems: fc.boolean(),
      contains: leaf,
      minContains: fc.integer({ min: 0, max: 2 }),
      maxContains: fc.integer({ min: 1, max: 2 }),
    },
    { requiredKeys: ['type'] },
  );
  const applicator = fc.oneof(
    fc.record({ anyOf: fc.array(sub, { minLength: 1, maxLength: 3 }) }),
    fc.record({ oneOf: fc.array(sub, { minLength: 1, maxLength: 3 }) }),
    fc.record({ allOf: fc.array(sub, { minLength: 1, maxLength: 2 }) }),
    fc.record({ type: typeName, not: leaf }),
    // biome-ignore lint/suspicious/noThenProperty: `then` is a JSON Schema keyword here
    fc.record({ if: sub, then: sub, else: sub }, { requiredKeys: ['if'] }),
  );
  return fc.oneof(
    { weight: 3, arbitrary: leaf },
    { weight: 4, arbitrary: object },
    { weight: 2, arbitrary: array },
    { weight: 2, arbitrary: applicator },
  );
}

/** Keeps the object keywords people rarely write from crowding every schema. */
function dropRare(s: JsonObject): JsonObject {
  const out = { ...s };
  const rare = [
    'patternProperties',
    'unevaluatedProperties',
    'propertyNames',
    'dependentRequired',
    'dependentSchemas',
    'minProperties',
    'maxProperties',
  ];
  const seed = JSON.stringify(s).length;
  for (const [i, key] of rare.entries()) if ((seed + i) % 3 !== 0) delete out[key];
  return out;
}

/** A schema and a variant of it: a few sub-schemas replaced by fresh ones or tweaked. */
export const schemaPair: fc.Arbitrary<[JsonObject | boolean, JsonObject | boolean]> = schemaArbitrary(2)
  .map(plainJson)
  .chain((a) => fc.tuple(fc.constant(a), mutate(a, 1).map(plainJson)));

/**
 * A schema and `variants` variants of it: `variants` pairs that share their first schema, which
 * halves the schemas Ajv has to compile per pair (the property's cost).
 */
export function schemaFamily(
  variants: number,
): fc.Arbitrary<[JsonObject | boolean, (JsonObject | boolean)[]]> {
  return schemaArbitrary(2)
    .map(plainJson)
    .chain((a) =>
      fc.tuple(
        fc.constant(a),
        fc.array(mutate(a, 1).map(plainJson), { minLength: variants, maxLength: variants }),
      ),
    );
}

/** fast-check builds dictionaries without a prototype; schemas read from files have one. */
function plainJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function mutate(s: JsonObject | boolean, rounds: number): fc.Arbitrary<JsonObject | boolean> {
  const spots = subPaths(s);
  return fc
    .tuple(
      fc.integer({ min: 0, max: spots.length - 1 }),
      fc.oneof(schemaArbitrary(1), tweakArbitrary),
      fc.integer({ min: 0, max: rounds }),
    )
    .map(([i, replacement, _n]) => {
      const path = spots[i] ?? [];
      const target = getAt(s, path);
      const next = typeof replacement === 'function' ? replacement(target) : replacement;
      return setAt(s, path, next);
    });
}

type Tweak = (s: JsonValue | undefined) => JsonValue;
const tweakArbitrary: fc.Arbitrary<Tweak> = fc.constantFrom<Tweak>(
  (s) => (isObj(s) ? { ...s, additionalProperties: false } : (s ?? true)),
  (s) => (isObj(s) ? withoutKey(s, 'additionalProperties') : (s ?? true)),
  (s) =>
    isObj(s) ? { ...s, required: [...new Set([...(asList(s.required) as string[]), 'a'])] } : (s ?? true),
  (s) => (isObj(s) ? withoutKey(s, 'required') : (s ?? true)),
  (s) =>
    isObj(s) && isObj(s.properties)
      ? { ...s, properties: { ...s.properties, c: { type: 'string' } } }
      : (s ?? true),
  (s) =>
    isObj(s) && isObj(s.properties)
      ? { ...s, properties: withoutKey(s.properties, Object.keys(s.properties)[0] ?? '') }
      : (s ?? true),
  (s) => ({ anyOf: [s ?? true, { type: 'null' }] }),
  (s) => (isObj(s) && Array.isArray(s.anyOf) ? { ...s, anyOf: s.anyOf.slice(1) } : (s ?? true)),
  (s) => (isObj(s) && Array.isArray(s.enum) ? { ...s, enum: [...s.enum, 'b'] } : (s ?? true)),
  (s) => (isObj(s) && typeof s.type === 'string' ? { ...s, type: [s.type, 'null'] } : (s ?? true)),
  (s) => (isObj(s) ? { ...s, unevaluatedProperties: false } : (s ?? true)),
  (s) => (isObj(s) ? { ...s, additionalProperties: { type: 'string' } } : (s ?? true)),
  (s) => ({ allOf: [s ?? true] }),
);

const isObj = (v: JsonValue | undefined): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const asList = (v: JsonValue | undefined): JsonValue[] => (Array.isArray(v) ? v : []);
function withoutKey(o: JsonObject, key: string): JsonObject {
  const { [key]: _gone, ...rest } = o;
  return rest;
}

type Path = (string | number)[];

/** Every place a sub-schema sits, the root included. */
function subPaths(s: JsonValue, at: Path = []): Path[] {
  const out: Path[] = [at];
  if (!isObj(s)) return out;
  for (const key of ['properties', 'patternProperties', 'dependentSchemas']) {
    const m = s[key];
    if (isObj(m)) for (const k of Object.keys(m)) out.push(...subPaths(m[k] as JsonValue, [...at, key, k]));
  }
  for (const key of ['anyOf', 'oneOf', 'allOf', 'prefixItems']) {
    const l = s[key];
    if (Array.isArray(l)) for (const [i, x] of l.entries()) out.push(...subPaths(x, [...at, key, i]));
  }
  for (const key of ['items', 'additionalProperties', 'not', 'if', 'then', 'else', 'contains']) {
    if (s[key] !== undefined) out.push(...subPaths(s[key] as JsonValue, [...at, key]));
  }
  return out;
}

function getAt(s: JsonValue, path: Path): JsonValue | undefined {
  let node: JsonValue | undefined = s;
  for (const step of path)
    node = isObj(node) ? node[step as string] : Array.isArray(node) ? node[step as number] : undefined;
  return node;
}

function setAt(s: JsonValue, path: Path, value: JsonValue): JsonObject | boolean {
  if (path.length === 0) return value as JsonObject | boolean;
  const [step, ...rest] = path;
  if (Array.isArray(s)) {
    const copy = [...s];
    copy[step as number] = setAt(copy[step as number] as JsonValue, rest, value);
    return copy as unknown as JsonObject;
  }
  const o = isObj(s) ? s : {};
  return { ...o, [step as string]: setAt(o[step as string] as JsonValue, rest, value) };
}
