import { canonicalJson, type JsonObject, type JsonValue } from '../../core/json.js';
import { acceptsValue } from './accepts-value.js';
import { type CompareContext, type Finding, finding, narrowerReader, oldNew } from './compare-context.js';
import { typesOf } from './disjoint.js';
import { counterexample, placeExample } from './example-document.js';

/**
 * The keywords that constrain one value: type, enum (and const), format, pattern, numeric, length,
 * item-count and property-count bounds, uniqueItems and multipleOf. A writer with an `enum` is
 * judged value by value, which is exact; otherwise keyword by keyword, each reader constraint
 * needing one at least as tight on the writer's side.
 */
export function compareValues(r: JsonObject, w: JsonObject, ctx: CompareContext): Finding[] {
  if (Array.isArray(w.enum)) {
    const pinned = pinnedValues(r, w, ctx);
    if (pinned !== undefined) return pinned;
  }
  const out = [...compareTypes(r, w, ctx)];
  if (Array.isArray(r.enum)) {
    const kind = narrowerReader(ctx, 'enum-narrowed', 'enum-widened');
    const [, now] = oldNew(ctx, r, w);
    const msg = now === r ? `values restricted to ${list(r.enum)}` : 'values no longer restricted';
    out.push(finding(ctx, kind, msg, { example: example(r, w, ctx) }));
  }
  const wt = typesOf(w);
  const has = (t: string) => wt.includes(t) || (t === 'number' && wt.includes('integer'));
  // ajv-formats has number formats too (int32, double...): format is compared for both.
  if (has('string') || has('number')) out.push(...compareFormat(r, w, ctx));
  if (has('string')) out.push(...comparePattern(r, w, ctx));
  if (has('number')) out.push(...compareMultipleOf(r, w, ctx));
  for (const [inclusive, exclusive, side, type] of boundGroups) {
    if (has(type)) out.push(...compareBound(r, w, ctx, inclusive, exclusive, side));
  }
  if (has('array') && r.uniqueItems === true && w.uniqueItems !== true) {
    const kind = narrowerReader(ctx, 'bound-tightened', 'bound-relaxed');
    const [b, a] = oldNew(ctx, true, false);
    out.push(finding(ctx, kind, `uniqueItems went from ${b} to ${a}`, { example: example(r, w, ctx) }));
  }
  return out;
}

/** Every value of the writer's enum, against the reader; undefined when one cannot be judged. */
function pinnedValues(r: JsonObject, w: JsonObject, ctx: CompareContext): Finding[] | undefined {
  const values = (w.enum as JsonValue[]).filter((v) => acceptsValue(w, v, ctx.writer) !== false);
  const verdicts = values.map((v) => acceptsValue(r, v, ctx.reader));
  if (verdicts.includes(undefined)) return undefined;
  const rejected = values.filter((_, i) => verdicts[i] === false);
  if (rejected.length === 0) return [];
  const kind = narrowerReader(ctx, 'enum-narrowed', 'enum-widened');
  const what = ctx.direction === 'backward' ? 'values removed' : 'values added';
  const ex = placeExample(ctx.writer.schema, ctx.instance, rejected[0] as JsonValue);
  return [finding(ctx, kind, `${what}: ${list(rejected)}`, { example: ex })];
}

function compareTypes(r: JsonObject, w: JsonObject, ctx: CompareContext): Finding[] {
  const rt = typesOf(r);
  const wt = typesOf(w);
  const missing = wt.filter((t) => !rt.includes(t) && !(t === 'integer' && rt.includes('number')));
  if (missing.length === 0) return [];
  const extra = rt.filter((t) => !wt.includes(t) && !(t === 'integer' && wt.includes('number')));
  const changed = extra.length > 0;
  const kind = changed ? 'type-changed' : narrowerReader(ctx, 'type-narrowed', 'type-widened');
  const [b, a] = oldNew(ctx, r.type, w.type);
  return [finding(ctx, kind, `type went from ${show(b)} to ${show(a)}`, { example: example(r, w, ctx) })];
}

function compareFormat(r: JsonObject, w: JsonObject, ctx: CompareContext): Finding[] {
  if (r.format === undefined || r.format === w.format) return [];
  const [b, a] = oldNew(ctx, r.format, w.format);
  const kind =
    w.format === undefined ? narrowerReader(ctx, 'format-added', 'format-removed') : 'format-changed';
  return [finding(ctx, kind, `format went from ${show(b)} to ${show(a)}`)];
}

function comparePattern(r: JsonObject, w: JsonObject, ctx: CompareContext): Finding[] {
  if (r.pattern === undefined || r.pattern === w.pattern) return [];
  const [b, a] = oldNew(ctx, r.pattern, w.pattern);
  const kind =
    w.pattern === undefined ? narrowerReader(ctx, 'bound-tightened', 'bound-relaxed') : 'pattern-changed';
  return [finding(ctx, kind, `pattern went from ${show(b)} to ${show(a)}`, { example: example(r, w, ctx) })];
}

function compareMultipleOf(r: JsonObject, w: JsonObject, ctx: CompareContext): Finding[] {
  const m = r.multipleOf;
  if (typeof m !== 'number') return [];
  const k = w.multipleOf;
  const integers = typesOf(w).every((t) => t === 'integer');
  if (typeof k === 'number' && (k === m || (Number.isInteger(k) && Number.isInteger(m) && k % m === 0)))
    return [];
  if (m === 1 && integers) return [];
  const [b, a] = oldNew(ctx, r.multipleOf, w.multipleOf);
  return [
    finding(ctx, 'multiple-of-changed', `multipleOf went from ${show(b)} to ${show(a)}`, {
      example: example(r, w, ctx),
    }),
  ];
}

type Side = 'lower' | 'upper';
type Bound = { value: number; exclusive: boolean; keyword: string };

const boundGroups: readonly [string, string | undefined, Side, string][] = [
  ['minimum', 'exclusiveMinimum', 'lower', 'number'],
  ['maximum', 'exclusiveMaximum', 'upper', 'number'],
  ['minLength', undefined, 'lower', 'string'],
  ['maxLength', undefined, 'upper', 'string'],
  ['minItems', undefined, 'lower', 'array'],
  ['maxItems', undefined, 'upper', 'array'],
  ['minProperties', undefined, 'lower', 'object'],
  ['maxProperties', undefined, 'upper', 'object'],
];

/** True when bound `x` admits no value bound `y` rejects (x at least as tight); a missing bound admits all. */
function atLeastAsTight(x: Bound | undefined, y: Bound | undefined, side: Side): boolean {
  if (y === undefined) return true;
  if (x === undefined) return false;
  if (x.value === y.value) return x.exclusive || !y.exclusive;
  return side === 'lower' ? x.value > y.value : x.value < y.value;
}

function boundOf(
  s: JsonObject,
  inclusive: string,
  exclusive: string | undefined,
  side: Side,
): Bound | undefined {
  const i = s[inclusive];
  const e = exclusive === undefined ? undefined : s[exclusive];
  const inc = typeof i === 'number' ? { value: i, exclusive: false, keyword: inclusive } : undefined;
  const exc = typeof e === 'number' ? { value: e, exclusive: true, keyword: exclusive ?? '' } : undefined;
  if (inc === undefined) return exc;
  if (exc === undefined) return inc;
  return atLeastAsTight(exc, inc, side) ? exc : inc;
}

function compareBound(
  r: JsonObject,
  w: JsonObject,
  ctx: CompareContext,
  inclusive: string,
  exclusive: string | undefined,
  side: Side,
): Finding[] {
  const rb = boundOf(r, inclusive, exclusive, side);
  const wb = boundOf(w, inclusive, exclusive, side);
  if (atLeastAsTight(wb, rb, side)) return [];
  const kind = narrowerReader(ctx, 'bound-tightened', 'bound-relaxed');
  const [b, a] = oldNew(ctx, rb, wb);
  const message = `${inclusive} bound went from ${showBound(b)} to ${showBound(a)}`;
  return [finding(ctx, kind, message, { example: example(r, w, ctx) })];
}

/** An example document for a value-level finding, when the evaluator finds one. */
export function example(r: JsonObject, w: JsonObject, ctx: CompareContext): JsonValue | undefined {
  if (!ctx.examples) return undefined;
  const value = counterexample(r, w);
  return value === undefined ? undefined : placeExample(ctx.writer.schema, ctx.instance, value);
}

function showBound(bound: Bound | undefined): string {
  return bound === undefined ? 'none' : `${bound.keyword} ${bound.value}`;
}

export function show(value: JsonValue | undefined): string {
  return value === undefined ? 'none' : canonicalJson(value);
}

function list(values: readonly JsonValue[]): string {
  return values.map(canonicalJson).join(', ');
}
