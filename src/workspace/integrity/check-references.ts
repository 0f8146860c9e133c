import { StewardError } from '../../errors/steward-error.js';
import type { ResolvedReference } from '../../integrity/reference.js';
import { missingCollections } from '../../stores/missing-collections.js';
import type { CollectionSpec } from '../../stores/store.js';
import type { Workspace } from '../workspace.js';

/**
 * Checks every reference a scan will read before it reads any: each one's source and target
 * collection must exist in its store. Throws `collection.not-found` (exit 2) naming every broken
 * reference and what is missing, so a scan of several references never stops half-way with some
 * of them scanned and their incidents written.
 */
export async function checkReferences(
  run: Workspace,
  references: readonly ResolvedReference[],
): Promise<void> {
  const byStore = new Map<string, Map<CollectionSpec, string>>();
  for (const r of references)
    for (const name of [r.collection, r.target]) {
      const { store, spec } = run.config.collections.get(name)!;
      byStore.set(store, (byStore.get(store) ?? new Map()).set(spec, name));
    }
  // steward's name of each missing collection, with where it was looked for.
  const missing = new Map<string, string>();
  for (const [store, names] of byStore)
    for (const spec of await missingCollections(run.store(store), [...names.keys()]))
      missing.set(names.get(spec)!, `${describeSpec(spec)} in store "${store}"`);
  if (missing.size === 0) return;
  const broken = references.flatMap((r) => problemsOf(r, missing));
  const count = references.filter((r) => problemsOf(r, missing).length > 0).length;
  throw new StewardError(
    'collection.not-found',
    `${count} of ${references.length} reference(s) cannot be scanned; nothing was scanned or written:\n` +
      broken.map((b) => `  ${b}`).join('\n') +
      `\nCreate the collection, fix its name in ${run.config.file ?? 'the config'}, or leave the reference out.`,
    { references: broken, missing: [...missing.keys()] },
  );
}

function problemsOf(r: ResolvedReference, missing: ReadonlyMap<string, string>): string[] {
  const out: string[] = [];
  const source = missing.get(r.collection);
  const target = missing.get(r.target);
  if (source) out.push(`${r.name}: its source collection "${r.collection}" (${source}) does not exist`);
  if (target) out.push(`${r.name}: its target collection "${r.target}" (${target}) does not exist`);
  return out;
}

function describeSpec(spec: CollectionSpec): string {
  return spec.dynamodb ? `table "${spec.dynamodb.table}"` : `"${spec.name}"`;
}
