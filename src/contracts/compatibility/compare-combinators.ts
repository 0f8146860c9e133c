import { isJsonObject, type JsonObject, type JsonValue } from '../../core/json.js';
import { type CompareContext, descend, type Finding, finding, narrowerReader } from './compare-context.js';
import { canonicalOf, covers } from './compare-schemas.js';
import { disjoint, requiredOf, typesOf } from './disjoint.js';
import { declarations, declares } from './lenient-scope.js';
import { fieldSchema, mergeSchemas } from './merge-schemas.js';
import type { NormalSchema } from './normalize-schema.js';

/**
 * The applicators: `anyOf`, `oneOf`, `allOf` parts that did not merge, `not` and
 * `if`/`then`/`else`. A writer with alternatives is split into them (each merged with what it
 * sits next to), and each must be accepted by the reader; a reader's alternatives are matched to
 * the writer's by position first, then by what tells them apart (a discriminating `const`,
 * `enum`, `type` or required field). What cannot be proved is a finding, never a pass.
 */

/** Where a writer branch came from, so reader alternatives can be matched to it. */
interface BranchOrigin {
  readonly keyword: 'anyOf' | 'oneOf' | 'then' | 'else';
  readonly index: number;
  /** The canonical form of the whole list (or of the `if`), to recognise the same alternatives. */
  readonly list: string;
}
const origins = new WeakMap<object, BranchOrigin>();

const maxBranches = 64;

/**
 * The writer split into its alternatives, or undefined when it has none. Dropping a writer's
 * constraint only adds documents, so what cannot be merged is dropped or kept as `allOf`, never
 * the other way round.
 */
export function writerBranches(
  w: JsonObject,
  ctx: CompareContext,
): { schema: NormalSchema; ctx: CompareContext }[] | undefined {
  const keyword = Array.isArray(w.anyOf)
    ? 'anyOf'
    : Array.isArray(w.oneOf)
      ? 'oneOf'
      : w.if !== undefined
        ? 'if'
        : undefined;
  if (keyword === undefined) return undefined;
  const base: JsonObject = { ...w };
  delete base[keyword];
  let parts: NormalSchema[];
  let list: string;
  if (keyword === 'if') {
    delete base.then;
    delete base.else;
    const cond = w.if as NormalSchema;
    parts = [
      mergeSchemas(cond, (w.then ?? true) as NormalSchema) ?? ((w.then ?? true) as NormalSchema),
      (w.else ?? true) as NormalSchema,
    ];
    list = canonicalOf(cond);
  } else {
    parts = w[keyword] as NormalSchema[];
    list = canonicalOf(w[keyword] as JsonObject);
  }
  if (parts.length > maxBranches) return [{ schema: base, ctx }];
  const unevaluated = base.unevaluatedProperties as NormalSchema | undefined;
  delete base.unevaluatedProperties;
  const allNames = parts.flatMap((p) =>
    isJsonObject(p) && isJsonObject(p.properties) ? Object.keys(p.properties) : [],
  );
  return parts.map((part, index) => {
    let schema = mergeSchemas(base, part) ?? {
      ...base,
      allOf: [...((base.allOf as JsonValue[]) ?? []), part as JsonValue],
    };
    if (unevaluated !== undefined) schema = closeOver(schema, unevaluated, allNames);
    const origin: BranchOrigin = {
      keyword: keyword === 'if' ? (index === 0 ? 'then' : 'else') : keyword,
      index,
      list,
    };
    // A fresh object per branch: a merge may hand back one object for two branches, and the
    // origin (then or else) must not be shared.
    if (isJsonObject(schema)) {
      schema = { ...schema };
      origins.set(schema, origin);
    }
    return { schema, ctx: { ...ctx, examples: false } };
  });
}

/**
 * A writer branch under `unevaluatedProperties`: other branches may evaluate their own names, so
 * those stay allowed (any value); every other name meets the unevaluated schema.
 */
function closeOver(schema: NormalSchema, unevaluated: NormalSchema, names: readonly string[]): NormalSchema {
  if (!isJsonObject(schema) || schema.additionalProperties !== undefined) return schema;
  const properties = { ...(isJsonObject(schema.properties) ? schema.properties : {}) };
  for (const n of names) if (!(n in properties)) properties[n] = true;
  return { ...schema, properties, additionalProperties: unevaluated as JsonValue };
}

export function compareCombinators(r: JsonObject, w: JsonObject, ctx: CompareContext): Finding[] {
  const out: Finding[] = [];
  if (Array.isArray(r.allOf)) out.push(...compareAllOf(r.allOf as NormalSchema[], w, ctx));
  for (const keyword of ['anyOf', 'oneOf'] as const) {
    if (Array.isArray(r[keyword])) out.push(...compareAlternatives(r, keyword, w, ctx));
  }
  if (r.not !== undefined) out.push(...compareNot(r.not as NormalSchema, w, ctx));
  if (r.if !== undefined) out.push(...compareIf(r, w, ctx));
  if (r.unevaluatedProperties !== undefined && !Array.isArray(r.anyOf) && !Array.isArray(r.oneOf))
    out.push(
      unsupported(
        ctx,
        'unevaluatedProperties',
        'unevaluatedProperties next to applicators other than anyOf/oneOf',
      ),
    );
  if (r.unevaluatedItems !== undefined)
    out.push(unsupported(ctx, 'unevaluatedItems', 'unevaluatedItems next to applicators or contains'));
  return out;
}

function unsupported(ctx: CompareContext, keyword: string, what: string): Finding {
  return finding(
    ctx,
    'unsupported',
    `${what} changed, and contracts check cannot compare it; express it with properties/additionalProperties or start a new compatibility group`,
    {
      path: `${ctx.path}/${keyword}`,
    },
  );
}

function compareAllOf(parts: readonly NormalSchema[], w: JsonObject, ctx: CompareContext): Finding[] {
  const wParts = Array.isArray(w.allOf) ? (w.allOf as NormalSchema[]) : [];
  return parts.flatMap((part, i) => {
    const sub = descend(ctx, `allOf/${i}`);
    const whole = covers(part, w, sub);
    if (whole.length === 0) return [];
    const paired = wParts[i] !== undefined ? covers(part, wParts[i] as NormalSchema, sub) : undefined;
    return paired?.length === 0 ? [] : whole;
  });
}

function compareAlternatives(
  r: JsonObject,
  keyword: 'anyOf' | 'oneOf',
  w: JsonObject,
  ctx: CompareContext,
): Finding[] {
  const branches = readerBranches(r, keyword);
  const origin = origins.get(w);
  const sameList =
    origin !== undefined &&
    origin.keyword === keyword &&
    origin.list === canonicalOf(r[keyword] as JsonObject);
  const order = candidateOrder(branches, w, origin?.index);
  const sub = (i: number): CompareContext => ({ ...descend(ctx, `${keyword}/${i}`), examples: false });
  for (const i of order) {
    if (covers(branches[i] as NormalSchema, w, sub(i)).length > 0) continue;
    if (keyword === 'anyOf' || sameList) return [];
    if (branches.every((b, k) => k === i || disjoint(b, w))) return [];
    return [
      finding(
        ctx,
        'unsupported',
        `the oneOf branches are not provably exclusive for documents of the other version (match branches by a required discriminating const or enum)`,
        { path: `${ctx.path}/${keyword}` },
      ),
    ];
  }
  // A writer of several types is the union of one writer per type: each may find its own branch.
  if (Array.isArray(w.type) && w.type.length > 1) {
    const perType = (w.type as string[]).flatMap((t) =>
      compareAlternatives(r, keyword, { ...w, type: [t] }, ctx),
    );
    if (perType.length === 0) return [];
  }
  const paired = pairedBranch(branches, w, origin?.index);
  if (paired !== undefined) return covers(branches[paired] as NormalSchema, w, sub(paired));
  const kind = narrowerReader(ctx, 'branch-removed', 'branch-added');
  const what =
    ctx.direction === 'backward'
      ? 'an alternative of the old version has no counterpart in the new'
      : 'the new version adds an alternative the old one does not accept';
  return [finding(ctx, kind, `${keyword}: ${what}`, { path: `${ctx.path}/${keyword}` })];
}

/** The reader's alternatives; under unevaluatedProperties each merged with the rest of the schema. */
function readerBranches(r: JsonObject, keyword: 'anyOf' | 'oneOf'): NormalSchema[] {
  const list = r[keyword] as NormalSchema[];
  if (r.unevaluatedProperties === undefined) return list;
  const { [keyword]: _list, unevaluatedProperties, ...base } = r;
  return list.map((b) => {
    const merged = mergeSchemas(base, b);
    if (!isJsonObject(merged)) return merged ?? false;
    return merged.additionalProperties === undefined
      ? { ...merged, additionalProperties: unevaluatedProperties as JsonValue }
      : merged;
  });
}

/** Reader alternatives to try: the same position first, then those not provably disjoint. */
function candidateOrder(
  branches: readonly NormalSchema[],
  w: JsonObject,
  index: number | undefined,
): number[] {
  const all = branches.map((_, i) => i).filter((i) => !disjoint(branches[i] as NormalSchema, w));
  if (index !== undefined && all.includes(index)) return [index, ...all.filter((i) => i !== index)];
  return all;
}

/** The reader alternative a writer alternative most likely became: its position, or the one match left. */
function pairedBranch(
  branches: readonly NormalSchema[],
  w: JsonObject,
  index: number | undefined,
): number | undefined {
  const open = branches.map((_, i) => i).filter((i) => !disjoint(branches[i] as NormalSchema, w));
  if (open.length === 1) return open[0];
  if (index !== undefined && open.includes(index) && open.length === branches.length) return index;
  return undefined;
}

function compareNot(n: NormalSchema, w: JsonObject, ctx: CompareContext): Finding[] {
  if (disjoint(n, w)) return [];
  if (isJsonObject(n) && typesOf(w).every((t) => t === 'object')) {
    const decl = ctx.semantics === 'lenient' && ctx.scope ? declarations(ctx.scope, ctx.writer) : undefined;
    const absent = (x: string) => fieldSchema(w, x) === false || (decl !== undefined && !declares(decl, x));
    if (requiredOf(n).some(absent)) return [];
  }
  const path = `${ctx.path}/not`;
  if (w.not !== undefined) {
    // not A accepts every document of not B when A holds no more than B: swap the sides, strictly.
    const inner = covers(w.not as NormalSchema, n, {
      ...ctx,
      path,
      semantics: 'strict',
      scope: undefined,
      examples: false,
    });
    if (inner.length === 0) return [];
    return inner.map((f) => ({
      ...f,
      kind: 'not-changed' as const,
      message: `inside not, read the other way round: ${f.message}`,
    }));
  }
  const which = ctx.direction === 'backward' ? 'the new version excludes' : 'the old version excludes';
  return [finding(ctx, 'not-changed', `${which} documents (\`not\`) the other version may hold`, { path })];
}

function compareIf(r: JsonObject, w: JsonObject, ctx: CompareContext): Finding[] {
  const cond = r.if as NormalSchema;
  const then = (r.then ?? true) as NormalSchema;
  const otherwise = (r.else ?? true) as NormalSchema;
  const origin = origins.get(w);
  const quiet = (reader: NormalSchema, key: string) => covers(reader, w, descend(ctx, key));
  if (
    origin !== undefined &&
    (origin.keyword === 'then' || origin.keyword === 'else') &&
    origin.list === canonicalOf(cond)
  ) {
    return origin.keyword === 'then' ? quiet(then, 'then') : quiet(otherwise, 'else');
  }
  const t = quiet(then, 'then');
  const e = quiet(otherwise, 'else');
  if (t.length === 0 && e.length === 0) return [];
  const strict = {
    ...ctx,
    semantics: 'strict' as const,
    scope: undefined,
    examples: false,
    path: `${ctx.path}/if`,
  };
  if (t.length === 0 && covers(cond, w, strict).length === 0) return [];
  if (e.length === 0 && disjoint(cond, w)) return [];
  return [unsupported(ctx, 'if', 'the if/then/else')];
}
