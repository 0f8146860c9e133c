import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openStore } from '../../../src/stores/open-store.js';
import type { ExitCodeCase } from '../exit-code-case.js';

const config = (dir: string) =>
  writeFileSync(
    join(dir, 'steward.config.ts'),
    `import { defineConfig } from 'steward';\nexport default defineConfig({ stores: { main: { kind: 'sqlite', file: 'app.sqlite' } }, ` +
      `collections: { orders: {}, customers: {} }, derived: { 'orders.customerName': { kind: 'copy', ` +
      `source: { collection: 'customers' }, transform: { copy: 'name', via: 'customerId' } } } });\n`,
  );

/** The project with one customer and one order, written through the store seam. */
async function withOrders(dir: string): Promise<void> {
  config(dir);
  const store = await openStore({ kind: 'sqlite', file: join(dir, 'app.sqlite') });
  try {
    for (const [name, doc] of [
      ['customers', { id: 'c1', name: 'Ada' }],
      ['orders', { id: 'o1', customerId: 'c1', customerName: 'Ada' }],
    ] as const) {
      const spec = { name, keyField: 'id' };
      await store.ensureCollection(spec);
      await store.collection(spec).write([{ type: 'insert', doc }]);
    }
  } finally {
    await store.close();
  }
}

export const cases: ExitCodeCase[] = [
  {
    name: 'rebuild --id naming a document that does not exist',
    prepare: withOrders,
    args: ['rebuild', 'orders.customerName', '--id', 'o9'],
    code: 2,
    stderr: /no document in collection "orders" has the key "o9"/,
  },
  {
    name: 'rebuild --id with a malformed ObjectId',
    prepare: config,
    args: ['rebuild', 'orders.customerName', '--id', '{"$oid":"zz"}'],
    code: 2,
    stderr: /--id \{"\$oid":"zz"\}: \$oid must be 24 hexadecimal digits/,
  },
  {
    name: 'a filter with a malformed ObjectId',
    prepare: config,
    args: ['find', 'orders', '--where', '{"_id":{"$oid":"abc"}}'],
    code: 2,
    stderr: /--where\._id: \$oid must be 24 hexadecimal digits/,
  },
  {
    name: 'a range over ObjectIds',
    prepare: config,
    args: ['count', 'orders', '--where', '{"_id":{"$gt":{"$oid":"65f0c0ffee0000000000abcd"}}}'],
    code: 2,
    stderr: /compares ObjectId values, which have no order every store agrees on/,
  },
  {
    name: 'a $binary that is not a UUID',
    prepare: config,
    args: ['find', 'orders', '--where', '{"u":{"$binary":{"base64":"AA==","subType":"00"}}}'],
    code: 2,
    stderr: /is not a UUID/,
  },
];
