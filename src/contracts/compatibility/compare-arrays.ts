import type { JsonObject } from '../../core/json.js';
import { type CompareContext, descend, type Finding, finding, oldNew } from './compare-context.js';
import { canonicalOf, covers } from './compare-schemas.js';
import { typesOf } from './disjoint.js';
import { scopeOfItems } from './lenient-scope.js';
import type { NormalSchema } from './normalize-schema.js';

/**
 * The array keywords: `prefixItems` (draft-07 tuple `items`) position by position, `items` for
 * the rest (draft-07 `additionalItems`), and `contains` with `minContains`/`maxContains`. Arrays
 * are read strictly under both semantics: "writers emit only declared fields" is about object
 * properties, and a tuple's open tail is a promise about positions, not fields.
 */
export function compareArrays(r: JsonObject, w: JsonObject, ctx: CompareContext): Finding[] {
  if (!typesOf(w).includes('array') || !typesOf(r).includes('array')) return [];
  const scope = ctx.scope ? scopeOfItems(ctx.scope, ctx.writer) : undefined;
  return [...compareItems(r, w, { ...ctx, scope }), ...compareContains(r, w, ctx)];
}

const prefixOf = (s: JsonObject) => (Array.isArray(s.prefixItems) ? (s.prefixItems as NormalSchema[]) : []);
const restOf = (s: JsonObject) => (s.items ?? true) as NormalSchema;

function compareItems(r: JsonObject, w: JsonObject, ctx: CompareContext): Finding[] {
  const rp = prefixOf(r);
  const wp = prefixOf(w);
  const out: Finding[] = [];
  const maxItems = typeof w.maxItems === 'number' ? w.maxItems : Number.POSITIVE_INFINITY;
  for (let i = 0; i < Math.max(rp.length, wp.length) && i < maxItems; i++) {
    const rs = rp[i] ?? restOf(r);
    const ws = wp[i] ?? restOf(w);
    if (ws === false || rs === true) continue;
    const sub = descend(ctx, `prefixItems/${i}`, i);
    const rFromTail = i >= rp.length;
    const wFromTail = i >= wp.length;
    if (ws === true && wFromTail) {
      out.push(tupleFinding(ctx, sub, 'open', i));
      continue;
    }
    if (rs === false && rFromTail) {
      out.push(tupleFinding(ctx, sub, 'closed', i));
      continue;
    }
    out.push(...covers(rs, ws, sub));
  }
  const rest = restOf(w);
  if (rest !== false && maxItems > Math.max(rp.length, wp.length)) {
    out.push(...covers(restOf(r), rest, descend(ctx, 'items', Math.max(rp.length, wp.length))));
  }
  return out;
}

/**
 * A position one side names in its tuple and the other leaves to its tail: `open` when the
 * writer's tail accepts anything there, `closed` when the reader's tail accepts nothing.
 */
function tupleFinding(ctx: CompareContext, sub: CompareContext, tail: 'open' | 'closed', i: number): Finding {
  // The reader names the position the writer's open tail covers, or the reader's closed tail
  // rejects a position the writer names: which of the two versions has the item decides the kind.
  const added = (tail === 'open') === (ctx.direction === 'backward');
  const kind = added ? 'tuple-item-added' : 'tuple-item-removed';
  const verb = added ? 'added to' : 'removed from';
  return finding(
    ctx,
    kind,
    `tuple item ${i} ${verb} a tuple whose other items are ${tail === 'open' ? 'open' : 'closed'}`,
    {
      path: sub.path,
      object: tail,
    },
  );
}

function compareContains(r: JsonObject, w: JsonObject, ctx: CompareContext): Finding[] {
  if (r.contains === undefined) return [];
  const rMin = typeof r.minContains === 'number' ? r.minContains : 1;
  const rMax = typeof r.maxContains === 'number' ? r.maxContains : undefined;
  const sub: CompareContext = {
    ...ctx,
    path: `${ctx.path}/contains`,
    examples: false,
    scope: undefined,
    semantics: 'strict',
  };
  const quiet = (a: NormalSchema, b: NormalSchema) => covers(a, b, sub).length === 0;
  const rc = r.contains as NormalSchema;
  // Ajv 8 skips `contains` on arrays shorter than a typed prefixItems (it accepts [] under
  // contains: false beside prefixItems), so a writer's contains next to prefixItems promises nothing.
  const wContains = Array.isArray(w.prefixItems) ? undefined : (w.contains as NormalSchema | undefined);
  const wMin = typeof w.minContains === 'number' ? w.minContains : 1;
  const wMax = typeof w.maxContains === 'number' ? w.maxContains : undefined;
  const everyItem = prefixOf(w).every((p) => quiet(rc, p)) && quiet(rc, restOf(w));
  const minOk =
    rMin === 0 ||
    (wContains !== undefined && wMin >= rMin && quiet(rc, wContains)) ||
    (everyItem && (typeof w.minItems === 'number' ? w.minItems : 0) >= rMin);
  const maxOk =
    rMax === undefined ||
    (w.contains !== undefined &&
      canonicalOf(w.contains as NormalSchema) === canonicalOf(rc) &&
      wMax !== undefined &&
      wMax <= rMax) ||
    (typeof w.maxItems === 'number' && w.maxItems <= rMax);
  if (minOk && maxOk) return [];
  const [b, a] = oldNew(ctx, r, w);
  const show = (s: JsonObject) =>
    JSON.stringify({ contains: s.contains, minContains: s.minContains, maxContains: s.maxContains });
  return [
    finding(ctx, 'contains-changed', `contains went from ${show(b)} to ${show(a)}`, { path: sub.path }),
  ];
}
