/**
 * A shop's data as an existing application holds it, planted straight through the drivers (the
 * `mongodb` driver and the AWS SDK), never through steward: steward only reads it afterwards.
 *
 * On MongoDB (FerretDB), ObjectId-keyed:
 * - `customers` (`name`, `email`), some renamed since they ordered, some without an email;
 * - `products` (`sku`, `name`, `price` in cents);
 * - `orders` with `customerId` (an ObjectId), a `lines` array of `{ sku, qty, price, line_total }`
 *   subdocuments, a `total`, a snapshot `customer_name_at_order`, and a `schemaVersion` that most
 *   documents lack (absent or null: data written before versions were).
 *
 * On DynamoDB Local, one table in a single-table design (`PK`/`SK`, entities told apart by the
 * key prefix): the catalog (`PRODUCT#<sku>` / `CATALOG`: `name`, `price`) and reviews
 * (`REVIEW#<id>` / `REVIEW`: `productSku`, `customerId` as the customer's hex, `rating`, and
 * `productName`, copied from the catalog).
 *
 * Every fault is planted on purpose and counted in {@link ShopPlanted}: orders whose customer does
 * not exist, order lines and reviews whose product is not in the catalog, drifted line totals and order totals, drifted
 * review product names, snapshots that differ from a renamed customer (by design: not drift),
 * missing snapshots, and documents that break their contract.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AttributeValue, DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type Document, MongoClient, ObjectId } from 'mongodb';
import { createSingleTable, putItems } from '../support/single-table.js';

export const orderCount = 60;
export const customerCount = 20;
export const productCount = 12;
export const reviewCount = 30;

/** A deterministic ObjectId hex: a kind tag and a number, so keys are known before planting. */
const oid = (tag: string, n: number) => `65f0${tag}00000000${String(n).padStart(10, '0')}`.slice(0, 24);
export const customerHex = (c: number) => oid('c0', c + 1);
export const productHex = (p: number) => oid('d0', p + 1);
export const orderHex = (i: number) => oid('e0', i + 1);
/** The ObjectId of a customer that does not exist (order `i`'s orphaned link). */
export const ghostCustomerHex = (i: number) => oid('f0', i + 1);
export const sku = (p: number) => `SKU-${String(p + 1).padStart(2, '0')}`;
export const reviewId = (r: number) => `r-${String(r + 1).padStart(3, '0')}`;

/** One planted derived value: the order's hex key, the line's position, stored and right values. */
export interface Planted {
  readonly key: string;
  /** For a snapshot: the hex key of the customer the order points at. */
  readonly customerKey?: string;
  readonly index?: number;
  readonly expected: unknown;
  readonly actual: unknown;
}

export interface ShopPlanted {
  /** Orders whose `customerId` names no customer. */
  readonly orphanOrders: string[];
  /** Orders whose `customerId` is null. */
  readonly nullCustomerOrders: string[];
  /** Lines whose `sku` names no catalog product (`actual`: the SKU). */
  readonly orphanLines: Planted[];
  /** Reviews whose `productSku` names no catalog product. */
  readonly orphanReviews: string[];
  readonly lineTotalDrift: Planted[];
  readonly lines: number;
  /** Lines with a null qty: their null total is right. */
  readonly nullQtyLines: number;
  readonly totalDrift: Planted[];
  /** Orders whose total is not the sum of the right line totals (what drifts once lines are repaired). */
  readonly totalDriftAfterLineRepair: Planted[];
  readonly snapshotDiffers: Planted[];
  readonly snapshotMissing: Planted[];
  /** Reviews whose `productName` is not their product's name (orphans excluded). */
  readonly reviewNameDrift: Planted[];
  /** Documents that break their collection's contract, by collection. */
  readonly nonConforming: { orders: string[]; customers: string[]; reviews: string[] };
  /** Documents without a version (absent or null), by collection. */
  readonly unversioned: { orders: number; customers: number; reviews: number; catalog: number };
}

export interface ShopWorld {
  readonly database: string;
  readonly table: string;
  readonly planted: ShopPlanted;
  /** Drops what was planted (the database and the table). */
  drop(): Promise<void>;
}

/** Connects or fails loudly, naming the server: a test must never skip a store it cannot reach. */
async function connectMongo(uri: string): Promise<MongoClient> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5000 });
  try {
    await client.db('admin').command({ ping: 1 });
  } catch (error) {
    await client.close();
    throw new Error(`FerretDB at ${uri} is not reachable: ${(error as Error).message}`);
  }
  return client;
}

/** The DynamoDB Local client of `endpoint` (fixed test credentials). */
export const dynamoClient = (endpoint: string) =>
  new DynamoDBClient({
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });

export async function plantShop(mongoUri: string, dynamoEndpoint: string): Promise<ShopWorld> {
  const unique = randomBytes(4).toString('hex');
  const database = `steward_shop_${unique}`;
  const table = `steward_shop_${unique}`;
  const plan = emptyPlan();
  const mongo = await connectMongo(mongoUri);
  const sdk = dynamoClient(dynamoEndpoint);
  try {
    const db = mongo.db(database);
    await db.collection('customers').insertMany(customers(plan));
    await db.collection('products').insertMany(products());
    await db.collection('orders').insertMany(Array.from({ length: orderCount }, (_, i) => order(i, plan)));
    await createSingleTable(sdk, table, dynamoEndpoint);
    await putItems(sdk, table, [...catalog(), ...reviews(plan)]);
  } finally {
    await mongo.close();
    sdk.destroy();
  }
  return {
    database,
    table,
    planted: plan,
    async drop() {
      const client = new MongoClient(mongoUri, { serverSelectionTimeoutMS: 5000 });
      const dynamo = dynamoClient(dynamoEndpoint);
      try {
        await client.db(database).dropDatabase();
        await dynamo.send(new DeleteTableCommand({ TableName: table }));
      } finally {
        await client.close();
        dynamo.destroy();
      }
    },
  };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function emptyPlan(): Mutable<ShopPlanted> {
  return {
    orphanOrders: [],
    nullCustomerOrders: [],
    orphanLines: [],
    orphanReviews: [],
    lineTotalDrift: [],
    lines: 0,
    nullQtyLines: 0,
    totalDrift: [],
    totalDriftAfterLineRepair: [],
    snapshotDiffers: [],
    snapshotMissing: [],
    reviewNameDrift: [],
    nonConforming: { orders: [], customers: [], reviews: [] },
    unversioned: { orders: 0, customers: customerCount, reviews: reviewCount, catalog: productCount },
  };
}

const productName = (p: number) => `Product ${p + 1}`;
const price = (p: number) => 100 * (p + 1) + 99;
/** Customers renamed since some of their orders: the orders' snapshots hold the old name. */
const renamed = (c: number) => c % 5 === 2;
const customerName = (c: number) => `Customer ${c + 1}${renamed(c) ? ' (renamed)' : ''}`;
const oldName = (c: number) => `Customer ${c + 1}`;

function customers(plan: Mutable<ShopPlanted>): Document[] {
  return Array.from({ length: customerCount }, (_, c) => {
    const doc: Document = { _id: new ObjectId(customerHex(c)), name: customerName(c) };
    // The contract requires an email: two customers never gave one.
    if (c % 9 === 4) plan.nonConforming.customers.push(customerHex(c));
    else doc.email = `customer${c + 1}@example.com`;
    return doc;
  });
}

function products(): Document[] {
  return Array.from({ length: productCount }, (_, p) => ({
    _id: new ObjectId(productHex(p)),
    sku: sku(p),
    name: productName(p),
    price: price(p),
  }));
}

/** Order `i`, with every fault planted in it recorded in `plan`. */
function order(i: number, plan: Mutable<ShopPlanted>): Document {
  const key = orderHex(i);
  const doc: Document = { _id: new ObjectId(key), status: i % 3 === 0 ? 'shipped' : 'paid' };
  if (i % 4 === 1) doc.schemaVersion = 1;
  else {
    if (i % 4 === 3) doc.schemaVersion = null;
    plan.unversioned.orders++;
  }
  const lines = linesOf(i, key, plan);
  if (lines !== undefined) doc.lines = lines;
  const stored = (lines ?? []).reduce((n, l) => n + (typeof l.line_total === 'number' ? l.line_total : 0), 0);
  const right = (lines ?? []).reduce(
    (n, l) => n + (typeof l.qty === 'number' ? (l.qty as number) * (l.price as number) : 0),
    0,
  );
  if (i % 29 === 14) plan.totalDrift.push({ key, expected: stored, actual: null });
  else if (i % 10 === 6) {
    doc.total = stored + 5;
    plan.totalDrift.push({ key, expected: stored, actual: stored + 5 });
  } else doc.total = stored;
  if (doc.total !== right)
    plan.totalDriftAfterLineRepair.push({ key, expected: right, actual: doc.total ?? null });
  Object.assign(doc, customerOf(i, key, plan));
  // Two ways of breaking the orders contract: a field it does not declare, a status of the wrong type.
  if (i % 15 === 4) {
    doc.coupon = 'SPRING';
    plan.nonConforming.orders.push(key);
  } else if (i % 25 === 20) {
    doc.status = 42;
    plan.nonConforming.orders.push(key);
  }
  return doc;
}

/** The lines of order `i` (undefined: the order has no `lines` field at all). */
function linesOf(i: number, key: string, plan: Mutable<ShopPlanted>): Document[] | undefined {
  if (i % 8 === 0) return undefined;
  return Array.from({ length: i % 4 }, (_, j) => {
    const p = (i + j) % productCount;
    const qty = 1 + ((i + j) % 5);
    const line: Document = { sku: sku(p), qty, price: price(p), line_total: qty * price(p) };
    plan.lines++;
    if (i % 23 === 11 && j === 1) {
      line.sku = `SKU-GONE-${i}`;
      plan.orphanLines.push({ key, index: j, expected: null, actual: line.sku });
    }
    if (i % 19 === 7 && j === 0) {
      line.qty = null;
      line.line_total = null;
      plan.nullQtyLines++;
    } else if ((i * 3 + j) % 10 === 7) {
      line.line_total = qty * price(p) + 1;
      plan.lineTotalDrift.push({ key, index: j, expected: qty * price(p), actual: line.line_total });
    }
    return line;
  });
}

/** The customer link and snapshot of order `i`. */
function customerOf(i: number, key: string, plan: Mutable<ShopPlanted>): Document {
  if (i % 13 === 9) {
    plan.orphanOrders.push(key);
    return { customerId: new ObjectId(ghostCustomerHex(i)), customer_name_at_order: 'Somebody' };
  }
  if (i % 17 === 12) {
    plan.nullCustomerOrders.push(key);
    return { customerId: null, customer_name_at_order: null };
  }
  const c = i % customerCount;
  const link = { customerId: new ObjectId(customerHex(c)) };
  if (i % 11 === 5) {
    plan.snapshotMissing.push({ key, expected: customerName(c), actual: null });
    return i % 2 === 0 ? link : { ...link, customer_name_at_order: null };
  }
  // Orders placed before their customer's rename keep the name of their moment.
  const name = renamed(c) && i < 40 ? oldName(c) : customerName(c);
  if (name !== customerName(c))
    plan.snapshotDiffers.push({ key, customerKey: customerHex(c), expected: customerName(c), actual: name });
  return { ...link, customer_name_at_order: name };
}

const item = (fields: Record<string, string | number>): Record<string, AttributeValue> =>
  Object.fromEntries(
    Object.entries(fields).map(([k, v]) => [k, typeof v === 'number' ? { N: String(v) } : { S: v }]),
  );

function catalog(): Record<string, AttributeValue>[] {
  return Array.from({ length: productCount }, (_, p) =>
    item({ PK: `PRODUCT#${sku(p)}`, SK: 'CATALOG', name: productName(p), price: price(p) }),
  );
}

function reviews(plan: Mutable<ShopPlanted>): Record<string, AttributeValue>[] {
  return Array.from({ length: reviewCount }, (_, r) => {
    const id = reviewId(r);
    const p = r % productCount;
    const fields: Record<string, string | number> = {
      PK: `REVIEW#${id}`,
      SK: 'REVIEW',
      productSku: sku(p),
      customerId: customerHex(r % customerCount),
      rating: 1 + (r % 5),
      productName: productName(p),
    };
    if (r % 10 === 7) {
      fields.productSku = `SKU-GONE-${r}`;
      fields.productName = 'Discontinued';
      plan.orphanReviews.push(id);
    } else if (r % 6 === 1) {
      fields.productName = `${productName(p)} (old name)`;
      plan.reviewNameDrift.push({ key: id, expected: productName(p), actual: fields.productName });
    }
    if (r % 11 === 3) {
      fields.rating = 9;
      plan.nonConforming.reviews.push(id);
    }
    return item(fields);
  });
}

const derivedContract = {
  refresh: 'synchronous',
  staleness: 'immediate',
  onFailure: 'fail-write',
  validation: 'exact',
  repair: 'recompute',
  consumers: [{ service: 'checkout', irreversible: false }],
  retire: { after: 'never' },
};

/**
 * Writes the project a user would write for this data into a fresh folder: a steward.config.ts
 * with both stores (the ledger in MongoDB), the collections (reviews and the catalog mapped into
 * the single table by key prefix), the references and the derived state, and contracts/ for
 * orders, customers, the catalog and reviews, each declaring `assumeVersion: 1` for unversioned documents.
 */
export function writeShopProject(world: ShopWorld, mongoUri: string, dynamoEndpoint: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'steward-shop-'));
  const single = (prefix: string, sortValue: string) => ({
    table: world.table,
    partitionKey: 'PK',
    keyPrefix: prefix,
    sortKey: { name: 'SK', value: sortValue },
  });
  const config = {
    stores: {
      shop: { kind: 'mongodb', uri: mongoUri, database: world.database },
      dynamo: {
        kind: 'dynamodb',
        region: 'us-east-1',
        endpoint: dynamoEndpoint,
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      },
    },
    collections: {
      customers: { store: 'shop' },
      products: { store: 'shop' },
      orders: { store: 'shop', versionField: 'schemaVersion' },
      catalog: { store: 'dynamo', key: 'sku', dynamodb: single('PRODUCT#', 'CATALOG') },
      reviews: { store: 'dynamo', key: 'id', dynamodb: single('REVIEW#', 'REVIEW') },
    },
    references: {
      'orders.customerId': { target: 'customers', owner: 'order-service' },
      'orders.lines[].sku': { target: 'catalog', owner: 'order-service' },
      'reviews.productSku': { target: 'catalog', owner: 'review-service' },
    },
    derived: {
      'orders.lines[].line_total': {
        ...derivedContract,
        kind: 'stored',
        source: 'self',
        transform: { multiply: ['qty', 'price'] },
      },
      'orders.total': {
        ...derivedContract,
        kind: 'aggregate',
        source: 'self',
        transform: { sum: 'lines[].line_total' },
      },
      'orders.customer_name_at_order': {
        kind: 'snapshot',
        refresh: 'manual',
        onFailure: 'mark-stale',
        validation: 'exact',
        repair: 'recompute',
        consumers: derivedContract.consumers,
        retire: derivedContract.retire,
        source: { collection: 'customers' },
        transform: { copy: 'name', via: 'customerId' },
      },
      'reviews.productName': {
        ...derivedContract,
        kind: 'copy',
        source: { collection: 'catalog' },
        transform: { copy: 'name', via: 'productSku' },
      },
    },
    ledger: { store: 'shop' },
  };
  writeFileSync(
    join(dir, 'steward.config.ts'),
    `import { defineConfig } from 'steward';\nexport default defineConfig(${JSON.stringify(config, null, 2)});\n`,
  );
  mkdirSync(join(dir, 'contracts'));
  for (const contract of contracts())
    writeFileSync(
      join(dir, 'contracts', `${contract.collection}.contract.json`),
      JSON.stringify(contract, null, 2),
    );
  return dir;
}

const nullable = (type: string) => ({ type: [type, 'null'] });

function contracts() {
  const base = (collection: string, owner: string, schema: object, fields: object = {}) => ({
    collection,
    owner,
    versionField: 'schemaVersion',
    assumeVersion: 1,
    versions: [{ version: 1, schema }],
    fields,
  });
  return [
    base(
      'orders',
      'order-service',
      {
        type: 'object',
        additionalProperties: false,
        required: ['_id', 'status'],
        properties: {
          _id: {},
          schemaVersion: nullable('integer'),
          status: { type: 'string' },
          customerId: {},
          customer_name_at_order: nullable('string'),
          total: { type: 'number' },
          lines: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['sku'],
              properties: {
                sku: { type: 'string' },
                qty: nullable('number'),
                price: { type: 'number' },
                line_total: nullable('number'),
              },
            },
          },
        },
      },
      {
        customerId: { references: 'customers' },
        'lines[].sku': { references: 'catalog' },
        customer_name_at_order: { authority: 'snapshot', source: 'customers.name', via: 'customerId' },
        total: { authority: 'derived' },
        'lines[].line_total': { authority: 'derived' },
      },
    ),
    base('customers', 'customer-service', {
      type: 'object',
      additionalProperties: false,
      required: ['_id', 'name', 'email'],
      properties: { _id: {}, name: { type: 'string' }, email: { type: 'string' } },
    }),
    base('catalog', 'catalog-service', {
      type: 'object',
      additionalProperties: false,
      required: ['sku', 'name', 'price'],
      properties: { sku: { type: 'string' }, name: { type: 'string' }, price: { type: 'integer' } },
    }),
    base(
      'reviews',
      'review-service',
      {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'productSku', 'rating'],
        properties: {
          id: { type: 'string' },
          productSku: { type: 'string' },
          customerId: { type: 'string' },
          rating: { type: 'integer', minimum: 1, maximum: 5 },
          productName: { type: 'string' },
        },
      },
      {
        productSku: { references: 'catalog' },
        productName: { authority: 'projection', source: 'catalog.name', via: 'productSku' },
      },
    ),
  ];
}
