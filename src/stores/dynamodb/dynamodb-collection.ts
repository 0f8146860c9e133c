import { QueryCommand, ScanCommand, type ScanCommandInput } from '@aws-sdk/client-dynamodb';
import { matchesFilter, type ParsedFilter } from '../../core/filter.js';
import type { JsonObject } from '../../core/json.js';
import { StewardError } from '../../errors/steward-error.js';
import { projectFields, type ScanShape, scanShape } from '../projected-fields.js';
import { scanPages } from '../scan-pages.js';
import { checkSegment } from '../segment.js';
import {
  type Collection,
  type CollectionSpec,
  type DocKey,
  docKey,
  type IndexDefinition,
  type IndexInfo,
  keyId,
  type Page,
  type ScanOptions,
  type WriteOp,
  type WriteResult,
} from '../store.js';
import { batchGetItems } from './batch-get.js';
import type { DynamoClient } from './dynamodb-client.js';
import { runWrites } from './dynamodb-write.js';
import { allOf, ExpressionBuilder } from './expression-builder.js';
import { filterToDynamo, splitFilter } from './filter-to-dynamo.js';
import { ItemMapper } from './item-mapping.js';
import type { Item } from './json-values.js';
import { projectedDocs } from './projected-docs.js';
import { decodeScanToken, encodeScanToken } from './scan-token.js';
import type { TableCatalog } from './table-keys.js';
import { type EntityMapping, entityMapping } from './table-mapping.js';

/**
 * Items per page of the orphan scan when not told otherwise: a request costs steward about 1 ms
 * of CPU (the SDK's middleware, signing, the socket write) whatever it carries, so a page of items
 * projected on a key and a field is best large, but under the 1 MB a page reads at most. On
 * DynamoDB Local, 100k items projected on two attributes, steward's CPU / the server's: pages of
 * 1000, 280-340 / 790-800 ms; of 5000, 155-185 / 680-730 ms; of 10,000 (1 MB reached first),
 * 150-180 / 870-910 ms; no Limit at all took 10-30 s of wall time there (issue 17).
 */
export const preferredScanLimit = 5000;

/**
 * A collection on DynamoDB: a whole table, or one entity type of a single-table design (see
 * {@link EntityMapping}). Reads are strongly consistent: steward checks integrity and drift, and
 * an eventually consistent read could report a document written a moment ago as missing. That
 * costs twice the read capacity of DynamoDB's default.
 */
export class DynamoCollection implements Collection {
  readonly mapping: EntityMapping;
  readonly preferredScanLimit = preferredScanLimit;

  constructor(
    private readonly client: DynamoClient,
    private readonly catalog: TableCatalog,
    readonly spec: CollectionSpec,
  ) {
    this.mapping = entityMapping(spec, client.tablePrefix);
  }

  /** The item mapper, once the table's key schema is known (cached per table). */
  async mapper(): Promise<ItemMapper> {
    return new ItemMapper(this.mapping, await this.catalog.keysFor(this.mapping));
  }

  /**
   * One Scan call. `limit` is DynamoDB's Limit, which counts items read before the filter, so a
   * filtered page can be short or even empty while `next` says there is more. Segments are
   * DynamoDB's parallel scan (Segment of TotalSegments). Keys only projects the key attributes
   * (see {@link keyAttributes}): Limit, the filter and LastEvaluatedKey do not depend on the
   * projection, so pages and tokens are those of a full scan.
   */
  async scan(options: ScanOptions = {}): Promise<Page> {
    const mapper = await this.mapper();
    const segment = checkSegment(options.segment, this.spec.name);
    const { server, client } = splitFilter(options.filter ?? [], (field) => mapper.storedApart(field));
    const pinned = mapper.keyCondition(options.filter ?? []);
    // A filter naming one key reads one item: a Query in segment 0, nothing in the others.
    if (pinned === 'none' || (pinned && (segment?.index ?? 0) > 0)) return { docs: [], next: null };
    const shape = scanShape(options, this.spec.keyField, this.spec.name);
    const input: ScanCommandInput = {
      ...this.scanInput(mapper, server, shape, pinned),
      Limit: checkLimit(options.limit ?? 500),
    };
    if (options.after) input.ExclusiveStartKey = decodeScanToken(options.after, segment, this.spec.name);
    if (segment && !pinned) Object.assign(input, { Segment: segment.index, TotalSegments: segment.total });
    const out = pinned
      ? await this.client.call('Query', this.mapping.table, (sdk) => sdk.send(new QueryCommand(input)))
      : await this.client.call('Scan', this.mapping.table, (sdk) => sdk.send(new ScanCommand(input)));
    const items = out.Items ?? [];
    return {
      docs:
        shape.kind !== 'docs' && client.length === 0
          ? projectedDocs(mapper, items, shape)
          : this.filteredDocs(mapper, items, client, shape),
      next: out.LastEvaluatedKey ? encodeScanToken(out.LastEvaluatedKey, segment) : null,
    };
  }

  /** A page's documents with the client-side part of the filter applied, then shaped. */
  private filteredDocs(mapper: ItemMapper, items: readonly Item[], client: ParsedFilter, shape: ScanShape) {
    // The client-side filter only names the key field and mapping attributes, which a keys-only
    // item holds too, so it selects the same documents either way.
    const docs = this.docsOf(mapper, items).filter((d) => matchesFilter(d, client));
    const keyField = this.spec.keyField;
    if (shape.kind === 'docs') return docs;
    return docs.map((d) =>
      shape.kind === 'keys' ? keyDoc(d, keyField) : projectFields(d, keyField, shape.fields),
    );
  }

  async getMany(keys: readonly DocKey[]): Promise<Map<string, JsonObject>> {
    const mapper = await this.mapper();
    const { wanted, primaries } = primaryKeys(mapper, keys);
    const items = await batchGetItems(this.client, this.mapping.table, primaries);
    const out = new Map<string, JsonObject>();
    for (const doc of this.docsOf(mapper, items)) {
      const key = docKey(doc, this.spec);
      if (key !== undefined && wanted.has(keyId(key))) out.set(keyId(key), doc);
    }
    return out;
  }

  /**
   * BatchGetItem projected on the attributes that say which entity an item is and which key it
   * holds (partition and sort key, discriminator, key field): in a shared table an item of another
   * entity at the same primary key does not count, and no other attribute is read.
   */
  async existingKeys(keys: readonly DocKey[]): Promise<Set<string>> {
    const mapper = await this.mapper();
    const { wanted, primaries } = primaryKeys(mapper, keys);
    const names = this.keyAttributes();
    const projection = {
      ProjectionExpression: names.map((_, i) => `#k${i}`).join(', '),
      ExpressionAttributeNames: Object.fromEntries(names.map((name, i) => [`#k${i}`, name])),
    };
    const items = await batchGetItems(this.client, this.mapping.table, primaries, projection);
    const out = new Set<string>();
    for (const doc of this.docsOf(mapper, items)) {
      const key = docKey(doc, this.spec);
      if (key !== undefined && wanted.has(keyId(key))) out.add(keyId(key));
    }
    return out;
  }

  async write(ops: readonly WriteOp[]): Promise<WriteResult[]> {
    if (ops.length === 0) return [];
    return runWrites({ client: this.client, mapper: await this.mapper() }, ops);
  }

  /**
   * Exact counts scan the collection (Select COUNT, paged): DynamoDB has no cheaper exact count.
   * The estimate is the table's ItemCount from DescribeTable, which DynamoDB refreshes about
   * every six hours, so it is stale by design; it is used only for a whole table without filter.
   */
  async count(options: { filter?: ParsedFilter; estimate?: boolean } = {}): Promise<number> {
    const filter = options.filter ?? [];
    if (options.estimate && this.mapping.wholeTable && filter.length === 0) {
      return (await this.catalog.describe(this.mapping.table)).ItemCount ?? 0;
    }
    const mapper = await this.mapper();
    const { server, client } = splitFilter(filter, (field) => mapper.storedApart(field));
    if (client.length > 0) return this.countByReading(filter);
    const input: ScanCommandInput = { ...this.scanInput(mapper, server), Select: 'COUNT' };
    let total = 0;
    do {
      const out = await this.client.call('Scan', this.mapping.table, (sdk) =>
        sdk.send(new ScanCommand(input)),
      );
      total += out.Count ?? 0;
      input.ExclusiveStartKey = out.LastEvaluatedKey;
    } while (input.ExclusiveStartKey);
    return total;
  }

  /** The primary key, reported as the key field, and the table's global and local secondary indexes. */
  async listIndexes(): Promise<IndexInfo[]> {
    const table = await this.catalog.describe(this.mapping.table);
    const secondary = [...(table.GlobalSecondaryIndexes ?? []), ...(table.LocalSecondaryIndexes ?? [])];
    return [
      { name: 'primary', fields: [this.spec.keyField], unique: true },
      ...secondary.map((index) => ({
        name: index.IndexName ?? '?',
        fields: (index.KeySchema ?? []).map((k) => k.AttributeName ?? '?'),
        unique: false,
      })),
    ];
  }

  /** Refused: indexes of a DynamoDB table are GSIs, provisioned with the table (see {@link unsupportedIndex}). */
  async createIndex(index: IndexDefinition): Promise<void> {
    throw unsupportedIndex(this.spec.name, this.mapping.table, `create index "${index.name}"`);
  }

  async dropIndex(name: string): Promise<void> {
    throw unsupportedIndex(this.spec.name, this.mapping.table, `drop index "${name}"`);
  }

  /**
   * The attributes that say which entity an item is and which key it holds: partition and sort
   * key, discriminator and key field. An item projected on them passes {@link ItemMapper.owns}
   * and gives the key field {@link ItemMapper.toDoc} gives the whole item.
   */
  private keyAttributes(): string[] {
    const { partitionKey, sortKey, discriminator, keyField } = this.mapping;
    return [...new Set([partitionKey, sortKey?.name, discriminator?.name, keyField])].filter(
      (name): name is string => name !== undefined,
    );
  }

  /**
   * The Scan's parameters; with `pinned` (see {@link ItemMapper.keyCondition}) those of a Query
   * on that primary key, which take the same fields plus the key condition.
   */
  private scanInput(
    mapper: ItemMapper,
    filter: ParsedFilter,
    shape: ScanShape = { kind: 'docs' },
    pinned?: Item,
  ): ScanCommandInput {
    const b = new ExpressionBuilder();
    const keyCondition = pinned
      ? Object.entries(pinned)
          .map(([name, value]) => `${b.name(name)} = ${b.raw(value)}`)
          .join(' AND ')
      : undefined;
    // The key condition decides the key field: a Query's filter may not name a key attribute.
    const rest = pinned ? filter.filter((c) => c.path !== this.spec.keyField) : filter;
    const expression = allOf([mapper.selector(b, pinned !== undefined), filterToDynamo(rest, b)]);
    // Same builder as the filter: the projection's name placeholders must not collide with its.
    // A projected field stored apart (the key, a mapping attribute) is among the key attributes.
    const keys = this.keyAttributes();
    const fields =
      shape.kind === 'fields' ? shape.fields.filter((f) => !mapper.storedApart(f) && !keys.includes(f)) : [];
    const projection = shape.kind === 'docs' ? [] : [...keys, ...fields].map((name) => b.name(name));
    return {
      TableName: this.mapping.table,
      ConsistentRead: true,
      ...(keyCondition ? { KeyConditionExpression: keyCondition } : {}),
      ...(expression ? { FilterExpression: expression } : {}),
      ...(projection.length > 0 ? { ProjectionExpression: projection.join(', ') } : {}),
      ...b.params(),
    };
  }

  private docsOf(mapper: ItemMapper, items: readonly Item[]): JsonObject[] {
    return items.filter((item) => mapper.owns(item)).map((item) => mapper.toDoc(item));
  }

  private async countByReading(filter: ParsedFilter): Promise<number> {
    let total = 0;
    for await (const page of scanPages(this, { filter, limit: 1000 })) total += page.docs.length;
    return total;
  }
}

/** The distinct primary keys of `keys` (BatchGetItem refuses duplicates) and their ids. */
function primaryKeys(
  mapper: ItemMapper,
  keys: readonly DocKey[],
): { wanted: Set<string>; primaries: Item[] } {
  const wanted = new Set<string>();
  const primaries = new Map<string, Item>();
  for (const key of keys) {
    const primary = mapper.key(key);
    if (typeof primary === 'string') continue; // a key no item can have is simply absent
    wanted.add(keyId(key));
    primaries.set(JSON.stringify(primary), primary);
  }
  return { wanted, primaries: [...primaries.values()] };
}

/**
 * steward does not create or drop DynamoDB indexes: a global secondary index has its own capacity,
 * billing and backfill, decided with the table (`secondaryIndexes: false` says so up front).
 */
function unsupportedIndex(collection: string, table: string, what: string): StewardError {
  return new StewardError(
    'store.unsupported',
    `cannot ${what} on collection "${collection}": steward does not manage DynamoDB indexes. ` +
      `Create or delete a global secondary index on table "${table}" with AWS tooling (console, CLI, CloudFormation, CDK or Terraform).`,
    { collection, table },
  );
}

/** A keys-only scan's document: the key field alone, as the full document holds it. */
function keyDoc(doc: JsonObject, keyField: string): JsonObject {
  const key = doc[keyField];
  return key === undefined ? {} : { [keyField]: key };
}

function checkLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new StewardError('input.invalid', `scan limit must be a positive integer, not ${limit}`);
  }
  return limit;
}
