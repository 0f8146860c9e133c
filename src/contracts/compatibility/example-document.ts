import { isJsonObject, type JsonObject, type JsonValue } from '../../core/json.js';
import { acceptsValue } from './accepts-value.js';
import { fieldSchema } from './merge-schemas.js';
import type { NormalRoot, NormalSchema } from './normalize-schema.js';

/**
 * Example documents for findings: a value the writer's schema accepts and the reader's rejects,
 * placed where the finding is in an otherwise minimal document (the writer's required fields,
 * with minimal values). Best effort: no example rather than a wrong one, as far as the small
 * evaluator in `accepts-value.ts` can tell. Pure.
 */

const formatSamples: Readonly<Record<string, string>> = {
  date: '2024-01-31',
  'date-time': '2024-01-31T12:00:00Z',
  time: '12:00:00Z',
  email: 'someone@example.com',
  uri: 'https://example.com/',
  'uri-reference': 'https://example.com/',
  uuid: '00000000-0000-4000-8000-000000000000',
  hostname: 'example.com',
  ipv4: '192.0.2.1',
  ipv6: '2001:db8::1',
};

/** Candidate values for a schema: its enum, edge values of its types and bounds; not all valid. */
export function candidates(schema: NormalSchema, root?: NormalRoot, depth = 0): JsonValue[] {
  if (schema === false) return [];
  const s: JsonObject = schema === true ? {} : schema;
  if (Array.isArray(s.enum)) return s.enum;
  const types = Array.isArray(s.type)
    ? (s.type as string[])
    : ['string', 'integer', 'number', 'boolean', 'null', 'object', 'array'];
  const out: JsonValue[] = [];
  for (const t of types) out.push(...typeCandidates(t, s, root, depth));
  return out;
}

function typeCandidates(t: string, s: JsonObject, root: NormalRoot | undefined, depth: number): JsonValue[] {
  const num = (k: string) => (typeof s[k] === 'number' ? (s[k] as number) : undefined);
  switch (t) {
    case 'string': {
      if (typeof s.format === 'string')
        return formatSamples[s.format] ? [formatSamples[s.format] as string, 'x'] : ['x'];
      const min = num('minLength') ?? 0;
      const max = num('maxLength');
      return [
        '',
        'a'.repeat(Math.max(min, 1)),
        'a'.repeat(min),
        ...(max !== undefined ? ['a'.repeat(max + 1)] : []),
        'x',
        'zz',
      ];
    }
    case 'integer':
    case 'number': {
      const edges = ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf']
        .map(num)
        .filter((x): x is number => x !== undefined)
        .flatMap((x) => [x, x - 1, x + 1, Math.ceil(x), Math.floor(x)]);
      const base = [0, 1, -1, 2, 3, 100, -100, ...edges];
      return t === 'number'
        ? [...base, 0.5, 1.5, ...edges.map((x) => x + 0.5)]
        : base.filter(Number.isInteger);
    }
    case 'boolean':
      return [true, false];
    case 'null':
      return [null];
    case 'object': {
      const min = minimalObject(s, root, depth);
      return min === undefined ? [] : [min];
    }
    case 'array': {
      if (depth > 6) return [];
      const prefix = Array.isArray(s.prefixItems) ? s.prefixItems : [];
      const need = Math.max(num('minItems') ?? 0, prefix.length);
      const items: JsonValue[] = [];
      for (let i = 0; i < need; i++) {
        const v = sampleValue((prefix[i] ?? s.items ?? true) as NormalSchema, root, depth + 1);
        if (v === undefined) return [];
        items.push(v);
      }
      const extra = sampleValue((s.items ?? true) as NormalSchema, root, depth + 1);
      return extra === undefined ? [items] : [items, [...items, extra]];
    }
    default:
      return [];
  }
}

/** An object with only the required fields of `s`, each at a minimal valid value. */
function minimalObject(s: JsonObject, root: NormalRoot | undefined, depth: number): JsonObject | undefined {
  if (depth > 6) return undefined;
  const out: JsonObject = {};
  for (const name of Array.isArray(s.required) ? (s.required as string[]) : []) {
    const v = sampleValue(fieldSchema(s, name), root, depth + 1);
    if (v === undefined) return undefined;
    out[name] = v;
  }
  return out;
}

/** A value `schema` accepts, or undefined. */
export function sampleValue(schema: NormalSchema, root?: NormalRoot, depth = 0): JsonValue | undefined {
  return candidates(schema, root, depth).find((v) => accepts(schema, v, root) === true);
}

/** acceptsValue, reading a `format` as satisfied by the samples above. */
function accepts(schema: NormalSchema, v: JsonValue, root?: NormalRoot): boolean | undefined {
  if (isJsonObject(schema) && typeof schema.format === 'string' && typeof v === 'string') {
    if (formatSamples[schema.format] !== v) return undefined;
    const { format: _f, ...rest } = schema;
    return acceptsValue(rest, v, root);
  }
  return acceptsValue(schema, v, root);
}

/** A value the writer's schema accepts and the reader's rejects, when the evaluator finds one. */
export function counterexample(
  reader: NormalSchema,
  writer: NormalSchema,
  extra: JsonValue[] = [],
): JsonValue | undefined {
  return [...extra, ...candidates(writer)].find(
    (v) => accepts(writer, v) === true && acceptsValue(reader, v) === false,
  );
}

/**
 * `value` placed at `instance` (property names and item indexes) inside a minimal document of
 * the writer's root schema; undefined when a level cannot be built.
 */
export function placeExample(
  writer: NormalSchema,
  instance: readonly (string | number)[],
  value: JsonValue,
): JsonValue | undefined {
  if (instance.length === 0) return value;
  const [step, ...rest] = instance;
  const s = isJsonObject(writer) ? writer : {};
  if (typeof step === 'string') {
    const base = minimalObject(s, undefined, 0);
    if (base === undefined) return undefined;
    const inner = placeExample(fieldSchema(s, step), rest, value);
    return inner === undefined ? undefined : { ...base, [step]: inner };
  }
  const prefix = Array.isArray(s.prefixItems) ? s.prefixItems : [];
  const items: JsonValue[] = [];
  for (let i = 0; i < (step as number); i++) {
    const v = sampleValue((prefix[i] ?? s.items ?? true) as NormalSchema);
    if (v === undefined) return undefined;
    items.push(v);
  }
  const inner = placeExample((prefix[step as number] ?? s.items ?? true) as NormalSchema, rest, value);
  return inner === undefined ? undefined : [...items, inner];
}
