import type { JsonObject } from '../core/json.js';
import { isStewardError, StewardError } from '../errors/steward-error.js';
import { withoutKey } from '../ledger/ledger-document.js';
import { scanDocuments } from '../stores/scan-pages.js';
import type { Collection } from '../stores/store.js';

/**
 * How shape flags are stored: one document per change (*generation*) of a flag, keyed
 * `<name>#<generation, 12 digits>`, in the ledger's `flags` collection. A generation is created
 * by a unique-key insert, the one write every store applies atomically (FerretDB 1.x does not
 * make conditional updates atomic), so of concurrent setters exactly one gets each generation.
 * Generations are never deleted: together they are the flag's history.
 *
 * A generation takes effect only once its audit record exists: the setter inserts it, appends
 * the audit record, then writes the record's seq and hash into it (`auditSeq`, `auditHash`; only
 * the setter ever writes its generation). The flag's value is that of the highest generation
 * with an `auditSeq`. A crash before the audit record leaves a generation that never took
 * effect, rather than a change nobody audited. See `set-shape-flag.ts`.
 */
export type FlagGeneration = {
  readonly name: string;
  readonly generation: number;
  readonly value: string;
  /** The value it replaced: that of the flag when the setter read it; null on first definition. */
  readonly previous: string | null;
  readonly reason: string;
  readonly actor: string;
  /** ISO 8601 time of the change, by the setter's clock. */
  readonly at: string;
  /** The values the flag may take, fixed when it is first set; null: any value. */
  readonly allowed: string[] | null;
  /** The audit record of this change; null until it is written, and then the change is in effect. */
  readonly auditSeq: number | null;
  readonly auditHash: string | null;
  /** Why the setter gave this generation up (its audit append failed); null otherwise. */
  readonly abandoned: string | null;
};

/** The key of one generation: the name, `#`, the generation zero-padded so keys sort in order. */
export function flagGenerationKey(name: string, generation: number): string {
  return `${name}#${String(generation).padStart(12, '0')}`;
}

/**
 * Stored generations, by name and then ascending generation: of one flag, or of every flag. One
 * filtered scan; an absent collection (no flag was ever set) reads as empty.
 */
export async function listFlagGenerations(collection: Collection, name?: string): Promise<FlagGeneration[]> {
  const found: FlagGeneration[] = [];
  const filter = name === undefined ? undefined : [{ op: 'eq' as const, path: 'name', value: name }];
  try {
    for await (const doc of scanDocuments(collection, { filter }))
      found.push(parseGeneration(collection, doc));
  } catch (error) {
    if (isStewardError(error, 'collection.not-found')) return [];
    throw error;
  }
  return found.sort((a, b) => a.name.localeCompare(b.name) || a.generation - b.generation);
}

function parseGeneration(collection: Collection, doc: JsonObject): FlagGeneration {
  const g = withoutKey(collection, doc);
  const text = (v: unknown) => typeof v === 'string';
  const maybe = (v: unknown, is: (v: unknown) => boolean) => v === null || v === undefined || is(v);
  const ok =
    text(g.name) &&
    typeof g.generation === 'number' &&
    text(g.value) &&
    maybe(g.previous, text) &&
    text(g.reason) &&
    text(g.actor) &&
    text(g.at) &&
    maybe(g.allowed, (v) => Array.isArray(v) && v.every(text)) &&
    maybe(g.auditSeq, (v) => typeof v === 'number') &&
    maybe(g.auditHash, text) &&
    maybe(g.abandoned, text);
  if (ok) {
    return {
      name: g.name as string,
      generation: g.generation as number,
      value: g.value as string,
      previous: (g.previous ?? null) as string | null,
      reason: g.reason as string,
      actor: g.actor as string,
      at: g.at as string,
      allowed: (g.allowed ?? null) as string[] | null,
      auditSeq: (g.auditSeq ?? null) as number | null,
      auditHash: (g.auditHash ?? null) as string | null,
      abandoned: (g.abandoned ?? null) as string | null,
    };
  }
  throw new StewardError(
    'ledger.conflict',
    `flag document ${JSON.stringify(doc[collection.spec.keyField])} in "${collection.spec.name}" is ` +
      'malformed: it was changed outside steward. Restore it from a backup, or delete it if it never took effect.',
    { collection: collection.spec.name },
  );
}
