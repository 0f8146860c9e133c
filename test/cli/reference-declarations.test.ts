/**
 * One reference declared in the config and in a contract, in either path syntax (issue 13 item
 * 12): the config may write `orders.lines.sku` or the canonical `orders.lines[].sku`, a contract
 * writes `lines[].sku`, and they are the same reference. When the two point a field at different
 * collections (`customerId` -> customers in the config, -> products in the contract), every
 * command that reads both refuses with exit 2, naming both files and both targets, before it
 * reads a store.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { resolveConfig } from '../../src/config/resolve-config.js';
import { referenceDisagreements } from '../../src/contracts/reference-agreement.js';
import { projectWithConfig, runSteward } from '../support/run-steward.js';

const schema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    customerId: { type: 'string' },
    lines: { type: 'array', items: { type: 'object', properties: { sku: { type: 'string' } } } },
  },
};

/** A SQLite project: orders referencing customers and, through their lines, products. */
function project(options: { customerTarget: string; skuPath: string }): string {
  const dir = projectWithConfig(
    `{ stores: { main: { kind: 'sqlite', file: 'shop.sqlite' } }, collections: { orders: {}, customers: {}, products: {} }, ` +
      `references: { 'orders.customerId': { target: 'customers' }, 'orders.${options.skuPath}': { target: 'products' } }, ` +
      `derived: { 'customers.orderCount': { kind: 'counter', source: { collection: 'orders', key: 'customerId' }, transform: { count: true }, refresh: 'asynchronous', staleness: '5m', validation: 'exact', repair: 'recompute', consumers: [{ service: 'crm' }] } } }`,
  );
  mkdirSync(join(dir, 'contracts'));
  const contract = {
    collection: 'orders',
    owner: 'order-service',
    versions: [{ version: 1, schema }],
    fields: { customerId: { references: options.customerTarget }, 'lines[].sku': { references: 'products' } },
  };
  writeFileSync(join(dir, 'contracts/orders.contract.json'), JSON.stringify(contract));
  for (const collection of ['customers', 'products']) {
    const other = { collection, owner: 'shop', versions: [{ version: 1, schema: { type: 'object' } }] };
    writeFileSync(join(dir, `contracts/${collection}.contract.json`), JSON.stringify(other));
  }
  return dir;
}

const disagreement =
  /orders\.customerId: steward\.config\.ts \(references\['orders\.customerId'\]\) points it at "customers", contracts\/orders\.contract\.json \(fields\['customerId'\]\.references\) at "products"/;

describe('references declared in the config and in contracts', () => {
  const commands = [['contracts', 'list'], ['doctor'], ['derived', 'lint'], ['graph'], ['refs', 'scan']];

  for (const args of commands)
    test(`${args.join(' ')}: a target the two disagree on is a config error naming both files and targets`, async () => {
      const cwd = project({ customerTarget: 'products', skuPath: 'lines[].sku' });
      const run = await runSteward(args, { cwd });
      assert.equal(run.code, 2, `${run.stdout}\n${run.stderr}`);
      assert.match(run.stderr, disagreement);
      assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
    });

  test('declarations that agree pass, in either path syntax of the config', async () => {
    for (const skuPath of ['lines[].sku', 'lines.sku']) {
      const cwd = project({ customerTarget: 'customers', skuPath });
      for (const args of [
        ['contracts', 'list'],
        ['derived', 'lint'],
        ['graph', '--json'],
      ]) {
        const run = await runSteward(args, { cwd });
        assert.equal(run.code, 0, `${skuPath}: ${args.join(' ')}: ${run.stderr}`);
      }
      const graph = JSON.parse((await runSteward(['graph', '--json'], { cwd })).stdout) as {
        edges: { kind: string; to: string; fields: string[]; declaredIn: string[] }[];
      };
      const toProducts = graph.edges.filter((e) => e.kind === 'references' && e.to === 'collection:products');
      assert.equal(toProducts.length, 1, `${skuPath}: one edge to products, declared in both`);
      assert.deepEqual(toProducts[0]!.declaredIn, ['config', 'contract']);
      assert.deepEqual(toProducts[0]!.fields, ['lines[].sku'], 'drawn in the canonical form');
    }
  });
});

describe('reference paths in the config', () => {
  const config = (references: object) =>
    resolveConfig(
      {
        stores: { main: { kind: 'sqlite', file: 'x.sqlite' } },
        collections: { orders: {}, products: {} },
        references,
      },
      { baseDir: '/tmp', file: '/tmp/steward.config.ts' },
    );

  test("'lines[].sku' (canonical) and 'lines.sku' are read by the same path; the name stays as written", () => {
    const canonical = config({ 'orders.lines[].sku': { target: 'products' } }).references.get(
      'orders.lines[].sku',
    );
    const dotted = config({ 'orders.lines.sku': { target: 'products' } }).references.get('orders.lines.sku');
    assert.equal(canonical?.field, 'lines.sku');
    assert.equal(dotted?.field, 'lines.sku');
  });

  test('other array forms are refused, naming the form that works', () => {
    for (const bad of ['orders.lines[0].sku', 'orders.lines.$.sku[', 'orders.lines[]sku']) {
      assert.throws(
        () => config({ [bad]: { target: 'products' } }),
        (e: Error) => e.message.includes(`references.${bad}`) && e.message.includes('orders.lines[].sku'),
        bad,
      );
    }
  });

  test('a config path matches a contract field with [] dropped', () => {
    const { references } = config({ 'orders.lines.sku': { target: 'orders' } });
    const contract = {
      collection: 'orders',
      file: 'orders.contract.json',
      fields: { 'lines[].sku': { authority: 'authoritative', references: 'products' } },
    } as never;
    assert.deepEqual(
      referenceDisagreements([contract], references.values()).map((d) => [
        d.field,
        d.configTarget,
        d.contractTarget,
      ]),
      [['lines[].sku', 'orders', 'products']],
    );
  });
});
