/**
 * Keys as users' data has them, through the built CLI: a MongoDB database (FerretDB) with
 * ObjectId keys made straight through the `mongodb` driver, not steward's example. ObjectId keys
 * are addressed in `--where` and `--id` (a bare 24-hex `--id` is read as the ObjectId and the
 * output says so), a key naming no document is exit 2, and every report prints a key in the one
 * form `--where` and `--id` take back.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { projectWithConfig, runSteward } from '../support/run-steward.js';
import { selectedKinds } from '../support/test-stores.js';

const hex = (n: number) => `65f0c0ffee00000000${String(n).padStart(6, '0')}`;
const customer = [hex(1), hex(2)];
const order = [hex(101), hex(102), hex(103), hex(104)];
const ghost = hex(999);

if (selectedKinds().includes('mongodb')) {
  describe('ObjectId keys on FerretDB, documents made through the mongodb driver', () => {
    const uri = process.env.STEWARD_TEST_MONGODB_URI;
    if (!uri) throw new Error('STEWARD_TEST_MONGODB_URI is not set: run the suite with "npm test"');
    const database = `steward_keys_${randomBytes(4).toString('hex')}`;
    let dir: string;
    const steward = (...args: string[]) => runSteward(args, { cwd: dir, env: { STEWARD_ACTOR: 'ci' } });

    before(async () => {
      const { MongoClient, ObjectId } = await import('mongodb');
      const client = new MongoClient(uri);
      try {
        const db = client.db(database);
        await db.collection('customers').insertMany([
          { _id: new ObjectId(customer[0]), name: 'Ada' },
          { _id: new ObjectId(customer[1]), name: 'Grace' },
        ]);
        await db.collection('orders').insertMany([
          { _id: new ObjectId(order[0]), customerId: new ObjectId(customer[0]), customerName: 'Ada' },
          { _id: new ObjectId(order[1]), customerId: new ObjectId(customer[1]), customerName: 'Old name' },
          { _id: new ObjectId(order[2]), customerId: new ObjectId(customer[1]), customerName: 'Grace' },
          { _id: new ObjectId(order[3]), customerId: new ObjectId(ghost), customerName: 'Nobody' },
        ]);
      } finally {
        await client.close();
      }
      dir = projectWithConfig(
        `{ stores: { main: { kind: 'mongodb', uri: ${JSON.stringify(uri)}, database: ${JSON.stringify(database)} } }, ` +
          `collections: { customers: {}, orders: {} }, references: { 'orders.customerId': { target: 'customers' } }, ` +
          `derived: { 'orders.customerName': { kind: 'copy', source: { collection: 'customers' }, transform: { copy: 'name', via: 'customerId' } } } }`,
      );
    });
    after(async () => {
      const { MongoClient } = await import('mongodb');
      const client = new MongoClient(uri);
      await client.db(database).dropDatabase();
      await client.close();
    });

    test('find and count take ObjectIds in Extended JSON; a bare hex string is a string', async () => {
      const where = JSON.stringify({ _id: { $oid: order[1] } });
      const found = await steward('find', 'orders', '--where', where);
      assert.equal(found.code, 0, found.stderr);
      const docs = found.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      assert.deepEqual(
        docs.map((d) => d._id),
        [{ $oid: order[1] }],
      );
      const byRef = await steward(
        'count',
        'orders',
        '--where',
        JSON.stringify({ customerId: { $oid: customer[1] } }),
      );
      assert.equal(byRef.code, 0, byRef.stderr);
      assert.match(byRef.stdout, /^2$/m);
      const bare = await steward('count', 'orders', '--where', JSON.stringify({ _id: order[1] }));
      assert.match(bare.stdout, /^0$/m);
    });

    test('rebuild --id resolves a bare hex to the ObjectId, says so, and rebuilds that document', async () => {
      const run = await steward('rebuild', 'orders.customerName', '--id', order[1]!);
      assert.equal(run.code, 0, run.stderr);
      assert.ok(
        run.stdout.includes(`--id "${order[1]}" is the ObjectId key {"$oid":"${order[1]}"}`),
        run.stdout,
      );
      assert.match(run.stdout, /1 examined/);
      assert.match(run.stdout, /1 written/);
      const again = await steward('rebuild', 'orders.customerName', '--id', `{"$oid":"${order[1]}"}`);
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stdout, /1 examined/);
      assert.doesNotMatch(again.stdout, /is the ObjectId key/);
    });

    test('rebuild --id naming no document is exit 2 naming the key, in any form', async () => {
      for (const id of [ghost, `{"$oid":"${ghost}"}`]) {
        const run = await steward('rebuild', 'orders.customerName', '--id', id);
        assert.equal(run.code, 2, `${id}: ${run.stdout}${run.stderr}`);
        assert.match(run.stderr, new RegExp(`no document in collection "orders" has the key .*${ghost}`));
        assert.doesNotMatch(run.stdout, /0 examined/);
      }
    });

    test('refs scan and drift check print keys in the form --where takes back', async () => {
      const scan = await steward('refs', 'scan');
      assert.equal(scan.code, 1, scan.stderr);
      const rendered = `{"$oid":"${order[3]}"}`;
      assert.ok(scan.stdout.includes(`orphaned: ${rendered}`), scan.stdout);
      const pasted = await steward('find', 'orders', '--where', `{"_id": ${rendered}}`);
      assert.equal(pasted.code, 0, pasted.stderr);
      assert.equal(JSON.parse(pasted.stdout.trim()).customerName, 'Nobody');

      const { MongoClient, ObjectId } = await import('mongodb');
      const client = new MongoClient(uri);
      try {
        await client
          .db(database)
          .collection('orders')
          .updateOne({ _id: new ObjectId(order[2]) }, { $set: { customerName: 'Drifted' } });
      } finally {
        await client.close();
      }
      const drift = await steward('drift', 'check', 'orders.customerName');
      assert.equal(drift.code, 1, drift.stderr);
      const key = `{"$oid":"${order[2]}"}`;
      assert.ok(drift.stdout.includes(`drift ${key}`), drift.stdout);
      const back = await steward('rebuild', 'orders.customerName', '--id', key);
      assert.equal(back.code, 0, back.stderr);
      assert.match(back.stdout, /1 written/);
    });
  });
}
