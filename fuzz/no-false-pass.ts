import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { compareVersions } from '../src/contracts/compatibility/check-compatibility.js';
import {
  type Direction,
  rulesFor,
  type Semantics,
} from '../src/contracts/compatibility/compatibility-rules.js';
import { expandScope, scopeOfItems, scopeOfProperty } from '../src/contracts/compatibility/lenient-scope.js';
import {
  type NormalRoot,
  type NormalSchema,
  normalRoot,
} from '../src/contracts/compatibility/normalize-schema.js';
import { matches } from '../src/contracts/compatibility/property-names.js';
import type { JsonSchema } from '../src/contracts/compatibility/schema-change.js';
import { canonicalJson, isJsonObject, type JsonValue } from '../src/core/json.js';
import { seededRandom } from '../src/example/seeded-random.js';
import { documentFor } from './documents.js';

/**
 * The property behind "no false passes": whenever steward calls `before` → `after` compatible in
 * a direction under a semantics, no document the writer may emit is rejected by the reader, as
 * Ajv decides. Under lenient the writer emits only the fields it declares (`declaredOnly`).
 * Findings are also held to the rules table (each must name a row that breaks that direction)
 * and their example documents to Ajv (valid for the writer, invalid for the reader).
 */
export interface PairOutcome {
  /** A description of what went wrong, or undefined. */
  readonly failure?: string;
  /** Directions × semantics steward called compatible, and documents checked against them. */
  readonly passes: number;
  readonly documents: number;
  readonly unsupported: boolean;
}

// Unoptimised code: the fuzz compiles two schemas per pair and runs each on a few dozen documents.
const newAjv = () =>
  new Ajv2020({
    strict: false,
    allowUnionTypes: true,
    validateSchema: false,
    code: { optimize: false },
  });
let ajv = newAjv();
const compiled = new Map<string, ValidateFunction | null>();

/** Ajv's validator for a schema, cached by its canonical text; null when Ajv cannot compile it. */
export function validatorOf(schema: JsonSchema): ValidateFunction | null {
  const key = canonicalJson(schema as JsonValue);
  let v = compiled.get(key);
  if (v === undefined) {
    try {
      v = ajv.compile(schema as object);
    } catch {
      v = null;
    }
    // Ajv keeps every schema it compiled: a fresh one now and then keeps a long run's memory flat.
    if (compiled.size > 5_000) {
      compiled.clear();
      ajv = newAjv();
    }
    compiled.set(key, v);
  }
  return v;
}

const combinations = [
  ['strict', 'backward'],
  ['strict', 'forward'],
  ['lenient', 'backward'],
  ['lenient', 'forward'],
] as const;

export function checkPair(
  before: JsonSchema,
  after: JsonSchema,
  seed: number,
  docsPerSide = 16,
): PairOutcome {
  const verdicts = combinations.map(([semantics, direction]) =>
    compareVersions(before, after, direction, semantics),
  );
  const needed = verdicts.some((f) => f.length === 0 || f.some((x) => x.example !== undefined));
  const unsupportedFound = verdicts.some((f) => f.some((x) => x.kind === 'unsupported'));
  const vb = needed ? validatorOf(before) : null;
  const va = needed ? validatorOf(after) : null;
  if (!vb || !va) return { passes: 0, documents: 0, unsupported: unsupportedFound };
  const random = seededRandom(seed);
  const docs: JsonValue[] = [];
  for (let i = 0; i < docsPerSide; i++)
    docs.push(documentFor(before as JsonValue, random), documentFor(after as JsonValue, random));
  let passes = 0;
  let documents = 0;
  let unsupported = false;
  for (const [i, [semantics, direction]] of combinations.entries()) {
    {
      const findings = verdicts[i] as ReturnType<typeof compareVersions>;
      const [reader, writer, readerSchema, writerSchema] =
        direction === 'backward' ? [va, vb, after, before] : [vb, va, before, after];
      for (const f of findings) {
        if (f.kind === 'unsupported') unsupported = true;
        if (!rulesFor(f).some((r) => r[semantics][direction] === 'breaks'))
          return fail(
            `finding ${f.kind} (${f.object ?? 'any'}) at ${f.path} in ${direction}/${semantics} names no breaking row`,
          );
        if (f.example !== undefined && (!writer(f.example) || reader(f.example)))
          return fail(
            `the example ${canonicalJson(f.example)} of ${f.kind} at ${f.path} (${direction}/${semantics}) is not valid for the writer and invalid for the reader`,
          );
      }
      if (findings.length > 0) continue;
      passes++;
      const root = normalRoot(writerSchema);
      for (const doc of docs) {
        if (!writer(doc)) continue;
        if (semantics === 'lenient' && !declaredOnly([root.schema], root, doc)) continue;
        documents++;
        if (!reader(doc)) return fail(falsePass(direction, semantics, readerSchema, writerSchema, doc));
      }
    }
  }
  return { passes, documents, unsupported };

  function fail(failure: string): PairOutcome {
    return {
      failure: `${failure}\n  before: ${canonicalJson(before as JsonValue)}\n  after:  ${canonicalJson(after as JsonValue)}`,
      passes,
      documents,
      unsupported,
    };
  }
}

function falsePass(
  direction: Direction,
  semantics: Semantics,
  reader: JsonSchema,
  writer: JsonSchema,
  doc: JsonValue,
): string {
  return `FALSE PASS ${direction}/${semantics}: ${canonicalJson(doc)} is valid under the writer ${canonicalJson(writer as JsonValue)} and rejected by the reader ${canonicalJson(reader as JsonValue)}`;
}

/**
 * Lenient's promise: every property of every object in the document is declared by a writer
 * sub-schema that may apply there (`properties`, a matching pattern, or a schema-valued
 * additionalProperties/unevaluatedProperties).
 */
export function declaredOnly(scope: readonly NormalSchema[], root: NormalRoot, doc: JsonValue): boolean {
  if (Array.isArray(doc)) return doc.every((item) => declaredOnly(scopeOfItems(scope, root), root, item));
  if (!isJsonObject(doc)) return true;
  const expanded = expandScope(scope, root);
  for (const [name, value] of Object.entries(doc)) {
    const declared = expanded.some(
      (s) =>
        (isJsonObject(s.properties) && Object.hasOwn(s.properties, name)) ||
        (isJsonObject(s.patternProperties) &&
          Object.keys(s.patternProperties).some((p) => matches(p, name) !== false)) ||
        isJsonObject(s.additionalProperties) ||
        isJsonObject(s.unevaluatedProperties),
    );
    if (!declared || !declaredOnly(scopeOfProperty(scope, root, name), root, value)) return false;
  }
  return true;
}
