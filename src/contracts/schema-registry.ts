import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { isJsonObject, type JsonObject, type JsonValue } from '../core/json.js';
import { StewardError } from '../errors/steward-error.js';
import type { JsonSchema } from './compatibility/schema-change.js';
import { unescapePointer } from './field-paths.js';

/** A shared schema from the contracts folder (`*.schema.json` with an `$id`), which contracts `$ref`. */
export interface SharedSchema {
  readonly id: string;
  readonly schema: JsonObject;
  readonly file: string;
}

/** One way a document fails its schema: the path in the document and what is wrong there. */
export interface SchemaFailure {
  /** Dotted path in the document (`address.city`, `subjectIds.0`); `''` for the document itself. */
  readonly path: string;
  readonly message: string;
}

// ajv-formats is CommonJS: under NodeNext its default import is the module object on some setups.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as unknown as (ajv: Ajv2020) => void;

/**
 * Compiles contract schemas (JSON Schema draft 2020-12, with the standard formats) and resolves
 * their `$ref`s to shared schemas. One registry serves one load of the contracts folder; compiled
 * validators are cached by schema object.
 */
export class SchemaRegistry {
  private readonly ajv: Ajv2020;
  private readonly shared = new Map<string, SharedSchema>();
  private readonly compiled = new WeakMap<object, ValidateFunction>();

  constructor(shared: readonly SharedSchema[] = []) {
    this.ajv = new Ajv2020({ allErrors: true, allowUnionTypes: true, strict: false });
    addFormats(this.ajv);
    for (const s of shared) {
      this.shared.set(s.id, s);
      this.ajv.addSchema(s.schema, s.id);
    }
  }

  /**
   * Compiles a schema into a validator. An invalid schema or an unresolvable `$ref` is a
   * `contract.invalid` error naming `where` (the file and version).
   */
  validator(schema: JsonSchema, where: string): ValidateFunction {
    if (typeof schema === 'boolean') return this.ajv.compile(schema);
    const cached = this.compiled.get(schema);
    if (cached) return cached;
    let validate: ValidateFunction;
    try {
      if (!this.ajv.validateSchema(schema)) throw new Error(metaSchemaProblem(this.ajv.errors));
      validate = this.ajv.compile(schema);
    } catch (error) {
      const reason = (error as Error).message;
      throw new StewardError('contract.invalid', `${where}: ${reason}`, { where, reason });
    }
    this.compiled.set(schema, validate);
    return validate;
  }

  /**
   * The schema with every `$ref` replaced by what it points to (in the schema itself or in a
   * shared schema), so the compatibility diff compares what documents must look like rather than
   * reference strings. A reference cycle is left as a `$ref`; the diff reports it unsupported if
   * it changes. Call {@link validator} first: it reports references that do not resolve.
   */
  dereference(schema: JsonSchema): JsonSchema {
    if (typeof schema === 'boolean') return schema;
    return this.inline(schema, schema, []) as JsonSchema;
  }

  private inline(node: JsonValue, root: JsonObject, seen: readonly string[]): JsonValue {
    if (Array.isArray(node)) return node.map((item) => this.inline(item, root, seen));
    if (!isJsonObject(node)) return node;
    const ref = node.$ref;
    if (typeof ref === 'string' && !seen.includes(ref)) {
      const target = this.resolveRef(ref, root);
      if (target) {
        const { $ref: _ref, ...rest } = node;
        const merged = isJsonObject(target.schema) ? { ...target.schema, ...rest } : target.schema;
        return this.inline(merged, target.root, [...seen, ref]);
      }
    }
    const out: JsonObject = {};
    for (const [key, value] of Object.entries(node)) out[key] = this.inline(value, root, seen);
    return out;
  }

  private resolveRef(ref: string, root: JsonObject): { schema: JsonValue; root: JsonObject } | undefined {
    const hash = ref.indexOf('#');
    const base = hash === -1 ? ref : ref.slice(0, hash);
    const pointer = hash === -1 ? '' : ref.slice(hash + 1);
    const doc = base === '' ? root : this.shared.get(base)?.schema;
    if (!doc) return undefined;
    const schema = followPointer(doc, pointer);
    return schema === undefined ? undefined : { schema, root: doc };
  }
}

function followPointer(doc: JsonObject, pointer: string): JsonValue | undefined {
  let node: JsonValue | undefined = doc;
  for (const raw of pointer.split('/').slice(1)) {
    const step = unescapePointer(decodeURIComponent(raw));
    node = isJsonObject(node) ? node[step] : Array.isArray(node) ? node[Number(step)] : undefined;
  }
  return node;
}

/**
 * The first way a schema breaks the JSON Schema meta-schema, located in the schema. Ajv lists
 * every branch of the meta-schema's `anyOf`s, which reads as noise; the first error is the cause.
 */
function metaSchemaProblem(errors: readonly ErrorObject[] | null | undefined): string {
  const first = errors?.[0];
  if (!first) return 'not a valid JSON Schema';
  const at = first.instancePath === '' ? 'the schema' : first.instancePath;
  return `not a valid JSON Schema: ${at} ${first.message ?? first.keyword}`;
}

/** Turns Ajv's errors into document paths and sentences, one per failure. */
export function schemaFailures(errors: readonly ErrorObject[] | null | undefined): SchemaFailure[] {
  return (errors ?? []).map((e) => {
    const base = e.instancePath.split('/').slice(1).map(unescapePointer).join('.');
    // `required` and `additionalProperties` are reported on the object: name the field instead.
    const field =
      e.keyword === 'required'
        ? (e.params as { missingProperty: string }).missingProperty
        : e.keyword === 'additionalProperties'
          ? (e.params as { additionalProperty: string }).additionalProperty
          : '';
    const path = field ? (base ? `${base}.${field}` : field) : base;
    const message =
      e.keyword === 'required'
        ? 'is required'
        : e.keyword === 'additionalProperties'
          ? 'is not declared (the schema allows no other properties)'
          : (e.message ?? e.keyword);
    return { path, message };
  });
}
