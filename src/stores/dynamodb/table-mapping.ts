import { StewardError } from '../../errors/steward-error.js';
import type { CollectionSpec } from '../store.js';

/**
 * Where a steward collection lives in DynamoDB, with every default filled in. A collection is
 * either a whole table (the default: a table named like the collection, partitioned on the key
 * field) or one entity type in a single-table design, told apart from its neighbours by a key
 * prefix on the partition key, a constant sort key value and/or a discriminator attribute.
 */
export interface EntityMapping {
  /** steward's name for the collection, for messages. */
  readonly collection: string;
  readonly table: string;
  readonly keyField: string;
  /** Partition key attribute; the key field unless the mapping names another. */
  readonly partitionKey: string;
  /** Prepended to the key in the partition key; '' for none. */
  readonly keyPrefix: string;
  readonly sortKey: { readonly name: string; readonly value: string } | undefined;
  readonly discriminator: { readonly name: string; readonly value: string } | undefined;
  /**
   * The collection is all of its table: dropping it deletes the table and the table's item
   * count estimates it. False for an entity, which shares its table.
   */
  readonly wholeTable: boolean;
}

const tableNamePattern = /^[A-Za-z0-9_.-]{3,255}$/;
const prefixPattern = /^[A-Za-z0-9_.-]{0,200}$/;

/** Why a `tablePrefix` cannot start DynamoDB table names, or undefined when it can. Pure. */
export function tablePrefixProblem(prefix: string): string | undefined {
  return prefixPattern.test(prefix)
    ? undefined
    : `"${prefix}" cannot start a DynamoDB table name: use at most 200 letters, digits, "_", "-" or "."`;
}

/**
 * Resolves a collection spec into its DynamoDB mapping; throws `input.invalid` on a bad one.
 * `tablePrefix` (the store's) goes in front of every table name, an explicit `dynamodb.table`
 * included, so two prefixes never share a table.
 */
export function entityMapping(spec: CollectionSpec, tablePrefix = ''): EntityMapping {
  const m = spec.dynamodb;
  const table = `${tablePrefix}${m?.table ?? spec.name}`;
  if (!tableNamePattern.test(table)) {
    throw new StewardError(
      'input.invalid',
      `DynamoDB table name "${table}" (collection "${spec.name}") is not valid: use 3 to 255 letters, digits, "_", "-" or "."`,
      { collection: spec.name, table },
    );
  }
  const keyPrefix = m?.keyPrefix ?? '';
  const sortKey = m?.sortKey;
  const discriminator = m?.discriminator;
  return {
    collection: spec.name,
    table,
    keyField: spec.keyField,
    partitionKey: m?.partitionKey ?? spec.keyField,
    keyPrefix,
    sortKey,
    discriminator,
    wholeTable: keyPrefix === '' && sortKey === undefined && discriminator === undefined,
  };
}

/** True when two mappings select the same items, so copying one onto the other would destroy it. */
export function sameItems(a: EntityMapping, b: EntityMapping): boolean {
  return (
    a.table === b.table &&
    a.keyPrefix === b.keyPrefix &&
    a.sortKey?.value === b.sortKey?.value &&
    a.discriminator?.value === b.discriminator?.value
  );
}

/** Attribute names the mapping adds to items; documents may not use them for anything else. */
export function mappingAttributes(m: EntityMapping): string[] {
  const names = [m.partitionKey];
  if (m.sortKey) names.push(m.sortKey.name);
  if (m.discriminator) names.push(m.discriminator.name);
  return names.filter((name) => name !== m.keyField);
}
