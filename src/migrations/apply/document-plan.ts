import { getPath, isScalar, type JsonObject, type Scalar, setPath, unsetPath } from '../../core/json.js';
import { type DocKey, docKey } from '../../stores/store.js';
import { canonicalTextDigest } from '../collection-checksum.js';
import type { Migration } from '../migration.js';
import { migrateUp, type TransformOptions } from '../transform-document.js';
import type { ContractCheck } from './contract-check.js';
import type { RenameField } from './migration-collections.js';

/** How one collection's documents are rewritten by one migration. */
export interface CollectionRewrite {
  readonly migration: Migration;
  readonly keyField: string;
  readonly versionField: string;
  /** The version of documents without the version field: their contract's `assumeVersion`. */
  readonly assumeVersion?: number;
  /** True when `up` migrates this collection; false when only `rename-field` operations touch it. */
  readonly versioned: boolean;
  /** Applied in order before `up`: operations run before the documents are rewritten. */
  readonly renames: readonly RenameField[];
  /**
   * The collection's contract, which every rewritten document must conform to before it is
   * written (see `contractCheck`); absent when the collection has no contract.
   */
  readonly conforms?: ContractCheck;
  /**
   * True when a write's plan should carry the `documentDigest` of what it writes (`digest`), its
   * canonical text made by the walk that checks `up`'s result is JSON: apply digests every
   * document it writes. The text is hashed at once, not kept: a batch's plans live until it is
   * written, and holding every text would add to what the garbage collector copies.
   */
  readonly digest?: boolean;
}

const withText: TransformOptions = { canonicalText: true };

/**
 * What apply does with one document read from the store:
 * - `write`: replace it with `next`, on condition that its version field still holds `expect`;
 * - `at-target`: already at the target version (migrated earlier, or before apply began);
 * - `unchanged`: nothing to do (a rename-only collection whose document lacks the field);
 * - `failed`: `up` or a rename failed, or what they made does not conform to the contract
 *   (`nonConforming`); the document stays as it is and is reported.
 */
export type DocumentPlan =
  | {
      readonly kind: 'write';
      readonly key: DocKey;
      readonly next: JsonObject;
      readonly expect: Scalar | undefined;
      /** `next`'s `documentDigest`, when the rewrite asked for it (`CollectionRewrite.digest`). */
      readonly digest?: string;
    }
  | { readonly kind: 'at-target'; readonly key: DocKey }
  | { readonly kind: 'unchanged'; readonly key: DocKey }
  | {
      readonly kind: 'failed';
      readonly key: DocKey | undefined;
      readonly reason: string;
      /** The rewrite worked but breaks the contract: apply's `contract` gate stops on it. */
      readonly nonConforming?: true;
    };

/** Plans one document. Pure, and never throws: `up` runs inside `migrateUp`, which catches. */
export function planDocument(doc: JsonObject, rewrite: CollectionRewrite): DocumentPlan {
  const key = docKey(doc, { name: '', keyField: rewrite.keyField });
  if (key === undefined) return { kind: 'failed', key, reason: `has no valid key in ${rewrite.keyField}` };
  const version = doc[rewrite.versionField];
  if (version !== undefined && !isScalar(version))
    return {
      kind: 'failed',
      key,
      reason: `${rewrite.versionField} holds ${JSON.stringify(version)}, not a version`,
    };
  const renamed = applyRenames(doc, rewrite.renames);
  if (typeof renamed === 'string') return { kind: 'failed', key, reason: renamed };
  if (!rewrite.versioned)
    return renamed === doc ? { kind: 'unchanged', key } : conforming(rewrite, key, renamed, version);
  const { migration, keyField, versionField, assumeVersion } = rewrite;
  const options = rewrite.digest ? withText : undefined;
  const outcome = migrateUp(migration, renamed, keyField, versionField, assumeVersion, options);
  if (outcome.status === 'skipped') return { kind: 'at-target', key };
  if (outcome.status === 'failed') return { kind: 'failed', key, reason: outcome.reason };
  return conforming(rewrite, key, outcome.doc, version, outcome.text);
}

/** A write of `next`, unless it breaks the collection's contract. */
function conforming(
  rewrite: CollectionRewrite,
  key: DocKey,
  next: JsonObject,
  expect: Scalar | undefined,
  text?: string,
): DocumentPlan {
  const broken = rewrite.conforms?.(next);
  if (broken !== undefined) return { kind: 'failed', key, reason: broken, nonConforming: true };
  return text === undefined
    ? { kind: 'write', key, next, expect }
    : { kind: 'write', key, next, expect, digest: canonicalTextDigest(text) };
}

/**
 * Moves each renamed field; the same document when no rename applies, a reason when one cannot
 * (the new name is taken). Renames of the key or version field are refused before apply starts.
 */
export function applyRenames(doc: JsonObject, renames: readonly RenameField[]): JsonObject | string {
  let out = doc;
  for (const op of renames) {
    const value = getPath(out, op.from);
    if (value === undefined) continue;
    if (getPath(out, op.to) !== undefined)
      return `rename-field ${op.from} -> ${op.to}: both fields are present; rename one by hand first`;
    out = setPath(unsetPath(out, op.from), op.to, value);
  }
  return out;
}
