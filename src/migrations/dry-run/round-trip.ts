import { isDeepStrictEqual } from 'node:util';
import { isJsonObject, type JsonObject, type JsonValue } from '../../core/json.js';
import type { Migration } from '../migration.js';
import { migrateDown } from '../transform-document.js';

/**
 * Why `down(up(doc))` is not `doc`, or undefined when it is. `migrated` is what `up` gave. A
 * document written before versions were has no version field, and `down` gives it `fromVersion`:
 * that is the same document, so the field is not counted as a difference then. Pure.
 */
export function roundTripProblem(
  migration: Migration,
  original: JsonObject,
  migrated: JsonObject,
  keyField: string,
  versionField: string,
): string | undefined {
  const outcome = migrateDown(migration, migrated, keyField, versionField);
  if (outcome.status === 'failed') return outcome.reason;
  if (outcome.status === 'skipped')
    return `down() was skipped: the migrated document is not at v${migration.targetVersion}`;
  let back = outcome.doc;
  const unversioned = original[versionField] === undefined || original[versionField] === null;
  if (unversioned && back[versionField] === migration.fromVersion) {
    const { [versionField]: _version, ...rest } = back;
    back = original[versionField] === null ? { ...rest, [versionField]: null } : rest;
  }
  const path = firstDifference(original, back, '');
  return path === undefined ? undefined : `down(up(doc)) differs from doc at ${path || 'the root'}`;
}

/** The dotted path of the first place two JSON values differ, or undefined when they are equal. */
export function firstDifference(
  a: JsonValue | undefined,
  b: JsonValue | undefined,
  path: string,
): string | undefined {
  if (isDeepStrictEqual(a, b)) return undefined;
  if (isJsonObject(a) && isJsonObject(b)) {
    const fields = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const field of fields) {
      const inner = firstDifference(a[field], b[field], path ? `${path}.${field}` : field);
      if (inner !== undefined) return inner;
    }
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    for (const [i, item] of a.entries()) {
      const inner = firstDifference(item, b[i], `${path}.${i}`);
      if (inner !== undefined) return inner;
    }
  }
  return path;
}
