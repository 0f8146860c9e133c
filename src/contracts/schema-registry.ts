import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { Ajv as AjvDraft07 } from 'ajv/dist/ajv.js';
import addFormatsModule from 'ajv-formats';
import { isJsonObject, type JsonObject, type JsonValue } from '../core/json.js';
import { StewardError } from '../errors/steward-error.js';
import { annotationKeywords } from './compatibility/normalize-schema.js';
import type { JsonSchema } from './compatibility/schema-change.js';
import { draftOf, type SchemaDraft, schemaDrafts } from './compatibility/schema-draft.js';
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

type AnyAjv = Ajv2020 | Ajv2019 | AjvDraft07;

// ajv and ajv-formats are CommonJS: under NodeNext the default import is the module object on some setups.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as unknown as (ajv: AnyAjv) => void;

const ajvOptions = { allErrors: true, allowUnionTypes: true, strict: false } as const;

/**
 * Compiles contract schemas and resolves their `$ref`s to shared schemas. Each schema is compiled
 * by the Ajv class of its draft (draft-07, 2019-09 or 2020-12, from its `$schema`; 2020-12 when it
 * has none) and then removed from that Ajv's registry, so two versions (or two contracts) that
 * share an `$id` each compile in their own scope. One registry serves one load of the contracts
 * folder; compiled validators are cached by schema object.
 */
export class SchemaRegistry {
  private readonly ajvs = new Map<SchemaDraft, AnyAjv>();
  private readonly shared = new Map<string, SharedSchema>();
  private readonly compiled = new WeakMap<object, ValidateFunction>();

  constructor(shared: readonly SharedSchema[] = []) {
    for (const s of shared) this.shared.set(s.id, s);
  }

  /** The Ajv of a draft, made on first use with the formats and the shared schemas of that draft. */
  private ajv(draft: SchemaDraft): AnyAjv {
    let ajv = this.ajvs.get(draft);
    if (ajv) return ajv;
    ajv =
      draft === '2020-12'
        ? new Ajv2020(ajvOptions)
        : draft === '2019-09'
          ? new Ajv2019(ajvOptions)
          : new AjvDraft07(ajvOptions);
    addFormats(ajv);
    for (const s of this.shared.values()) {
      if ((draftOf(s.schema) ?? '2020-12') === draft) ajv.addSchema(s.schema, s.id);
    }
    this.ajvs.set(draft, ajv);
    return ajv;
  }

  /**
   * Compiles a schema into a validator. An invalid schema, a `$schema` steward does not read, a
   * reference that does not resolve or a reference cycle that reads nothing (`{"$ref": "#"}`,
   * which would recurse forever on every document) is a `contract.invalid` error naming `where`.
   */
  validator(schema: JsonSchema, where: string): ValidateFunction {
    if (typeof schema === 'boolean') return this.ajv('2020-12').compile(schema);
    const cached = this.compiled.get(schema);
    if (cached) return cached;
    let validate: ValidateFunction;
    try {
      const draft = draftOf(schema);
      if (draft === undefined) throw new Error(unknownDraft(schema.$schema));
      const cycle = this.unguardedCycle(schema);
      if (cycle) throw new Error(cycle);
      const ajv = this.ajv(draft);
      if (!ajv.validateSchema(schema)) throw new Error(metaSchemaProblem(ajv.errors));
      validate = compileAlone(ajv, schema);
    } catch (error) {
      const reason = (error as Error).message;
      throw new StewardError('contract.invalid', `${where}: ${reason}`, { where, reason });
    }
    this.compiled.set(schema, validate);
    return validate;
  }

  /**
   * The schema with every `$ref` replaced by what it points to (in the schema itself or in a
   * shared schema), so the compatibility check compares what documents must look like rather than
   * reference strings. A reference with other keywords beside it applies with them (`allOf`). A
   * reference on a cycle stays a `$ref`: the check follows local ones itself. The root keeps its
   * `$schema`, which says the draft. Call {@link validator} first: it reports references that do
   * not resolve.
   */
  dereference(schema: JsonSchema): JsonSchema {
    if (typeof schema === 'boolean') return schema;
    const out = this.inline(schema, schema, ['#'], '');
    if (!isJsonObject(out) || schema.$schema === undefined) return out as JsonSchema;
    return { $schema: schema.$schema, ...out };
  }

  /**
   * `doc` is `''` inside the contract's own schema, else the `$id` of the shared schema being
   * inlined; `seen` holds the references being inlined, as `doc` + reference. A reference back to
   * one of them is a cycle: kept as written inside the contract's own schema (the check resolves
   * it there), made absolute inside a shared one (which the check then reports unsupported rather
   * than resolve against the wrong root).
   */
  private inline(node: JsonValue, root: JsonObject, seen: readonly string[], doc: string): JsonValue {
    if (Array.isArray(node)) return node.map((item) => this.inline(item, root, seen, doc));
    if (!isJsonObject(node)) return node;
    const ref = node.$ref;
    if (typeof ref === 'string') {
      const key = ref.startsWith('#') ? `${doc}${ref}` : ref;
      const target = this.resolveRef(ref, root);
      const { $ref: _ref, ...rest } = node;
      let inlined: JsonValue | undefined;
      if (seen.includes(key)) inlined = { $ref: key };
      else if (target) {
        const targetDoc = ref.startsWith('#') ? doc : (ref.split('#')[0] ?? '');
        inlined = this.inline(target.schema, target.root, [...seen, key], targetDoc);
      }
      if (inlined !== undefined) {
        if (Object.keys(rest).every((k) => annotationKeywords.has(k))) return inlined;
        const siblings = this.inline(rest, root, seen, doc) as JsonObject;
        const allOf = Array.isArray(siblings.allOf) ? siblings.allOf : [];
        return { ...siblings, allOf: [...allOf, inlined] };
      }
    }
    const out: JsonObject = {};
    for (const [key, value] of Object.entries(node)) out[key] = this.inline(value, root, seen, doc);
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

  /**
   * A reference cycle that applies to the same value without reading into it (through `$ref`,
   * `allOf`, `anyOf`, `oneOf`, `not`, `if`/`then`/`else`, `dependentSchemas`), described; or
   * undefined. A cycle through `properties` or `items` is a recursive type and fine.
   */
  private unguardedCycle(schema: JsonObject): string | undefined {
    const visit = (
      node: JsonValue | undefined,
      root: JsonObject,
      refs: readonly string[],
      at: string,
    ): string | undefined => {
      if (Array.isArray(node)) {
        for (const [i, n] of node.entries()) {
          const found = visit(n, root, refs, `${at}/${i}`);
          if (found) return found;
        }
        return undefined;
      }
      if (!isJsonObject(node)) return undefined;
      if (typeof node.$ref === 'string') {
        if (refs.includes(node.$ref))
          return `the schema refers to itself at ${at || '/'} (\`$ref\` ${node.$ref}) without reading into the document, so no document could ever be checked against it; put the reference under properties or items`;
        const target = this.resolveRef(node.$ref, root);
        if (target) {
          const found = visit(target.schema, target.root, [...refs, node.$ref], `${at}/$ref`);
          if (found) return found;
        }
      }
      for (const key of ['allOf', 'anyOf', 'oneOf', 'not', 'if', 'then', 'else']) {
        const found = visit(node[key], root, refs, `${at}/${key}`);
        if (found) return found;
      }
      return undefined;
    };
    return visit(schema, schema, [], '');
  }
}

/** Compiles `schema` and takes it out of Ajv's registry again, so its `$id` does not clash later. */
function compileAlone(ajv: AnyAjv, schema: JsonObject): ValidateFunction {
  try {
    return ajv.compile(schema);
  } finally {
    if (typeof schema.$id === 'string') ajv.removeSchema(schema);
  }
}

function unknownDraft(uri: JsonValue | undefined): string {
  const known = schemaDrafts.join(', ');
  return `$schema ${JSON.stringify(uri)} is not a JSON Schema draft steward reads (${known}); use one of their $schema URIs, or none for 2020-12`;
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
