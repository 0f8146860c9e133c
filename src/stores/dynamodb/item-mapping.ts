import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { ParsedFilter } from '../../core/filter.js';
import type { JsonObject } from '../../core/json.js';
import { type DocKey, isDocKey } from '../store.js';
import { allOf, type ExpressionBuilder } from './expression-builder.js';
import { type Item, marshallDoc, unmarshallItem } from './json-values.js';
import type { TableKeys } from './table-keys.js';
import { type EntityMapping, mappingAttributes } from './table-mapping.js';

/**
 * Converts between steward documents and the items of one collection's table. Writes add the
 * mapping's attributes (partition key with its prefix, constant sort key, discriminator); reads
 * strip them and give the document back with its key field. When the key field is itself the
 * partition key the stored value carries the prefix, and reads remove it again.
 *
 * Key types follow the table, as DescribeTable reports it: an N partition key holds number keys
 * only; an S partition key holds string keys, and number keys too when the document keeps its key
 * field as a separate attribute (so `ORDER#123` reads back as 123). A number key stored in the
 * partition key itself would come back a string, so it is refused rather than silently changed.
 */
export class ItemMapper {
  constructor(
    readonly mapping: EntityMapping,
    readonly keys: TableKeys,
  ) {}

  /** The primary key of the item holding `key`, or why no item can hold it. */
  key(key: DocKey): Item | string {
    const partition = this.partitionValue(key);
    if (typeof partition === 'string') return partition;
    const out: Item = { [this.mapping.partitionKey]: partition };
    const sort = this.sortValue();
    if (sort && this.mapping.sortKey) out[this.mapping.sortKey.name] = sort;
    return out;
  }

  /** The item for a document, mapping attributes added, or why it cannot be stored. */
  toItem(doc: JsonObject): Item | string {
    const key = doc[this.mapping.keyField];
    if (!isDocKey(key)) return `document has no string or number "${this.mapping.keyField}"`;
    const primary = this.key(key);
    if (typeof primary === 'string') return primary;
    const item = { ...marshallDoc(doc), ...primary };
    const d = this.mapping.discriminator;
    if (d) item[d.name] = { S: d.value };
    return item;
  }

  /** The document an item holds, mapping attributes stripped and the key field restored. */
  toDoc(item: Item): JsonObject {
    const { partitionKey, sortKey, discriminator, keyField } = this.mapping;
    const rest: Item = { ...item };
    for (const name of [partitionKey, sortKey?.name, discriminator?.name]) {
      if (name !== undefined) delete rest[name];
    }
    const doc = unmarshallItem(rest);
    if (partitionKey === keyField || doc[keyField] === undefined) {
      const key = this.keyOf(item);
      if (key !== undefined) doc[keyField] = key;
    }
    return doc;
  }

  /** True when an item belongs to this collection (prefix, sort key value and discriminator). */
  owns(item: Item): boolean {
    const { keyPrefix, sortKey, discriminator, partitionKey } = this.mapping;
    const pk = item[partitionKey];
    if (keyPrefix !== '' && !pk?.S?.startsWith(keyPrefix)) return false;
    if (sortKey) {
      const sk = item[sortKey.name];
      if ((sk?.S ?? sk?.N) !== sortKey.value) return false;
    }
    return !discriminator || item[discriminator.name]?.S === discriminator.value;
  }

  /**
   * The FilterExpression selecting this collection's items in a shared table: the key prefix,
   * the sort key value and the discriminator, whichever the mapping has. Undefined for a whole table.
   * `keyed`: for a Query on one primary key (see {@link keyCondition}), which already fixes the
   * prefix and sort key and whose filter may not name key attributes: the discriminator alone.
   */
  selector(b: ExpressionBuilder, keyed = false): string | undefined {
    const { keyPrefix, sortKey, discriminator, partitionKey } = this.mapping;
    const sort = this.sortValue();
    return allOf([
      keyPrefix === '' || keyed ? undefined : `begins_with(${b.name(partitionKey)}, ${b.value(keyPrefix)})`,
      sortKey && sort && !keyed ? `${b.name(sortKey.name)} = ${b.raw(sort)}` : undefined,
      discriminator ? `${b.name(discriminator.name)} = ${b.value(discriminator.value)}` : undefined,
    ]);
  }

  /**
   * True for a document field whose stored form differs from the document, so filters on it are
   * checked on the document after reading: the key field whenever the document's key is read back
   * from the partition key (held there with a prefix, or under another attribute name, and not
   * necessarily stored a second time as the key field: an item written by other tools has only
   * the partition key), or a field named like an attribute of the mapping (stripped from documents).
   * A filter on the key field is also narrowed to its item by {@link keyCondition}.
   */
  storedApart(field: string): boolean {
    const { keyField, partitionKey, keyPrefix } = this.mapping;
    if (field === keyField) return partitionKey !== keyField || keyPrefix !== '';
    return mappingAttributes(this.mapping).includes(field);
  }

  /**
   * The primary key a filter pins the collection to, when it says the key field equals one key:
   * the partition key value with its prefix (and the constant sort key), for a Query instead of a
   * Scan. `none` when no item can hold that key (so nothing matches); undefined when the filter
   * pins no key.
   */
  keyCondition(filter: ParsedFilter): Item | 'none' | undefined {
    for (const c of filter) {
      if (c.op !== 'eq' || c.path !== this.mapping.keyField) continue;
      if (!isDocKey(c.value)) return 'none';
      const primary = this.key(c.value);
      return typeof primary === 'string' ? 'none' : primary;
    }
    return undefined;
  }

  /** The key encoded in an item's partition key, prefix removed. */
  keyOf(item: Item): DocKey | undefined {
    const pk = item[this.mapping.partitionKey];
    if (pk?.N !== undefined) return Number(pk.N);
    if (pk?.S === undefined || !pk.S.startsWith(this.mapping.keyPrefix)) return undefined;
    return pk.S.slice(this.mapping.keyPrefix.length);
  }

  private partitionValue(key: DocKey): AttributeValue | string {
    const { partitionKey, keyField, keyPrefix, table } = this.mapping;
    if (typeof key === 'object') return `ObjectId key ${key.$oid} cannot address a DynamoDB item`;
    if (this.keys.partition.type === 'N') {
      if (typeof key === 'number') return { N: String(key) };
      return `key "${key}" is a string, but table "${table}" has a number (N) partition key "${partitionKey}"`;
    }
    if (typeof key === 'number' && partitionKey === keyField) {
      return `key ${key} is a number, but table "${table}" has a string (S) partition key "${partitionKey}"; use string keys`;
    }
    return { S: keyPrefix + String(key) };
  }

  private sortValue(): AttributeValue | undefined {
    const sortKey = this.mapping.sortKey;
    if (!sortKey) return undefined;
    return this.keys.sort?.type === 'N' ? { N: sortKey.value } : { S: sortKey.value };
  }
}
