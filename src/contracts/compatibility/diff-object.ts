import { canonicalJson, type JsonObject } from '../../core/json.js';
import {
  asObject,
  asSchema,
  type DiffNode,
  escapePointer,
  type ObjectOpenness,
  type SchemaChange,
} from './schema-change.js';

/**
 * Compares the object keywords of two sub-schemas: additionalProperties, properties and required.
 * Shared fields are compared by `recurse`; a field removed and another added with an identical
 * sub-schema at the same level is reported once, as a rename, because that is what it usually is.
 */
export function diffObject(
  before: JsonObject,
  after: JsonObject,
  path: string,
  out: SchemaChange[],
  recurse: DiffNode,
): void {
  diffOpenness(before, after, path, out, recurse);
  const bp = asObject(before.properties);
  const ap = asObject(after.properties);
  const breq = requiredOf(before);
  const areq = requiredOf(after);
  const removed = Object.keys(bp).filter((n) => !(n in ap));
  const added = Object.keys(ap).filter((n) => !(n in bp));
  const renames = pairRenames(removed, added, bp, ap);
  for (const [from, to] of renames) {
    out.push({ path: fieldPath(path, from), kind: 'field-renamed', message: `${from} renamed to ${to}` });
  }
  const renamedFrom = new Set(renames.keys());
  const renamedTo = new Set(renames.values());
  for (const name of removed.filter((n) => !renamedFrom.has(n))) {
    const kind = breq.has(name) ? 'required-field-removed' : 'field-removed';
    const object = openness(after);
    out.push({ path: fieldPath(path, name), kind, object, message: `${name} removed (${object} object)` });
  }
  for (const name of added.filter((n) => !renamedTo.has(n))) {
    const kind = areq.has(name) ? 'field-added-required' : 'field-added-optional';
    const object = openness(before);
    out.push({ path: fieldPath(path, name), kind, object, message: `${name} added to a ${object} object` });
  }
  for (const name of Object.keys(bp).filter((n) => n in ap)) {
    recurse(asSchema(bp[name]), asSchema(ap[name]), fieldPath(path, name), out);
  }
  const moved = new Set([...removed, ...added]);
  for (const name of new Set([...breq, ...areq])) {
    if (moved.has(name) || breq.has(name) === areq.has(name)) continue;
    const kind = areq.has(name) ? 'field-made-required' : 'field-made-optional';
    out.push({
      path: fieldPath(path, name),
      kind,
      message: `${name} made ${kind.slice('field-made-'.length)}`,
    });
  }
}

/** The openness of an object schema; see {@link ObjectOpenness}. */
export function openness(schema: JsonObject): ObjectOpenness {
  const ap = schema.additionalProperties;
  if (ap === false) return 'closed';
  if (ap === undefined || ap === true) return 'open';
  return 'constrained';
}

const rank: Record<ObjectOpenness, number> = { closed: 0, constrained: 1, open: 2 };

function diffOpenness(
  before: JsonObject,
  after: JsonObject,
  path: string,
  out: SchemaChange[],
  recurse: DiffNode,
): void {
  const b = openness(before);
  const a = openness(after);
  const message = `additionalProperties went from ${b} to ${a}`;
  if (rank[a] > rank[b]) out.push({ path, kind: 'closed-to-open', message });
  else if (rank[a] < rank[b]) out.push({ path, kind: 'open-to-closed', message });
  else if (a === 'constrained') {
    recurse(
      asObject(before.additionalProperties),
      asObject(after.additionalProperties),
      `${path}/additionalProperties`,
      out,
    );
  }
}

/** Pairs each removed field with the one added field of identical schema, when the match is unique both ways. */
function pairRenames(
  removed: string[],
  added: string[],
  bp: JsonObject,
  ap: JsonObject,
): Map<string, string> {
  const pairs = new Map<string, string>();
  for (const from of removed) {
    const schema = canonicalJson(bp[from]);
    const targets = added.filter((to) => canonicalJson(ap[to]) === schema);
    const sources = removed.filter((r) => canonicalJson(bp[r]) === schema);
    if (targets.length === 1 && sources.length === 1) pairs.set(from, targets[0] as string);
  }
  return pairs;
}

function requiredOf(schema: JsonObject): Set<string> {
  const r = schema.required;
  return new Set(Array.isArray(r) ? r.filter((x): x is string => typeof x === 'string') : []);
}

function fieldPath(path: string, name: string): string {
  return `${path}/properties/${escapePointer(name)}`;
}
