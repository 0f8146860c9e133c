import type { Contract } from '../src/contracts/contract.js';
import { type ContractProblem, parseContract } from '../src/contracts/parse-contract.js';
import type { JsonObject } from '../src/core/json.js';
import { hashSeed, mixSeed, type Random, seededRandom } from '../src/example/seeded-random.js';

/**
 * Contracts with long, realistic histories for the `contracts-check` benchmark: each collection
 * starts with a dozen typed fields (enums, formats, bounds, a nested object, arrays) and every
 * later version applies one to three of the edits teams make. Nearly all are safe (optional
 * fields added, at the top or inside a nested object, descriptions); a few are not (enum values
 * added, bounds moved, a field made required or optional), so the check has some findings to
 * report, as real histories do. Deterministic from the seed.
 */
export interface SyntheticHistories {
  /** Every collection with all its versions. */
  readonly current: Contract[];
  /** The same collections without their newest version: what the baseline branch holds. */
  readonly baseline: Contract[];
}

type Schema = JsonObject & { properties: Record<string, JsonObject>; required: string[] };

const words = [
  'status',
  'title',
  'createdAt',
  'updatedAt',
  'ownerId',
  'priority',
  'tags',
  'notes',
  'amount',
  'currency',
  'region',
  'channel',
  'score',
  'source',
  'label',
  'stage',
  'dueAt',
  'locale',
];

/** Field schemas a new field may get; functions so every field gets its own object. */
const fieldKinds: readonly ((random: Random) => JsonObject)[] = [
  () => ({ type: 'string' }),
  () => ({ type: 'string', maxLength: 80 }),
  () => ({ type: 'integer', minimum: 0 }),
  () => ({ type: 'number' }),
  () => ({ type: 'boolean' }),
  () => ({ type: 'string', format: 'date-time' }),
  (random) => ({ enum: ['draft', 'active', 'closed', 'archived'].slice(0, 2 + random.int(3)) }),
  () => ({ type: 'array', items: { type: 'string' } }),
  () => ({ type: ['string', 'null'] }),
  (random) => nested(random),
];

function nested(random: Random): Schema {
  const properties: Record<string, JsonObject> = {};
  for (let i = 0; i < 2 + random.int(3); i++) properties[`${random.pick(words)}${i}`] = { type: 'string' };
  return { type: 'object', properties, required: [Object.keys(properties)[0]!] };
}

function freshName(schema: Schema, random: Random): string {
  const base = random.pick(words);
  let name = base;
  for (let n = 2; name in schema.properties; n++) name = `${base}${n}`;
  return name;
}

function firstVersion(random: Random): Schema {
  const schema: Schema = { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] };
  for (let i = 0; i < 8 + random.int(6); i++) {
    const name = freshName(schema, random);
    schema.properties[name] = random.pick(fieldKinds)(random);
    if (random.next() < 0.6) schema.required.push(name);
  }
  schema.properties.address = nested(random);
  return schema;
}

/** Fields of `schema` whose own schema passes `test`. */
const fieldsWhere = (schema: Schema, test: (field: JsonObject) => boolean) =>
  Object.keys(schema.properties).filter((name) => test(schema.properties[name]!));

/**
 * One edit of a schema, in place, weighted as teams make them under a full-transitive policy: safe
 * edits nearly always, a breaking one about once in fifty, as a waived or pending finding would be.
 */
function evolve(schema: Schema, random: Random): void {
  const roll = random.next();
  const pickOf = (names: string[]) => (names.length > 0 ? random.pick(names) : undefined);
  if (roll < 0.55) {
    schema.properties[freshName(schema, random)] = random.pick(fieldKinds)(random);
  } else if (roll < 0.8) {
    const name = pickOf(fieldsWhere(schema, (f) => f.type === 'object'));
    const inner = name ? (schema.properties[name] as Schema) : undefined;
    if (inner) inner.properties[freshName(inner, random)] = { type: 'string' };
  } else if (roll < 0.98) {
    const name = pickOf(Object.keys(schema.properties));
    if (name) schema.properties[name]!.description = `revised in step ${random.int(1000)}`;
  } else {
    breakingEdit(schema, random);
  }
}

/** An edit that breaks backward or forward compatibility. */
function breakingEdit(schema: Schema, random: Random): void {
  const pickOf = (names: string[]) => (names.length > 0 ? random.pick(names) : undefined);
  const enumField = pickOf(fieldsWhere(schema, (f) => Array.isArray(f.enum)));
  const bounded = pickOf(fieldsWhere(schema, (f) => typeof f.maxLength === 'number'));
  const required = pickOf(schema.required.filter((r) => r !== 'id'));
  const optional = pickOf(Object.keys(schema.properties).filter((p) => !schema.required.includes(p)));
  switch (random.int(4)) {
    case 0:
      if (enumField) (schema.properties[enumField]!.enum as string[]).push(`value${random.int(1000)}`);
      break;
    case 1:
      if (bounded)
        schema.properties[bounded]!.maxLength = (schema.properties[bounded]!.maxLength as number) + 40;
      break;
    case 2:
      if (required) schema.required = schema.required.filter((r) => r !== required);
      break;
    default:
      if (optional) schema.required.push(optional);
  }
}

/** The contract of collection `index` as written in a file, with `versions` versions. */
function contractDefinition(index: number, versions: number, random: Random): JsonObject {
  const schemas: Schema[] = [firstVersion(random)];
  for (let v = 1; v < versions; v++) {
    const next = structuredClone(schemas[v - 1]!);
    for (let edits = 1 + random.int(3); edits > 0; edits--) evolve(next, random);
    schemas.push(next);
  }
  const readable = Object.keys(schemas[0]!.properties);
  return {
    collection: `collection_${index}`,
    owner: `service-${index % 37}`,
    versions: schemas.map((schema, i) => ({ version: i + 1, schema })),
    consumers: {
      reporting: { reads: readable.slice(0, 3) },
      search: { reads: readable.slice(2, 5) },
    },
  };
}

/** Builds `collections` contracts of `versions` versions each, parsed as the loader would. */
export function syntheticHistories(collections: number, versions: number, seed: string): SyntheticHistories {
  const problems: ContractProblem[] = [];
  const current: Contract[] = [];
  const baseline: Contract[] = [];
  for (let i = 0; i < collections; i++) {
    const raw = contractDefinition(i, versions, seededRandom(mixSeed(hashSeed(seed), i)));
    const file = `collection_${i}.contract.json`;
    const older = { ...raw, versions: (raw.versions as JsonObject[]).slice(0, -1) };
    const [now, before] = [parseContract(raw, file, problems), parseContract(older, file, problems)];
    if (now) current.push(now);
    if (before) baseline.push(before);
  }
  if (problems.length > 0) {
    const first = problems[0]!;
    throw new Error(`synthetic contract invalid: ${first.file}: ${first.path}: ${first.message}`);
  }
  return { current, baseline };
}
