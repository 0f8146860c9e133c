/**
 * A project that is not the example, run as a user runs it (issue 13's "Done when"): a shop's
 * data planted straight through the `mongodb` driver (FerretDB: ObjectId-keyed customers, products
 * and orders with line-item arrays, snapshots, unversioned documents) and the AWS SDK (DynamoDB
 * Local: a single-table design holding the catalog and reviews), with every fault counted as
 * planted (see `shop-world.ts`). A steward.config.ts and contracts/ written for it; then the BUILT
 * CLI runs doctor, refs scan, drift check (exact and hash), rebuild --id with the key as printed,
 * drift repair and contracts verify, each with --json, and every count is checked against the plan;
 * segments add up to the whole; once no snapshot is missing, the snapshot's check exits 0.
 *
 * What this data showed steward getting wrong is checked here too: a filter path into line items
 * (`lines[].sku`) matched nothing silently (now refused), lint asked self-computed values to rename
 * themselves, `derived status` called a snapshot's allowance "immediate", and drift check counted an
 * order whose customer link is null as an orphaned copy where refs scan counts it as null (now
 * counted apart as `unlinked`).
 *
 * Needs both servers (`npm test` starts them): a server that cannot be reached fails the test.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { MongoClient, ObjectId } from 'mongodb';
import { runSteward } from '../support/run-steward.js';
import { selectedKinds } from '../support/test-stores.js';
import {
  customerCount,
  orderCount,
  type Planted,
  plantShop,
  productCount,
  reviewCount,
  reviewId,
  type ShopWorld,
  writeShopProject,
} from './shop-world.js';

// biome-ignore lint/suspicious/noExplicitAny: --json output is checked field by field
type Json = any;

const oid = (hex: string) => ({ $oid: hex });
/** A finding as one comparable line: document key, element position, stored and right values. */
const findingLine = (f: Json) =>
  JSON.stringify([f.key, f.element?.index ?? null, f.actual ?? null, f.expected ?? null]);
const plantedLine = (p: Planted, key: (k: string) => unknown = oid) =>
  JSON.stringify([key(p.key), p.index ?? null, p.actual ?? null, p.expected ?? null]);
const sorted = <T>(xs: readonly T[]) => [...xs].sort();
const keyOf = (k: string) => (k.startsWith('r-') ? k : oid(k));

if (selectedKinds().includes('mongodb') || selectedKinds().includes('dynamodb')) {
  describe('a real project: ObjectId keys and line items on FerretDB, a single table on DynamoDB Local, through the built CLI', () => {
    const mongoUri = process.env.STEWARD_TEST_MONGODB_URI;
    const dynamoEndpoint = process.env.STEWARD_TEST_DYNAMODB_ENDPOINT;
    if (!mongoUri) throw new Error('STEWARD_TEST_MONGODB_URI is not set: run the suite with "npm test"');
    if (!dynamoEndpoint)
      throw new Error('STEWARD_TEST_DYNAMODB_ENDPOINT is not set: run the suite with "npm test"');
    let world: ShopWorld;
    let dir: string;
    const steward = (...args: string[]) =>
      runSteward(args, { cwd: dir, env: { STEWARD_ACTOR: 'ci', NODE_NO_WARNINGS: '1' } });
    const stewardJson = async (...args: string[]) => {
      const run = await steward(...args, '--json');
      let json: Json;
      try {
        json = JSON.parse(run.stdout);
      } catch {
        assert.fail(
          `${args.join(' ')} --json printed no JSON (exit ${run.code}): ${run.stdout}${run.stderr}`,
        );
      }
      return { ...run, json };
    };
    const plan = () => world.planted;
    const reportOf = (json: Json, derived: string) => {
      const report = json.reports.find((r: Json) => r.derived === derived);
      assert.ok(report, `no report for ${derived}`);
      return report;
    };
    const withMongo = async <T>(fn: (client: MongoClient) => Promise<T>) => {
      const client = new MongoClient(mongoUri, { serverSelectionTimeoutMS: 5000 });
      try {
        return await fn(client);
      } finally {
        await client.close();
      }
    };
    const orderDoc = (hex: string) =>
      withMongo((c) =>
        c
          .db(world.database)
          .collection('orders')
          .findOne({ _id: new ObjectId(hex) }),
      );
    let verifyBefore: Json;

    before(async () => {
      world = await plantShop(mongoUri, dynamoEndpoint);
      dir = writeShopProject(world, mongoUri, dynamoEndpoint);
    });
    after(async () => {
      await world?.drop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    test('the data set plants every kind of fault', () => {
      for (const [what, n] of Object.entries({
        orphanOrders: plan().orphanOrders.length,
        nullCustomerOrders: plan().nullCustomerOrders.length,
        orphanLines: plan().orphanLines.length,
        orphanReviews: plan().orphanReviews.length,
        lineTotalDrift: plan().lineTotalDrift.length,
        nullQtyLines: plan().nullQtyLines,
        totalDrift: plan().totalDrift.length,
        moreTotalDriftOnceLinesAreRight: plan().totalDriftAfterLineRepair.length - plan().totalDrift.length,
        snapshotDiffers: plan().snapshotDiffers.length,
        snapshotMissing: plan().snapshotMissing.length,
        reviewNameDrift: plan().reviewNameDrift.length,
        nonConformingOrders: plan().nonConforming.orders.length,
        nonConformingCustomers: plan().nonConforming.customers.length,
        nonConformingReviews: plan().nonConforming.reviews.length,
        unversionedOrders: plan().unversioned.orders,
        versionedOrders: orderCount - plan().unversioned.orders,
      }))
        assert.ok(n > 0, what);
    });

    test('doctor reaches both stores and finds every declared collection, the single-table entities in their table', async () => {
      const { code, json, stderr } = await stewardJson('doctor');
      assert.equal(code, 0, stderr);
      assert.deepEqual(
        json.stores.map((s: Json) => [s.store, s.kind, s.ok]),
        [
          ['shop', 'mongodb', true],
          ['dynamo', 'dynamodb', true],
        ],
      );
      assert.deepEqual(
        json.collections.map((c: Json) => [c.collection, c.store, c.table, c.exists]),
        [
          ['customers', 'shop', 'customers', true],
          ['products', 'shop', 'products', true],
          ['orders', 'shop', 'orders', true],
          ['catalog', 'dynamo', world.table, true],
          ['reviews', 'dynamo', world.table, true],
        ],
      );
    });

    test('derived lint has nothing against the values computed from their own order, and still reviews the copy', async () => {
      const { code, json, stderr } = await stewardJson('derived', 'lint');
      assert.equal(code, 0, stderr);
      const of = (name: string) => json.findings.filter((f: Json) => f.derived === name);
      assert.deepEqual(of('orders.lines[].line_total'), [], 'self-sourced: written with its own document');
      assert.deepEqual(of('orders.total'), []);
      assert.deepEqual(
        of('reviews.productName').map((f: Json) => f.rule),
        ['name-hides-authority'],
        'a copy of the catalog is still told to say so',
      );
    });

    test('filters take ObjectIds and single-table keys; a path into line items is refused, not an empty answer', async () => {
      const customerKey = plan().snapshotDiffers[0]!.customerKey!;
      const customer = await steward(
        'count',
        'orders',
        '--where',
        JSON.stringify({ customerId: oid(customerKey) }),
      );
      assert.equal(customer.code, 0, customer.stderr);
      const ofCustomer = (await allOrders()).filter(
        (o) => o.customerId?.toHexString() === customerKey,
      ).length;
      assert.ok(ofCustomer > 1);
      assert.equal(customer.stdout.trim(), String(ofCustomer));
      const review = await steward('count', 'reviews', '--where', JSON.stringify({ id: reviewId(1) }));
      assert.equal(review.stdout.trim(), '1', review.stderr);
      const lines = await steward('count', 'orders', '--where', JSON.stringify({ 'lines[].sku': 'SKU-03' }));
      assert.equal(lines.code, 2, `${lines.stdout}${lines.stderr}`);
      assert.match(lines.stderr, /field "lines\[\]\.sku" reaches into the array "lines\[\]"/);
      assert.equal(lines.stdout, '');
    });

    test('contracts verify counts the planted non-conforming documents; unversioned ones are at assumeVersion', async () => {
      const { code, json, stderr } = await stewardJson('contracts', 'verify');
      assert.equal(code, 1, `non-conforming documents fail the verify: ${stderr}`);
      verifyBefore = json;
      const expected = {
        catalog: { documents: productCount, bad: [] as string[], unversioned: plan().unversioned.catalog },
        customers: {
          documents: customerCount,
          bad: plan().nonConforming.customers,
          unversioned: plan().unversioned.customers,
        },
        orders: {
          documents: orderCount,
          bad: plan().nonConforming.orders,
          unversioned: plan().unversioned.orders,
        },
        reviews: {
          documents: reviewCount,
          bad: plan().nonConforming.reviews,
          unversioned: plan().unversioned.reviews,
        },
      };
      assert.deepEqual(sorted(json.collections.map((c: Json) => c.collection)), Object.keys(expected));
      for (const c of json.collections) {
        const want = expected[c.collection as keyof typeof expected];
        assert.equal(c.scanned, want.documents, c.collection);
        assert.equal(c.nonConforming, want.bad.length, c.collection);
        assert.equal(c.conforming, want.documents - want.bad.length, c.collection);
        assert.equal(c.assumedVersion, want.unversioned, `${c.collection}: absent or null version read as 1`);
        assert.equal(c.missingVersion, 0, c.collection);
        assert.deepEqual(c.census, { 1: want.documents }, c.collection);
        assert.deepEqual(
          sorted(c.failures.map((f: Json) => JSON.stringify(f.key))),
          sorted(want.bad.map((k) => JSON.stringify(keyOf(k)))),
          c.collection,
        );
      }
      const orders = json.collections.find((c: Json) => c.collection === 'orders');
      const paths = orders.failures.flatMap((f: Json) => f.failures.map((x: Json) => x.path));
      assert.ok(paths.includes('coupon') && paths.includes('status'), paths.join(', '));
    });

    test('refs scan finds exactly the planted orphans of each reference, across stores and in line items', async () => {
      const { code, json, stderr } = await stewardJson('refs', 'scan');
      assert.equal(code, 1, stderr);
      const ref = (name: string) => json.references.find((r: Json) => r.reference === name);
      const customer = ref('orders.customerId');
      assert.equal(customer.scanned, orderCount);
      assert.equal(customer.orphans, plan().orphanOrders.length);
      assert.equal(customer.nulls, plan().nullCustomerOrders.length);
      assert.equal(customer.typeMismatches, 0, 'ObjectId references to ObjectId keys are of the right type');
      assert.equal(customer.ok, orderCount - plan().orphanOrders.length - plan().nullCustomerOrders.length);
      assert.deepEqual(sorted(customer.orphanSample.map((k: Json) => k.$oid)), sorted(plan().orphanOrders));

      const lines = ref('orders.lines[].sku');
      const withoutLines =
        orderCount -
        new Set((await allOrders()).filter((o) => o.lines?.length).map((o) => o._id.toHexString())).size;
      assert.equal(lines.orphans, plan().orphanLines.length);
      assert.equal(lines.absent, withoutLines, 'an order without lines (absent or empty) holds no reference');
      assert.equal(lines.typeMismatches, 0);
      assert.deepEqual(
        sorted(lines.orphanSample.map((k: Json) => k.$oid)),
        sorted(plan().orphanLines.map((p) => p.key)),
      );

      const reviews = ref('reviews.productSku');
      assert.equal(reviews.scanned, reviewCount);
      assert.equal(reviews.orphans, plan().orphanReviews.length);
      assert.equal(reviews.ok, reviewCount - plan().orphanReviews.length);
      assert.deepEqual(sorted(reviews.orphanSample), sorted(plan().orphanReviews));
    });

    const allOrders = () =>
      withMongo((c) => c.db(world.database).collection('orders').find({}).toArray()) as Promise<Json[]>;

    test('drift check finds the planted drift per derived state and element; snapshot differences are reported apart, not as drift', async () => {
      for (const method of ['exact', 'hash']) {
        const { code, json, stderr } = await stewardJson('drift', 'check', '--method', method);
        assert.equal(code, 1, stderr);
        const lineTotal = reportOf(json, 'orders.lines[].line_total');
        const total = reportOf(json, 'orders.total');
        const snapshot = reportOf(json, 'orders.customer_name_at_order');
        const reviews = reportOf(json, 'reviews.productName');
        assert.equal(
          json.drift,
          plan().lineTotalDrift.length + plan().totalDrift.length + plan().reviewNameDrift.length,
          method,
        );
        assert.equal(json.missingSnapshots, plan().snapshotMissing.length, method);

        assert.equal(lineTotal.checked, plan().lines, `${method}: one value per line`);
        assert.deepEqual(
          sorted(lineTotal.findings.map(findingLine)),
          sorted(plan().lineTotalDrift.map((p) => plantedLine(p))),
          method,
        );
        assert.equal(lineTotal.failed + lineTotal.orphans, 0, `${method}: a null qty's null total is right`);
        assert.deepEqual(
          sorted(total.findings.map(findingLine)),
          sorted(plan().totalDrift.map((p) => plantedLine(p))),
          method,
        );
        assert.equal(total.failed + total.orphans, 0, method);

        assert.equal(snapshot.drift, 0, `${method}: a snapshot never drifts`);
        assert.equal(snapshot.snapshot.differsFromSource, plan().snapshotDiffers.length, method);
        assert.equal(snapshot.snapshot.missing, plan().snapshotMissing.length, method);
        assert.deepEqual(
          sorted(snapshot.snapshot.differences.map(findingLine)),
          sorted(plan().snapshotDiffers.map((p) => plantedLine(p))),
          method,
        );
        assert.deepEqual(
          sorted(snapshot.findings.map(findingLine)),
          sorted(plan().snapshotMissing.map((p) => plantedLine(p))),
          method,
        );
        assert.ok(
          snapshot.findings.every((f: Json) => f.kind === 'missing-snapshot'),
          method,
        );
        // Its orphans and null links are checked against refs scan apart (below).

        assert.deepEqual(
          sorted(reviews.findings.map(findingLine)),
          sorted(plan().reviewNameDrift.map((p) => plantedLine(p, (k) => k))),
          method,
        );
        assert.equal(reviews.orphans, plan().orphanReviews.length, `${method}: an orphan is not drift`);

        const opened = json.reports.reduce((n: number, r: Json) => n + r.incidents.opened, 0);
        if (method === 'exact') {
          assert.equal(
            opened,
            json.drift + json.missingSnapshots,
            'one incident per drifted value or missing snapshot',
          );
          assert.equal(
            snapshot.incidents.opened,
            plan().snapshotMissing.length,
            'no incident for a difference',
          );
        } else {
          assert.equal(opened, 0, 'hash: the same incidents, seen again');
          for (const r of json.reports) assert.equal(r.hash.groups >= 1, true, r.derived);
        }
      }
    });

    test('segments of drift check and refs scan add up to the whole, on FerretDB and in the single table', async () => {
      const sum: Record<string, { checked: number; drift: number; orphans: number }> = {};
      for (let i = 0; i < 3; i++) {
        const { code, json, stderr } = await stewardJson(
          'drift',
          'check',
          'orders.lines[].line_total',
          'orders.total',
          'reviews.productName',
          '--segment',
          `${i}/3`,
        );
        assert.ok(code === 0 || code === 1, stderr);
        for (const r of json.reports) {
          sum[r.derived] ??= { checked: 0, drift: 0, orphans: 0 };
          const s = sum[r.derived]!;
          s.checked += r.checked;
          s.drift += r.drift;
          s.orphans += r.orphans;
        }
      }
      assert.deepEqual(sum, {
        'orders.lines[].line_total': {
          checked: plan().lines,
          drift: plan().lineTotalDrift.length,
          orphans: 0,
        },
        'orders.total': { checked: orderCount, drift: plan().totalDrift.length, orphans: 0 },
        'reviews.productName': {
          checked: reviewCount,
          drift: plan().reviewNameDrift.length,
          orphans: plan().orphanReviews.length,
        },
      });
      const refs: Record<string, { scanned: number; orphans: number }> = {};
      for (let i = 0; i < 2; i++) {
        const { json } = await stewardJson('refs', 'scan', '--segment', `${i}/2`);
        for (const r of json.references) {
          refs[r.reference] ??= { scanned: 0, orphans: 0 };
          const s = refs[r.reference]!;
          s.scanned += r.scanned;
          s.orphans += r.orphans;
        }
      }
      assert.deepEqual(refs, {
        'orders.customerId': { scanned: orderCount, orphans: plan().orphanOrders.length },
        'orders.lines[].sku': { scanned: orderCount, orphans: plan().orphanLines.length },
        'reviews.productSku': { scanned: reviewCount, orphans: plan().orphanReviews.length },
      });
    });

    test('drift check counts as orphaned copies the orders refs scan counts as orphans, not those with a null link', async () => {
      const scan = await stewardJson('refs', 'scan');
      const reference = scan.json.references.find((r: Json) => r.reference === 'orders.customerId');
      assert.equal(reference.orphans, plan().orphanOrders.length);
      assert.equal(reference.nulls, plan().nullCustomerOrders.length);
      const check = await stewardJson('drift', 'check', 'orders.customer_name_at_order');
      const snapshot = reportOf(check.json, 'orders.customer_name_at_order');
      // Before: orphanOrders + nullCustomerOrders (7) as "orphaned copies", against refs scan's
      // 4 orphans and 3 nulls. A null link has no source: neither drift nor an orphan.
      assert.equal(snapshot.orphans, reference.orphans, 'the same orders, under the same name');
      assert.equal(snapshot.unlinked, reference.nulls, 'null links counted apart, as refs scan does');
    });

    test('rebuild --id takes an ObjectId as drift check prints it and writes only that order’s drifted lines', async () => {
      const text = await steward('drift', 'check', 'orders.lines[].line_total');
      assert.equal(text.code, 1, text.stderr);
      const first = plan().lineTotalDrift[0]!;
      const printed = `{"$oid":"${first.key}"}`;
      assert.ok(text.stdout.includes(`drift ${printed} lines[${first.index}]`), text.stdout);
      const inOrder = plan().lineTotalDrift.filter((p) => p.key === first.key);
      const before = await orderDoc(first.key);

      const { code, json, stderr } = await stewardJson(
        'rebuild',
        'orders.lines[].line_total',
        '--id',
        printed,
      );
      assert.equal(code, 0, stderr);
      assert.equal(json.report.examined, 1);
      assert.equal(json.report.written, inOrder.length, 'only the drifted elements');
      assert.equal(json.report.closed, inOrder.length, 'their incidents are closed');
      assert.deepEqual(
        json.keys.map((k: Json) => k.key),
        [oid(first.key)],
      );

      const after = await orderDoc(first.key);
      const expected = JSON.parse(JSON.stringify(before));
      for (const p of inOrder) expected.lines[p.index!].line_total = p.expected;
      const { _projection, ...rest } = after!;
      assert.deepEqual(JSON.parse(JSON.stringify(rest)), expected, 'nothing else in the order changed');
      assert.ok(_projection, 'the rebuild stamps its metadata');

      const bare = await stewardJson('rebuild', 'orders.lines[].line_total', '--id', first.key);
      assert.equal(bare.code, 0, bare.stderr);
      assert.equal(bare.json.keys[0].readAs, 'ObjectId', 'a bare hex is read as the ObjectId');
      assert.equal(bare.json.report.written, 0, 'already rebuilt');

      const review = plan().reviewNameDrift[0]!;
      const one = await stewardJson('rebuild', 'reviews.productName', '--id', review.key);
      assert.equal(one.code, 0, one.stderr);
      assert.equal(one.json.report.written, 1, 'a single-table entity addressed by its steward key');

      const ghost = await steward('rebuild', 'reviews.productName', '--id', reviewId(999));
      assert.equal(ghost.code, 2, `${ghost.stdout}${ghost.stderr}`);
      assert.match(ghost.stderr, /no document in collection "reviews" has the key/);
    });

    test('drift repair fixes what is left; the totals the repaired lines moved then drift, and repair fixes them', async () => {
      const repaired = await stewardJson(
        'drift',
        'repair',
        'orders.lines[].line_total',
        'reviews.productName',
      );
      assert.equal(repaired.code, 0, repaired.stderr);
      const rebuiltLines = plan().lineTotalDrift.filter(
        (p) => p.key === plan().lineTotalDrift[0]!.key,
      ).length;
      assert.equal(
        reportOf(repaired.json, 'orders.lines[].line_total').written,
        plan().lineTotalDrift.length - rebuiltLines,
      );
      assert.equal(reportOf(repaired.json, 'reviews.productName').written, plan().reviewNameDrift.length - 1);

      const totals = await stewardJson('drift', 'check', 'orders.total');
      assert.equal(totals.code, 1, totals.stderr);
      assert.deepEqual(
        sorted(reportOf(totals.json, 'orders.total').findings.map(findingLine)),
        sorted(plan().totalDriftAfterLineRepair.map((p) => plantedLine(p))),
      );

      const all = await stewardJson('drift', 'repair');
      assert.equal(all.code, 1, 'the missing snapshots are left alone without --force');
      assert.equal(reportOf(all.json, 'orders.total').written, plan().totalDriftAfterLineRepair.length);
      const snapshot = reportOf(all.json, 'orders.customer_name_at_order');
      assert.equal(snapshot.written, 0);
      assert.equal(snapshot.skipped, plan().snapshotMissing.length);

      for (const method of ['exact', 'hash']) {
        const check = await stewardJson('drift', 'check', '--method', method);
        assert.equal(check.json.drift, 0, method);
        assert.equal(check.json.missingSnapshots, plan().snapshotMissing.length, method);
        assert.equal(check.code, 1, `${method}: missing snapshots are still findings`);
      }
      const order = await orderDoc(plan().totalDriftAfterLineRepair[0]!.key);
      assert.equal(order!.total, plan().totalDriftAfterLineRepair[0]!.expected);
    });

    test('steward’s metadata in the repaired documents does not change what contracts verify counts', async () => {
      const repairedKey = plan().totalDriftAfterLineRepair[0]!.key;
      assert.ok((await orderDoc(repairedKey))!._projection, 'repair stamped the document');
      const { code, json, stderr } = await stewardJson('contracts', 'verify');
      assert.equal(code, 1, stderr);
      const counts = (j: Json) =>
        j.collections.map((c: Json) => [c.collection, c.conforming, c.nonConforming, c.assumedVersion]);
      assert.deepEqual(counts(json), counts(verifyBefore));
    });

    test('once no snapshot is missing, a drift check of the snapshot exits 0; its differences stay information', async () => {
      await withMongo(async (c) => {
        const orders = c.db(world.database).collection('orders');
        for (const p of plan().snapshotMissing)
          await orders.updateOne(
            { _id: new ObjectId(p.key) },
            { $set: { customer_name_at_order: p.expected } },
          );
      });
      const { code, json, stderr } = await stewardJson('drift', 'check', 'orders.customer_name_at_order');
      assert.equal(code, 0, `${stderr}${JSON.stringify(json)}`);
      const snapshot = reportOf(json, 'orders.customer_name_at_order');
      assert.equal(snapshot.drift, 0);
      assert.equal(snapshot.snapshot.missing, 0);
      assert.equal(snapshot.snapshot.differsFromSource, plan().snapshotDiffers.length);
      assert.equal(
        snapshot.incidents.closed,
        plan().snapshotMissing.length,
        'the filled snapshots’ incidents close',
      );
      const text = await steward('drift', 'check', 'orders.customer_name_at_order');
      assert.equal(text.code, 0, text.stderr);
      assert.ok(
        text.stdout.includes(
          `snapshot: ${plan().snapshotDiffers.length} differ from the source now (by design: not drift)`,
        ),
        text.stdout,
      );
      const status = await steward('derived', 'status');
      assert.match(
        status.stdout,
        /orders\.customer_name_at_order {2}not-applicable: .*\n {2}.*allowance none \(manual\)/,
        'a snapshot has no allowance, and the text does not call it immediate',
      );
      const all = await stewardJson('drift', 'check');
      assert.equal(all.code, 0, `nothing drifts and no snapshot is missing: ${JSON.stringify(all.json)}`);
    });
  });
}
