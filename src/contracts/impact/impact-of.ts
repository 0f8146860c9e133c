import { StewardError } from '../../errors/steward-error.js';
import type { Contract } from '../contract.js';
import { fieldPathsOf, pathsOverlap } from '../field-paths.js';
import type { ConsumerImpact, DerivedImpact, Impact, MigrationTouch, ReferenceImpact } from './impact.js';

/** What {@link impactOf} needs besides the contracts. */
export interface ImpactOptions {
  /**
   * The collection's key field. Contracts do not name it (the config does), so the CLI passes the
   * config's; without it, `id`, or `_id` when the schema declares `_id` and no `id`.
   */
  readonly keyField?: string;
  /** The known migrations; those touching the field are listed in the impact. */
  readonly migrations?: readonly MigrationTouch[];
}

/**
 * Everything the contracts say depends on `collection.field`: the consumers that read or write it,
 * derived state computed from it or located through it, the references it holds or (for a key)
 * receives, its deprecation, the versions that declare it and the migrations that touch it. Pure.
 * An unknown collection or field is a usage error that lists what exists.
 */
export function impactOf(
  contracts: readonly Contract[],
  collection: string,
  field: string,
  options: ImpactOptions = {},
): Impact {
  const contract = contractNamed(contracts, collection);
  const versions = versionsDeclaring(contract, field);
  const declaration = contract.fields[field] ?? { authority: 'authoritative' as const };
  const isKey = field === (options.keyField ?? defaultKeyField(contract));
  return {
    collection,
    field,
    owner: contract.owner,
    versions,
    declaration,
    ...(declaration.deprecated ? { deprecated: declaration.deprecated } : {}),
    isKey,
    consumers: consumersOf(contract, field),
    derived: derivedFrom(contracts, contract, field, isKey),
    references: referencesOf(contracts, contract, field, isKey),
    migrations: (options.migrations ?? []).filter((m) => touches(m, collection, field)),
  };
}

function contractNamed(contracts: readonly Contract[], collection: string): Contract {
  const contract = contracts.find((c) => c.collection === collection);
  if (contract) return contract;
  const known = contracts.map((c) => c.collection).join(', ') || 'none';
  throw new StewardError('usage', `no contract declares collection "${collection}"; collections: ${known}`, {
    collection,
  });
}

/** Every field path any version declares, newest version's order first. */
export function fieldsOf(contract: Contract): string[] {
  const out = new Set<string>();
  for (const v of [...contract.versions].reverse()) for (const p of fieldPathsOf(v.resolved)) out.add(p);
  return [...out];
}

function versionsDeclaring(contract: Contract, field: string): number[] {
  const versions = contract.versions.filter((v) => fieldPathsOf(v.resolved).has(field)).map((v) => v.version);
  if (versions.length > 0) return versions;
  throw new StewardError(
    'usage',
    `${contract.collection} has no field "${field}"; fields: ${fieldsOf(contract).join(', ')}`,
    { collection: contract.collection, field },
  );
}

function defaultKeyField(contract: Contract): string {
  const fields = new Set(fieldsOf(contract));
  return !fields.has('id') && fields.has('_id') ? '_id' : 'id';
}

function consumersOf(contract: Contract, field: string): ConsumerImpact[] {
  const out: ConsumerImpact[] = [];
  for (const [service, uses] of Object.entries(contract.consumers)) {
    const reads = uses.reads.filter((p) => pathsOverlap(p, field));
    const writes = uses.writes.filter((p) => pathsOverlap(p, field));
    if (reads.length > 0 || writes.length > 0) out.push({ service, reads, writes });
  }
  return out.sort((a, b) => compareText(a.service, b.service));
}

/**
 * Derived fields that depend on the field. A field found for several reasons is listed once, for
 * the most direct one (source before via before key).
 */
function derivedFrom(
  contracts: readonly Contract[],
  contract: Contract,
  field: string,
  isKey: boolean,
): DerivedImpact[] {
  const out: DerivedImpact[] = [];
  for (const c of contracts) {
    for (const [path, d] of Object.entries(c.fields)) {
      if (!d.source) continue;
      const fromHere = d.source.collection === contract.collection;
      const because =
        fromHere && pathsOverlap(d.source.field, field)
          ? 'source'
          : c === contract && d.source.via !== undefined && pathsOverlap(d.source.via, field)
            ? 'via'
            : fromHere && isKey && d.source.via !== undefined
              ? 'key'
              : undefined;
      if (!because) continue;
      out.push({
        collection: c.collection,
        field: path,
        authority: d.authority,
        source: `${d.source.collection}.${d.source.field}`,
        ...(d.source.via !== undefined ? { via: d.source.via } : {}),
        ...(d.freshness !== undefined ? { freshness: d.freshness } : {}),
        because,
        readBy: readersOf(c, path),
      });
    }
  }
  return out.sort(byCollectionAndField);
}

function readersOf(contract: Contract, field: string): string[] {
  return Object.entries(contract.consumers)
    .filter(([, uses]) => uses.reads.some((p) => pathsOverlap(p, field)))
    .map(([service]) => service)
    .sort(compareText);
}

function referencesOf(
  contracts: readonly Contract[],
  contract: Contract,
  field: string,
  isKey: boolean,
): ReferenceImpact[] {
  const holds: ReferenceImpact[] = [];
  for (const [path, d] of Object.entries(contract.fields)) {
    if (d.references !== undefined && pathsOverlap(path, field))
      holds.push({ direction: 'holds', collection: contract.collection, field: path, target: d.references });
  }
  const targets: ReferenceImpact[] = [];
  if (isKey) {
    for (const c of contracts) {
      for (const [path, d] of Object.entries(c.fields)) {
        if (d.references === contract.collection)
          targets.push({ direction: 'targets', collection: c.collection, field: path, target: d.references });
      }
    }
  }
  return [...holds.sort(byCollectionAndField), ...targets.sort(byCollectionAndField)];
}

function touches(migration: MigrationTouch, collection: string, field: string): boolean {
  if (!migration.collections.includes(collection)) return false;
  return migration.fields === undefined || migration.fields.some((p) => pathsOverlap(p, field));
}

function byCollectionAndField(
  a: { collection: string; field: string },
  b: { collection: string; field: string },
): number {
  return compareText(a.collection, b.collection) || compareText(a.field, b.field);
}

/** Code-unit order: the same on every machine, whatever its locale. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
