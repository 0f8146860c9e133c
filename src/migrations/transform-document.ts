import { contractVersionOf } from '../contracts/contract.js';
import { isJsonObject, type JsonObject } from '../core/json.js';
import { checkedCanonicalText, cloneJson } from './json-values.js';
import type { Migration } from './migration.js';

/**
 * What `up` or `down` did to one document. A result, not an exception, so a dry run can report
 * every bad document and go on:
 * - `changed`: the new document, with the version field set;
 * - `skipped`: already at (or past) the version this direction leads to: re-running is a no-op;
 * - `failed`: the function threw, returned something that is not a document, changed the key, or
 *   the document is at a version the migration does not start from.
 */
export type TransformOutcome =
  | {
      readonly status: 'changed';
      readonly doc: JsonObject;
      /** `doc`'s canonical text (`canonicalText`), when asked for (see {@link TransformOptions}). */
      readonly text?: string;
    }
  | { readonly status: 'skipped'; readonly reason: 'at-target' }
  | { readonly status: 'failed'; readonly reason: string };

/**
 * `canonicalText`: also give the canonical text of a rewritten document, made in the same walk
 * that checks it is JSON (apply digests every document it writes; a dry run or a rollback's
 * `down` need not pay for the text).
 */
export interface TransformOptions {
  readonly canonicalText?: boolean;
}

/**
 * The schema version a document is at: the integer in its version field, or `assumeVersion` (the
 * contract's, see `Contract.assumeVersion`) when it has none; undefined when it has none and none
 * is assumed, or when the field holds something else.
 */
export function documentVersion(
  doc: JsonObject,
  versionField: string,
  assumeVersion?: number,
): number | undefined {
  return contractVersionOf(doc[versionField], assumeVersion);
}

/** Why a document has no version to migrate from: a missing field, or one that is not a version. */
function noVersion(doc: JsonObject, versionField: string): TransformOutcome {
  const value = doc[versionField];
  return value === undefined || value === null
    ? failed(
        `has no ${versionField}, and its contract declares no assumeVersion for such documents; ` +
          "declare the contract's assumeVersion if they are of a known version, or backfill the field",
      )
    : failed(`${versionField} is ${JSON.stringify(value)}, not an integer version`);
}

/**
 * Runs `up` on one document, version-gated: a document at the target or later is skipped, one at
 * `fromVersion` is rewritten and its version field set to the target, any other is a failure that
 * names the version found. The input is never modified.
 */
export function migrateUp(
  migration: Migration,
  doc: JsonObject,
  keyField: string,
  versionField: string,
  assumeVersion?: number,
  options?: TransformOptions,
): TransformOutcome {
  const version = documentVersion(doc, versionField, assumeVersion);
  if (version === undefined) return noVersion(doc, versionField);
  if (version >= migration.targetVersion) return { status: 'skipped', reason: 'at-target' };
  if (version !== migration.fromVersion)
    return failed(`is at version ${version}, but ${migration.id} migrates version ${migration.fromVersion}`);
  return run(migration.up, doc, keyField, versionField, migration.targetVersion, 'up', options);
}

/**
 * Runs `down` on one document: one at the target is rewritten back to `fromVersion`; one already
 * at `fromVersion` or earlier is skipped. Without `down`, rollback restores before-images instead.
 */
export function migrateDown(
  migration: Migration,
  doc: JsonObject,
  keyField: string,
  versionField: string,
  assumeVersion?: number,
): TransformOutcome {
  if (!migration.down) return failed(`${migration.id} has no down(); roll back from the before-images`);
  const version = documentVersion(doc, versionField, assumeVersion);
  if (version === undefined) return noVersion(doc, versionField);
  if (version <= migration.fromVersion) return { status: 'skipped', reason: 'at-target' };
  if (version !== migration.targetVersion)
    return failed(
      `is at version ${version}, but ${migration.id} rolls back version ${migration.targetVersion}`,
    );
  return run(migration.down, doc, keyField, versionField, migration.fromVersion, 'down');
}

function run(
  transform: (doc: JsonObject) => JsonObject,
  doc: JsonObject,
  keyField: string,
  versionField: string,
  version: number,
  direction: 'up' | 'down',
  options?: TransformOptions,
): TransformOutcome {
  let result: unknown;
  try {
    // A copy, so a transform that mutates its argument cannot change the before-image.
    result = transform(cloneJson(doc));
  } catch (error) {
    return failed(`${direction}() threw: ${(error as Error)?.message ?? String(error)}`);
  }
  if (!isJsonObject(result)) return failed(`${direction}() returned ${describe(result)}, not a document`);
  if (options?.canonicalText) return checkedResult(result, doc, keyField, versionField, version, direction);
  const bad = isPlainJson(result) ? undefined : nonJsonPath(result, '');
  if (bad !== undefined) return notJson(direction, bad);
  if (!sameKey(result[keyField], doc[keyField])) return keyChanged(direction, keyField);
  return { status: 'changed', doc: { ...result, [versionField]: version } };
}

/**
 * {@link run}'s checks of `up`'s or `down`'s result, the JSON check done by the walk that makes
 * the canonical text of the document with its version set: the same outcomes and reasons, in the
 * same order. The version field of the result is checked apart, since setting it hides what the
 * function left there.
 */
function checkedResult(
  result: JsonObject,
  doc: JsonObject,
  keyField: string,
  versionField: string,
  version: number,
  direction: 'up' | 'down',
): TransformOutcome {
  const next = { ...result, [versionField]: version };
  const text = checkedCanonicalText(next);
  const proto = Object.getPrototypeOf(result);
  const left = (result as Record<string, unknown>)[versionField];
  if (
    text === undefined ||
    (proto !== Object.prototype && proto !== null) ||
    ((left !== undefined || Object.hasOwn(result, versionField)) && !isPlainJson(left))
  )
    return notJson(direction, nonJsonPath(result, '') ?? '');
  if (!sameKey(result[keyField], doc[keyField])) return keyChanged(direction, keyField);
  return { status: 'changed', doc: next, text };
}

function notJson(direction: 'up' | 'down', path: string): TransformOutcome {
  return failed(`${direction}() returned a value that is not JSON at ${path || 'the root'}`);
}

function keyChanged(direction: 'up' | 'down', keyField: string): TransformOutcome {
  return failed(`${direction}() changed the key field ${keyField}; a migration rewrites documents in place`);
}

/** Whether `up` or `down` left the key as it was: equal JSON (a string key compared as it is, no text made). */
function sameKey(after: unknown, before: unknown): boolean {
  if (typeof after === 'string' && typeof before === 'string') return after === before;
  return JSON.stringify(after) === JSON.stringify(before);
}

/**
 * Whether a value survives a store round trip as JSON. Runs on every rewritten document: it
 * builds no paths (that allocation showed in apply's profile); {@link nonJsonPath} names the bad
 * value once one is found.
 */
function isPlainJson(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (typeof value !== 'object') return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!isPlainJson(value[i])) return false;
    return true;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  for (const field in value)
    if (Object.hasOwn(value, field) && !isPlainJson((value as Record<string, unknown>)[field])) return false;
  return true;
}

/** The dotted path of the first value that would not survive a store round trip as JSON. */
function nonJsonPath(value: unknown, path: string): string | undefined {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : path;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const bad = nonJsonPath(item, `${path}.${i}`);
      if (bad !== undefined) return bad;
    }
    return undefined;
  }
  if (typeof value !== 'object') return path;
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return path;
  for (const [field, item] of Object.entries(value)) {
    const bad = nonJsonPath(item, path ? `${path}.${field}` : field);
    if (bad !== undefined) return bad;
  }
  return undefined;
}

function failed(reason: string): TransformOutcome {
  return { status: 'failed', reason };
}

function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
