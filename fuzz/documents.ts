import type { JsonObject, JsonValue } from '../src/core/json.js';
import type { Random } from '../src/example/seeded-random.js';

/**
 * Random documents steered by a schema: they aim at valid ones (a branch of an anyOf, the
 * required fields, enum values, items of the tuple) but stray on purpose (extra names, other
 * types), since Ajv, not this generator, decides which are valid.
 */

const names = ['a', 'b', 'c', 'x1', 'y1', 'extra'];
const strings = ['', 'a', 'b', 'ab', 'ba', 'aaa', 'xyz'];
const numbers = [0, 1, 2, 3, 4, 6, -1, 1.5, 0.5];

export function documentFor(schema: JsonValue | undefined, random: Random, depth = 0): JsonValue {
  if (
    depth > 4 ||
    schema === false ||
    schema === undefined ||
    schema === true ||
    !isObj(schema) ||
    random.next() < 0.08
  )
    return anyValue(random, depth);
  const s = schema;
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    if (Array.isArray(s[key]) && random.next() < 0.7) {
      const part = random.pick(s[key] as JsonValue[]);
      const { [key]: _k, ...rest } = s;
      return documentFor(
        random.next() < 0.5 ? part : { ...rest, ...(isObj(part) ? part : {}) },
        random,
        depth + 1,
      );
    }
  }
  if (s.if !== undefined && random.next() < 0.5)
    return documentFor(random.next() < 0.5 ? s.then : s.else, random, depth + 1);
  if (Array.isArray(s.enum)) return random.pick(s.enum);
  if (s.const !== undefined) return s.const;
  const types = Array.isArray(s.type)
    ? (s.type as string[])
    : typeof s.type === 'string'
      ? [s.type]
      : [guessType(s, random)];
  return valueOfType(random.pick(types), s, random, depth);
}

function guessType(s: JsonObject, random: Random): string {
  if (s.properties || s.required || s.additionalProperties !== undefined || s.patternProperties)
    return 'object';
  if (s.items !== undefined || s.prefixItems) return 'array';
  return random.pick(['string', 'integer', 'number', 'boolean', 'null', 'object', 'array']);
}

function valueOfType(t: string, s: JsonObject, random: Random, depth: number): JsonValue {
  switch (t) {
    case 'string':
      return random.pick(strings);
    case 'integer':
      return random.pick(numbers.filter(Number.isInteger));
    case 'number':
      return random.pick(numbers);
    case 'boolean':
      return random.next() < 0.5;
    case 'null':
      return null;
    case 'object':
      return objectFor(s, random, depth);
    default:
      return arrayFor(s, random, depth);
  }
}

function objectFor(s: JsonObject, random: Random, depth: number): JsonObject {
  const props = isObj(s.properties) ? s.properties : {};
  const required = Array.isArray(s.required) ? (s.required as string[]) : [];
  const out: JsonObject = {};
  for (const name of names) {
    const declared = name in props;
    const p = required.includes(name) ? 0.9 : declared ? 0.55 : 0.12;
    if (random.next() >= p) continue;
    const pattern = isObj(s.patternProperties)
      ? Object.entries(s.patternProperties).find(([re]) => new RegExp(re, 'u').test(name))?.[1]
      : undefined;
    out[name] = documentFor(declared ? props[name] : (pattern ?? s.additionalProperties), random, depth + 1);
  }
  return out;
}

function arrayFor(s: JsonObject, random: Random, depth: number): JsonValue[] {
  const prefix = Array.isArray(s.prefixItems) ? s.prefixItems : [];
  const length = random.int(4);
  const out: JsonValue[] = [];
  for (let i = 0; i < length; i++) {
    const sub = prefix[i] ?? (random.next() < 0.3 && s.contains !== undefined ? s.contains : s.items);
    out.push(documentFor(sub, random, depth + 1));
  }
  return out;
}

function anyValue(random: Random, depth: number): JsonValue {
  const t = random.pick(['string', 'integer', 'number', 'boolean', 'null', 'object', 'array']);
  if (depth > 4 && (t === 'object' || t === 'array')) return null;
  return valueOfType(t, {}, random, depth + 1);
}

const isObj = (v: JsonValue | undefined): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
