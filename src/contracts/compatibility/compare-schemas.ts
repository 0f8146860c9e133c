import { canonicalJson, isJsonObject, type JsonObject, type JsonValue } from '../../core/json.js';
import { compareArrays } from './compare-arrays.js';
import { compareCombinators, writerBranches } from './compare-combinators.js';
import { type CompareContext, type Finding, finding } from './compare-context.js';
import { compareObjects } from './compare-objects.js';
import { compareValues } from './compare-values.js';
import { mergeSchemas } from './merge-schemas.js';
import type { NormalSchema } from './normalize-schema.js';

/**
 * The heart of the compatibility check: the reasons a document the writer's schema may produce
 * could be rejected by the reader's schema, as findings; none means the reader accepts every
 * such document. Both schemas are in internal form (`normalize-schema.ts`). Sound before
 * complete: where it cannot prove the reader accepts what the writer emits it reports a finding
 * (an `unsupported` one when it cannot even say which change it is), never nothing.
 *
 * Under lenient semantics the writer emits only the fields it declares (`ctx.scope`); under
 * strict, any document its schema accepts. Pure.
 */
export function covers(reader: NormalSchema, writer: NormalSchema, ctx: CompareContext): Finding[] {
  if (writer === false || reader === true) return [];
  if (reader === writer) return [];
  const r = derefReader(reader, ctx);
  const w = derefWriter(writer, ctx);
  if (r instanceof Unresolved) return [r.finding];
  if (w instanceof Unresolved) return [w.finding];
  const frame = r !== reader || w !== writer ? refFrame(r, w, ctx) : ctx;
  if (frame === 'assumed') return [];
  if ('kind' in frame) return [frame];
  const c = frame;
  if (w === false || r === true) return [];
  if (sameSchema(r, w, c.reader.hasRefs || c.writer.hasRefs)) return [];
  if (r === false) return [rejectsAll(c)];
  const wo: JsonObject = w === true ? {} : (w as JsonObject);
  const branches = writerBranches(wo, c);
  if (branches !== undefined) return branches.flatMap((b) => covers(r, b.schema, b.ctx));
  const out = plain(r, wo, c);
  if (out.length === 0 || !Array.isArray(wo.allOf)) return out;
  // allOf parts that did not merge: the writer holds each, so any one part may be enough.
  const { allOf, ...rest } = wo;
  for (const part of allOf as NormalSchema[]) {
    const merged = mergeSchemas(rest, part);
    if (
      merged !== undefined &&
      plain(r, merged === true ? {} : merged === false ? {} : merged, c).length === 0
    )
      return [];
  }
  return out;
}

function plain(r: JsonObject, w: JsonObject, c: CompareContext): Finding[] {
  return dedupe([
    ...compareValues(r, w, c),
    ...compareObjects(r, w, c),
    ...compareArrays(r, w, c),
    ...compareCombinators(r, w, c),
    ...unknownKeywords(r, w, c),
  ]);
}

/** One finding per path and kind: a field removed while required shows once. */
export function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.path}|${f.kind}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Canonical JSON per schema object, computed once and from the children's (so a deep schema is
 * not serialised again at every level): equal sub-schemas are the common case.
 */
const canonical = new WeakMap<object, string>();
export function canonicalOf(s: NormalSchema | JsonValue): string {
  if (s === null || typeof s !== 'object') return JSON.stringify(s);
  let c = canonical.get(s);
  if (c === undefined) {
    c = Array.isArray(s)
      ? `[${s.map(canonicalOf).join(',')}]`
      : `{${Object.keys(s)
          .sort()
          .map((k) => `${JSON.stringify(k)}:${canonicalOf(s[k] as JsonValue)}`)
          .join(',')}}`;
    canonical.set(s, c);
  }
  return c;
}

/**
 * Equal schemas hold the same documents, unless they hold references into different roots
 * (`refs`: either root kept a `$ref` for a cycle). A walk with an early exit: cheaper than
 * serialising every version's every sub-schema.
 */
export function sameSchema(r: NormalSchema, w: NormalSchema, refs = true): boolean {
  if (!equalJson(r, w)) return false;
  return !refs || typeof r === 'boolean' || !canonicalOf(r).includes('"$ref"');
}

function equalJson(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!equalJson(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const k of keys) if (!Object.hasOwn(b, k) || !equalJson(a[k], b[k])) return false;
  return true;
}

function rejectsAll(ctx: CompareContext): Finding {
  const kind = ctx.direction === 'backward' ? 'type-narrowed' : 'type-widened';
  const which = ctx.direction === 'backward' ? 'the new schema' : 'the old schema';
  return finding(ctx, kind, `${which} accepts no value here (\`false\`)`);
}

const ids = new WeakMap<object, number>();
let nextId = 1;
function idOf(s: NormalSchema): string {
  if (typeof s === 'boolean') return String(s);
  let id = ids.get(s);
  if (id === undefined) {
    id = nextId++;
    ids.set(s, id);
  }
  return String(id);
}

/**
 * Recursion through `$ref`: a pair of references met again deeper in the document is assumed to
 * hold (co-induction: a counterexample document is finite, so it would show at a finite depth);
 * met again at the same depth, the schema refers to itself without reading anything, which
 * steward cannot compare.
 */
export function refFrame(
  reader: NormalSchema,
  writer: NormalSchema,
  ctx: CompareContext,
): CompareContext | 'assumed' | Finding {
  const scope = ctx.scope ? ctx.scope.map(idOf).join(',') : '';
  const key = `${idOf(reader)}|${idOf(writer)}|${ctx.direction}|${ctx.semantics}|${scope}`;
  const depth = ctx.instance.length;
  const seen = ctx.refs.find((f) => f.key === key);
  if (seen && seen.depth < depth) return 'assumed';
  if (seen || ctx.refs.length > 48)
    return finding(
      ctx,
      'unsupported',
      'a `$ref` cycle that does not descend into the document; steward cannot compare it',
    );
  return { ...ctx, refs: [...ctx.refs, { key, depth }] };
}

class Unresolved {
  constructor(readonly finding: Finding) {}
}
type Deref = NormalSchema | Unresolved;

/** The reader with a kept `$ref` replaced by its target merged with the siblings (conjunction). */
function derefReader(s: NormalSchema, ctx: CompareContext): Deref {
  return deref(s, ctx, ctx.reader.resolve.bind(ctx.reader), true);
}

/** The writer likewise; when the target does not merge, the siblings alone (more documents, so safe). */
function derefWriter(s: NormalSchema, ctx: CompareContext): Deref {
  return deref(s, ctx, ctx.writer.resolve.bind(ctx.writer), false);
}

function deref(
  s: NormalSchema,
  ctx: CompareContext,
  resolve: (ref: string) => NormalSchema | undefined,
  reader: boolean,
): Deref {
  let node = s;
  for (let hops = 0; isJsonObject(node) && typeof node.$ref === 'string'; hops++) {
    const ref = node.$ref;
    const target = resolve(ref);
    if (target === undefined || hops > 16) {
      const why =
        target === undefined
          ? `\`$ref\` ${ref} does not resolve in the schema`
          : `\`$ref\` ${ref} refers to itself`;
      return new Unresolved(finding(ctx, 'unsupported', why, { path: `${ctx.path}/$ref` }));
    }
    const { $ref: _ref, ...rest } = node;
    const merged = mergeSchemas(Object.keys(rest).length === 0 ? true : rest, target);
    if (merged !== undefined) node = merged;
    else if (reader)
      node = { ...rest, allOf: [...((rest.allOf as JsonObject[] | undefined) ?? []), target as JsonObject] };
    else node = Object.keys(rest).length === 0 ? true : rest;
  }
  return node;
}

/** Keywords compared by the functions above; anything else is compared as written. */
export const knownKeywords = new Set([
  'type',
  'enum',
  'format',
  'pattern',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minLength',
  'maxLength',
  'properties',
  'patternProperties',
  'additionalProperties',
  'required',
  'propertyNames',
  'minProperties',
  'maxProperties',
  'dependentRequired',
  'dependentSchemas',
  'unevaluatedProperties',
  'prefixItems',
  'items',
  'contains',
  'minContains',
  'maxContains',
  'minItems',
  'maxItems',
  'uniqueItems',
  'unevaluatedItems',
  'allOf',
  'anyOf',
  'oneOf',
  'not',
  'if',
  'then',
  'else',
  '$ref',
]);

/** A keyword steward does not know fails closed when it differs: it may be a validator's extension. */
function unknownKeywords(r: JsonObject, w: JsonObject, ctx: CompareContext): Finding[] {
  const keys = new Set([...Object.keys(r), ...Object.keys(w)].filter((k) => !knownKeywords.has(k)));
  return [...keys]
    .filter((k) => canonicalJson(r[k] ?? null) !== canonicalJson(w[k] ?? null))
    .map((k) =>
      finding(ctx, 'unsupported', `the keyword \`${k}\` changed, and contracts check cannot compare it`, {
        path: `${ctx.path}/${k.replaceAll('~', '~0').replaceAll('/', '~1')}`,
      }),
    );
}
