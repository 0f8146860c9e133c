import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openStore } from '../../../src/stores/open-store.js';
import type { ExitCodeCase } from '../exit-code-case.js';

/** A SQLite project with `orders` and `products` and the given `derived` (a config expression). */
const project = (derived: string) => (dir: string) =>
  writeFileSync(
    join(dir, 'steward.config.ts'),
    `import { defineConfig } from 'steward';\nexport default defineConfig({ stores: { main: { kind: 'sqlite', file: 'app.sqlite' } }, ` +
      `collections: { orders: { key: 'id' }, products: { key: 'id' } }, derived: ${derived} });\n`,
  );

const lineTotal = (name: string) =>
  `{ '${name}': { kind: 'stored', source: 'self', transform: { multiply: ['qty', 'unit_price'] } } }`;

/** One order with a `lines` array, so a declaration that goes through it meets an array. */
async function oneOrder(dir: string): Promise<void> {
  const store = await openStore({ kind: 'sqlite', file: join(dir, 'app.sqlite') });
  const orders = { name: 'orders', keyField: 'id' };
  await store.ensureCollection(orders);
  await store
    .collection(orders)
    .write([
      { type: 'insert', doc: { id: 'o1', lines: [{ sku: 'A', qty: 2, unit_price: 3, line_total: 6 }] } },
    ]);
  await store.close();
}

/** A SQLite project whose config declares `references` (a config expression), and no contracts. */
const withReferences = (references: string) => (dir: string) =>
  writeFileSync(
    join(dir, 'steward.config.ts'),
    `import { defineConfig } from 'steward';\nexport default defineConfig({ stores: { main: { kind: 'sqlite', file: 'app.sqlite' } }, ` +
      `collections: { orders: { key: 'id' }, products: { key: 'id' } }, references: ${references} });\n`,
  );

export const cases: ExitCodeCase[] = [
  {
    name: 'a reference through an array written with an index (lines[0].sku)',
    prepare: withReferences(`{ 'orders.lines[0].sku': { target: 'products' } }`),
    args: ['refs', 'scan'],
    code: 2,
    stderr:
      /references\.orders\.lines\[0\]\.sku: "lines\[0\]\.sku" is not a field path.*orders\.lines\[\]\.sku/,
  },
  {
    name: "a derived value declared with MongoDB's positional operator ($)",
    prepare: project(lineTotal('orders.lines.$.line_total')),
    args: ['drift', 'check'],
    code: 2,
    stderr:
      /derived\.orders\.lines\.\$\.line_total: "\$" is MongoDB update syntax.*'orders\.lines\[\]\.line_total'/,
  },
  {
    name: 'a derived value declared without its collection',
    prepare: project(lineTotal('lines[].line_total')),
    args: ['derived', 'list'],
    code: 2,
    stderr: /derived\.lines\[\]\.line_total: starts with "lines\[\]", not a collection/,
  },
  {
    name: "a derived value whose path goes through an array without '[]'",
    prepare: async (dir) => {
      project(lineTotal('orders.lines.line_total'))(dir);
      await oneOrder(dir);
    },
    args: ['drift', 'check'],
    code: 2,
    stderr:
      /derived\.orders\.lines\.line_total: "lines" is an array in orders "o1".*'orders\.lines\[\]\.line_total'/,
  },
  {
    name: "a count computed from the document's own fields",
    prepare: project(`{ 'orders.n': { kind: 'counter', source: 'self', transform: { count: true } } }`),
    args: ['drift', 'check'],
    code: 2,
    stderr: /derived\.orders\.n\.transform\.count: count reads source documents/,
  },
  {
    name: 'projection metadata kept somewhere steward does not know',
    prepare: project(
      `{ 'orders.total': { kind: 'aggregate', source: 'self', transform: { sum: 'lines[].line_total' }, metadata: 'elsewhere' } }`,
    ),
    args: ['drift', 'check'],
    code: 2,
    stderr: /derived\.orders\.total\.metadata: must be 'document'/,
  },
  {
    name: 'drift incidents with a status that does not exist',
    prepare: project(lineTotal('orders.lines[].line_total')),
    args: ['drift', 'incidents', '--status', 'resolved'],
    code: 2,
    stderr: /--status must be open, closed or all/,
  },
  {
    name: 'drift incidents with a cursor steward did not give',
    prepare: project(lineTotal('orders.lines[].line_total')),
    args: ['drift', 'incidents', '--cursor', 'page-2'],
    code: 2,
    stderr: /--cursor "page-2" is not a cursor steward gave/,
  },
  {
    name: 'drift incidents with an age that is not a duration',
    prepare: project(lineTotal('orders.lines[].line_total')),
    args: ['drift', 'incidents', '--older-than', 'a week'],
    code: 2,
    stderr: /--older-than must be a duration/,
  },
];
