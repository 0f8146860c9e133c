import { canonicalJson, isJsonObject, type JsonObject, type JsonValue } from '../../core/json.js';
import { acceptsValue } from './accepts-value.js';
import {
  type CompareContext,
  descend,
  type Finding,
  finding,
  narrowerReader,
  oldNew,
} from './compare-context.js';
import { covers, sameSchema } from './compare-schemas.js';
import { requiredOf, typesOf } from './disjoint.js';
import { placeExample, sampleValue } from './example-document.js';
import { type Declarations, declarations, declares, scopeOfProperty } from './lenient-scope.js';
import { fieldSchema } from './merge-schemas.js';
import type { NormalSchema } from './normalize-schema.js';
import { matches, patternsDisjoint } from './property-names.js';
import { escapePointer, type ObjectOpenness } from './schema-change.js';

/**
 * The object keywords: properties, required, patternProperties, additionalProperties (with what
 * `unevaluatedProperties` became), propertyNames, dependentRequired and dependentSchemas. Each
 * property name is judged by what each side says about its value: its `properties` entry, the
 * patterns it matches, or else `additionalProperties`, so a field added where the old version
 * allowed any field of some schema is compared with that schema, and `"foo": false` in a closed
 * object is the same as no `foo` at all.
 */
export function compareObjects(r: JsonObject, w: JsonObject, ctx: CompareContext): Finding[] {
  if (!typesOf(w).includes('object') || !typesOf(r).includes('object')) return [];
  const lenient = ctx.semantics === 'lenient' && ctx.scope !== undefined;
  const decl = lenient ? declarations(ctx.scope ?? [], ctx.writer) : undefined;
  const o: Obj = { r, w, ctx, decl, renames: renames(r, w, ctx) };
  return [
    ...o.renames.findings,
    ...compareRequired(o),
    ...compareProperties(o),
    ...compareOtherNames(o),
    ...comparePropertyNames(o),
    ...compareDependencies(o),
  ];
}

interface Obj {
  readonly r: JsonObject;
  readonly w: JsonObject;
  readonly ctx: CompareContext;
  /** Lenient only: what the writer declares here. */
  readonly decl: Declarations | undefined;
  readonly renames: { readonly names: ReadonlySet<string>; readonly findings: Finding[] };
}

const props = (s: JsonObject): JsonObject => (isJsonObject(s.properties) ? s.properties : {});
const patterns = (s: JsonObject): JsonObject =>
  isJsonObject(s.patternProperties) ? s.patternProperties : {};

/** Whether the writer may emit `name` at all. */
function emits(o: Obj, name: string): boolean {
  if (fieldSchema(o.w, name) === false) return false;
  return o.decl === undefined || declares(o.decl, name);
}

/** The openness a field finding is labelled with. */
export function openness(s: JsonObject): ObjectOpenness {
  if (Object.keys(patterns(s)).length > 0) return 'constrained';
  const ap = s.additionalProperties;
  if (ap === false) return 'closed';
  return ap === undefined || ap === true ? 'open' : 'constrained';
}

/** True when `s` says nothing about `name`: not in properties, no pattern, additionalProperties open. */
function openFor(s: JsonObject, name: string): boolean {
  if (Object.hasOwn(props(s), name)) return false;
  if (Object.keys(patterns(s)).some((p) => matches(p, name) !== false)) return false;
  return s.additionalProperties === undefined || s.additionalProperties === true;
}

function fieldPointer(ctx: CompareContext, name: string): string {
  return `${ctx.path}/properties/${escapePointer(name)}`;
}

/** A minimal writer document with `name` set to a sample of its schema. */
function withField(o: Obj, name: string, value?: JsonValue): JsonValue | undefined {
  const base = sampleValue({ ...o.w, type: ['object'] }, o.ctx.writer);
  const v = value !== undefined ? value : sampleValue(fieldSchema(o.w, name), o.ctx.writer);
  if (!isJsonObject(base) || v === undefined) return undefined;
  return placeExample(o.ctx.writer.schema, o.ctx.instance, { ...base, [name]: v });
}

/**
 * A field removed and another added with an identical schema, each the only such match, is a
 * rename: the data moved, whatever the openness says.
 */
function renames(r: JsonObject, w: JsonObject, ctx: CompareContext): Obj['renames'] {
  const [before, after] = oldNew(ctx, props(r), props(w));
  const removed = Object.keys(before).filter((n) => !Object.hasOwn(after, n) && before[n] !== false);
  const added = Object.keys(after).filter((n) => !Object.hasOwn(before, n) && after[n] !== false);
  const names = new Set<string>();
  const findings: Finding[] = [];
  for (const from of removed) {
    const schema = canonicalJson(before[from] as JsonValue);
    const targets = added.filter((to) => canonicalJson(after[to] as JsonValue) === schema);
    const sources = removed.filter((x) => canonicalJson(before[x] as JsonValue) === schema);
    if (targets.length !== 1 || sources.length !== 1) continue;
    const to = targets[0] as string;
    names.add(from).add(to);
    findings.push(
      finding(ctx, 'field-renamed', `${from} renamed to ${to}`, { path: fieldPointer(ctx, from) }),
    );
  }
  return { names, findings };
}

function compareRequired(o: Obj): Finding[] {
  const { r, w, ctx } = o;
  const wreq = new Set(requiredOf(w));
  const out: Finding[] = [];
  for (const name of requiredOf(r)) {
    if (wreq.has(name) || o.renames.names.has(name)) continue;
    const inW = Object.hasOwn(props(w), name);
    const kind =
      ctx.direction === 'backward'
        ? inW
          ? 'field-made-required'
          : 'field-added-required'
        : inW
          ? 'field-made-optional'
          : 'required-field-removed';
    const message = inW
      ? `${name} made ${ctx.direction === 'backward' ? 'required' : 'optional'}`
      : ctx.direction === 'backward'
        ? `${name} added as required to a ${openness(w)} object`
        : `${name} removed while old readers require it`;
    const object = inW ? undefined : openness(w);
    const base = sampleValue({ ...w, type: ['object'] }, ctx.writer);
    const example = base === undefined ? undefined : placeExample(ctx.writer.schema, ctx.instance, base);
    out.push(
      finding(ctx, kind, message, { path: fieldPointer(ctx, name), ...(object ? { object } : {}), example }),
    );
  }
  return out;
}

function compareProperties(o: Obj): Finding[] {
  const { r, w } = o;
  const names = new Set([...Object.keys(props(r)), ...Object.keys(props(w))]);
  for (const n of o.decl?.names ?? []) names.add(n);
  const out: Finding[] = [];
  for (const name of names) {
    if (o.renames.names.has(name) || !emits(o, name)) continue;
    out.push(...compareField(o, name, fieldSchema(r, name), fieldSchema(w, name)));
  }
  return out;
}

function compareField(o: Obj, name: string, rn: NormalSchema, wn: NormalSchema): Finding[] {
  const { r, w, ctx } = o;
  if (rn === true || sameSchema(rn, wn, ctx.reader.hasRefs || ctx.writer.hasRefs)) return [];
  const wOpen = openFor(w, name);
  const inW = Object.hasOwn(props(w), name);
  const path = fieldPointer(ctx, name);
  if (wOpen && o.decl !== undefined) {
    const why = `${name} is declared by another part of the writer's schema, which may let documents of this part carry it; steward cannot tell`;
    return [finding(ctx, 'unsupported', why, { path })];
  }
  const backward = ctx.direction === 'backward';
  if (rn === false && inW) {
    const required = requiredOf(w).includes(name);
    const kind = backward
      ? required
        ? 'required-field-removed'
        : 'field-removed'
      : required
        ? 'field-added-required'
        : 'field-added-optional';
    const message = backward ? `${name} removed (closed object)` : `${name} added to a closed object`;
    return [finding(ctx, kind, message, { path, object: 'closed', example: withField(o, name) })];
  }
  if (wOpen) {
    const required = requiredOf(r).includes(name);
    const kind = backward
      ? required
        ? 'field-added-required'
        : 'field-added-optional'
      : required
        ? 'required-field-removed'
        : 'field-removed';
    const message = backward ? `${name} added to an open object` : `${name} removed (open object)`;
    const value = counterValue(rn);
    return [
      finding(ctx, kind, message, {
        path,
        object: 'open',
        example: value === undefined ? undefined : withField(o, name, value),
      }),
    ];
  }
  const scope = ctx.scope ? scopeOfProperty(ctx.scope, ctx.writer, name) : undefined;
  const sub: CompareContext = {
    ...descend(ctx, `properties/${escapePointer(name)}`, name),
    scope,
    note: noteFor(o, name),
  };
  return covers(rn, wn, sub);
}

/** A value the reader's field schema rejects, for an example of a field that was open. */
function counterValue(rn: NormalSchema): JsonValue | undefined {
  const tries: JsonValue[] = [null, 0, 'x', true, {}, [], 1.5, -1];
  return tries.find((v) => acceptsValue(rn, v) === false);
}

/** Says what a field was compared with when one side covers it by a pattern or additionalProperties. */
function noteFor(o: Obj, name: string): string {
  const inR = Object.hasOwn(props(o.r), name);
  const inW = Object.hasOwn(props(o.w), name);
  if (inR && inW) return o.ctx.note;
  const [oldS, newS] = oldNew(o.ctx, o.r, o.w);
  const addedNow = Object.hasOwn(props(newS), name) && !Object.hasOwn(props(oldS), name);
  const what = addedNow
    ? 'added, compared with what the old version allowed for it'
    : 'removed, compared with what the new version allows for it';
  return `${o.ctx.note}${name} ${what} (patternProperties or additionalProperties): `;
}

type Region = { pattern?: string; schema: NormalSchema };

/** Names in neither `properties`: pattern by pattern, and the rest against additionalProperties. */
function compareOtherNames(o: Obj): Finding[] {
  const { r, w } = o;
  if (o.decl !== undefined && !o.decl.anyName && o.decl.patterns.length === 0) return [];
  const rp = patterns(r);
  const wp = patterns(w);
  const readers: Region[] = [
    ...Object.keys(rp).map((p) => ({ pattern: p, schema: rp[p] as NormalSchema })),
    { schema: (r.additionalProperties ?? true) as NormalSchema },
  ];
  const writers: Region[] = [
    ...Object.keys(wp).map((p) => ({ pattern: p, schema: wp[p] as NormalSchema })),
    { schema: (w.additionalProperties ?? true) as NormalSchema },
  ];
  const out: Finding[] = [];
  for (const rr of readers) {
    for (const wr of writers) {
      if (!mayOverlap(rr, wr, rp, wp)) continue;
      out.push(...compareRegion(o, rr, wr));
    }
  }
  return out;
}

function mayOverlap(rr: Region, wr: Region, rp: JsonObject, wp: JsonObject): boolean {
  if (rr.pattern !== undefined && wr.pattern !== undefined)
    return rr.pattern === wr.pattern || !patternsDisjoint(rr.pattern, wr.pattern);
  if (rr.pattern !== undefined) return !Object.hasOwn(wp, rr.pattern);
  if (wr.pattern !== undefined) return !Object.hasOwn(rp, wr.pattern);
  return true;
}

function compareRegion(o: Obj, rr: Region, wr: Region): Finding[] {
  const { ctx } = o;
  if (wr.schema === false || rr.schema === true) return [];
  const path =
    rr.pattern === undefined
      ? `${ctx.path}/additionalProperties`
      : `${ctx.path}/patternProperties/${escapePointer(rr.pattern)}`;
  const label = (s: NormalSchema) => (s === true ? 'open' : s === false ? 'closed' : 'constrained');
  const [b, a] = oldNew(ctx, label(rr.schema), label(wr.schema));
  const what = rr.pattern === undefined ? 'additionalProperties' : `patternProperties ${rr.pattern}`;
  if (wr.schema === true || rr.schema === false) {
    const kind = narrowerReader(ctx, 'open-to-closed', 'closed-to-open');
    const object: ObjectOpenness = wr.schema === true && ctx.semantics === 'strict' ? 'open' : 'constrained';
    const extra = freshName(o);
    const value = counterValue(rr.schema);
    const example = rr.pattern === undefined && value !== undefined ? withField(o, extra, value) : undefined;
    return [finding(ctx, kind, `${what} went from ${b} to ${a}`, { path, object, example })];
  }
  const sub: CompareContext = { ...ctx, path, examples: false, scope: ctx.scope ? [wr.schema] : undefined };
  return covers(rr.schema, wr.schema, sub);
}

/** A property name neither side names nor matches with a pattern, for examples. */
function freshName(o: Obj): string {
  const taken = (n: string) =>
    !openFor(o.r, n) ||
    Object.hasOwn(props(o.w), n) ||
    Object.keys(patterns(o.w)).some((p) => matches(p, n) !== false);
  let name = 'extra';
  for (let i = 2; taken(name) && i < 50; i++) name = `extra${i}`;
  return name;
}

function comparePropertyNames(o: Obj): Finding[] {
  const { r, w, ctx } = o;
  if (r.propertyNames === undefined || r.propertyNames === true) return [];
  const sub: CompareContext = {
    ...ctx,
    path: `${ctx.path}/propertyNames`,
    examples: false,
    scope: undefined,
    semantics: 'strict',
  };
  const rs = r.propertyNames as NormalSchema;
  const fromKeyword = covers(rs, (w.propertyNames ?? { type: ['string'] }) as NormalSchema, sub);
  if (fromKeyword.length === 0) return [];
  // A writer that emits only names it lists: each listed name against the reader's.
  const listed =
    o.decl !== undefined && !o.decl.anyName && o.decl.patterns.length === 0
      ? [...o.decl.names]
      : closedNames(w);
  if (listed?.every((n) => !emits(o, n) || acceptsValue(rs, n) === true)) return [];
  const [b, a] = oldNew(ctx, r.propertyNames, w.propertyNames);
  const msg = `propertyNames went from ${canonicalJson((b ?? null) as JsonValue)} to ${canonicalJson((a ?? null) as JsonValue)}`;
  return [finding(ctx, 'property-names-changed', msg, { path: sub.path })];
}

/** The names a closed writer object may carry, or undefined when it is not closed. */
function closedNames(w: JsonObject): string[] | undefined {
  if (w.additionalProperties !== false || Object.keys(patterns(w)).length > 0) return undefined;
  return Object.keys(props(w));
}

function compareDependencies(o: Obj): Finding[] {
  const { r, w, ctx } = o;
  const out: Finding[] = [];
  const rdr = isJsonObject(r.dependentRequired) ? r.dependentRequired : {};
  const wdr = isJsonObject(w.dependentRequired) ? w.dependentRequired : {};
  const wreq = new Set(requiredOf(w));
  for (const [p, needs] of Object.entries(rdr)) {
    if (!emits(o, p)) continue;
    const has = new Set([...((wdr[p] as string[] | undefined) ?? []), ...wreq]);
    const missing = (needs as string[]).filter((q) => !has.has(q));
    if (missing.length === 0) continue;
    const kind = narrowerReader(ctx, 'dependency-added', 'dependency-removed');
    const msg = `documents with ${p} must${ctx.direction === 'backward' ? ' now' : ' no longer'} carry ${missing.join(', ')}`;
    out.push(
      finding(ctx, kind, msg, {
        path: `${ctx.path}/dependentRequired/${escapePointer(p)}`,
        example: withField(o, p),
      }),
    );
  }
  const rds = isJsonObject(r.dependentSchemas) ? r.dependentSchemas : {};
  const wds = isJsonObject(w.dependentSchemas) ? w.dependentSchemas : {};
  for (const [p, s] of Object.entries(rds)) {
    if (!emits(o, p)) continue;
    const sub: CompareContext = {
      ...ctx,
      path: `${ctx.path}/dependentSchemas/${escapePointer(p)}`,
      examples: false,
    };
    const own = wds[p] !== undefined ? covers(s as NormalSchema, wds[p] as NormalSchema, sub) : undefined;
    if (own?.length === 0) continue;
    const whole = covers(s as NormalSchema, w, sub);
    if (whole.length === 0) continue;
    if (own !== undefined) out.push(...own);
    else {
      const kind = narrowerReader(ctx, 'dependency-added', 'dependency-removed');
      out.push(
        finding(ctx, kind, `documents with ${p} must match a schema the other version does not require`, {
          path: sub.path,
        }),
      );
    }
  }
  return out;
}
