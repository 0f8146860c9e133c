/**
 * Declarations of derived state as real documents need them, without a store: values in array
 * elements (`orders.lines[].line_total`) and the forms that look like them and are refused, naming
 * the form that works; values computed from the document's own fields (`source: 'self'`), their
 * transforms and what they cannot be; where projection metadata is kept; and what lint and write
 * amplification say of them. Plus the pure pieces they stand on: recomputing an element or a
 * document from itself, and paths into arrays for patches.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { resolveConfig } from '../../src/config/resolve-config.js';
import { expectationHolds } from '../../src/core/expectation.js';
import { readPath, setPath, unsetPath } from '../../src/core/json.js';
import { writeAmplification } from '../../src/derived/amplification/write-amplification.js';
import { lintDerived } from '../../src/derived/lint/lint-derived.js';
import { gatherPath, recompute } from '../../src/derived/recompute.js';
import { isStewardError } from '../../src/errors/steward-error.js';

const collections = { orders: {}, products: {}, customers: {} };
const resolve = (derived: unknown) =>
  resolveConfig(
    { stores: { main: { kind: 'sqlite', file: 'x.sqlite' } }, collections, derived },
    { baseDir: '/tmp' },
  ).derived;

/** The problems a config error lists, as `path: message`. */
function problems(derived: unknown): string[] {
  try {
    resolve(derived);
  } catch (error) {
    assert.ok(isStewardError(error, 'config.invalid'), String(error));
    return (error.details.problems as { path: string; message: string }[]).map(
      (p) => `${p.path}: ${p.message}`,
    );
  }
  return [];
}

const lineTotal = { kind: 'stored', source: 'self', transform: { multiply: ['qty', 'unit_price'] } };

describe('values in array elements', () => {
  test("'orders.lines[].line_total' is a value in each element of lines, by position or by an element key", () => {
    const d = resolve({
      'orders.lines[].line_total': lineTotal,
      'orders.lines[].product_name': {
        kind: 'copy',
        source: { collection: 'products' },
        transform: { copy: 'name', via: 'lines[].sku' },
        elementKey: 'lines[].sku',
      },
    });
    const total = d.get('orders.lines[].line_total')!;
    assert.equal(total.collection, 'orders');
    assert.equal(total.field, 'lines[].line_total');
    assert.deepEqual(total.element, { array: 'lines', field: 'line_total' });
    const name = d.get('orders.lines[].product_name')!;
    assert.deepEqual(name.element, { array: 'lines', field: 'product_name', key: 'sku' });
    assert.deepEqual(name.source.link, { by: 'via', field: 'sku' }, 'the link is read in the element');
  });

  test('every other form of an array path is refused, naming the form that works', () => {
    const forms: Record<string, RegExp> = {
      'lines[].line_total': /starts with "lines\[\]", not a collection.*'orders\.lines\[\]\.line_total'/,
      'orders.lines.$.line_total': /"\$" is MongoDB update syntax.*'orders\.lines\[\]\.line_total'/,
      'orders.lines.$[].line_total': /MongoDB update syntax.*'orders\.lines\[\]\.line_total'/,
      'orders.lines.0.line_total': /one position of an array.*'orders\.lines\[\]\.line_total'/,
      'orders.lines[0].line_total': /not a path step steward understands.*'orders\.lines\[\]\.line_total'/,
      'orders.lines[]': /names the elements of "lines\[\]" themselves/,
      'orders.lines[].parts[].x': /goes through 2 arrays/,
    };
    for (const [name, message] of Object.entries(forms)) {
      const found = problems({ [name]: lineTotal });
      assert.equal(found.length, 1, `${name}: ${found.join('; ')}`);
      assert.match(found[0]!, new RegExp(`^derived\\.${name.replace(/[.$[\]]/g, '\\$&')}: `));
      assert.match(found[0]!, message, name);
    }
  });

  test('elements link to one source document each, or compute from themselves; not by key', () => {
    assert.deepEqual(
      problems({
        'orders.lines[].stock': {
          kind: 'counter',
          source: { collection: 'products', key: 'sku' },
          transform: { count: true },
        },
        'orders.lines[].x': { ...lineTotal, validation: 'checkpoint' },
        'orders.total': { ...lineTotal, elementKey: 'sku' },
      }).map((p) => p.split(':')[0]),
      [
        'derived.orders.lines[].stock.source.key',
        'derived.orders.lines[].x.validation',
        'derived.orders.total.elementKey',
      ],
    );
  });

  test('recomputing an element reads the element; a function gets the element, the sources and the document', () => {
    const d = resolve({
      'orders.lines[].line_total': lineTotal,
      'orders.lines[].label': {
        kind: 'stored',
        source: 'self',
        transform: (line: { sku?: unknown }, sources: readonly unknown[], doc: { id?: unknown }) =>
          `${String(doc.id)}/${String(line.sku)}/${sources.length}`,
      },
    });
    const doc = {
      id: 'o1',
      lines: [
        { sku: 'A', qty: 2, unit_price: 150 },
        { sku: 'B', qty: null, unit_price: 5 },
      ],
    };
    const [a, b] = doc.lines;
    const total = d.get('orders.lines[].line_total')!;
    assert.deepEqual(recompute(total, doc, [doc], a), { status: 'value', value: 300 });
    assert.deepEqual(
      recompute(total, doc, [doc], b),
      { status: 'value', value: null },
      'a null qty gives null',
    );
    assert.deepEqual(recompute(d.get('orders.lines[].label')!, doc, [doc], b), {
      status: 'value',
      value: 'o1/B/1',
    });
  });
});

describe("values computed from the document's own fields (source: 'self')", () => {
  test('a sum over its lines needs no source collection, and lint and amplification say nothing against it', () => {
    const d = resolve({
      'orders.total': {
        kind: 'aggregate',
        source: 'self',
        transform: { sum: 'lines[].line_total' },
        refresh: 'synchronous',
        staleness: 'immediate',
        onFailure: 'fail-write',
        validation: 'exact',
        repair: 'recompute',
        consumers: [{ service: 'checkout' }],
        retire: { after: 'never' },
      },
      'orders.customerName': {
        kind: 'copy',
        source: { collection: 'customers' },
        transform: { copy: 'name', via: 'customerId' },
      },
    });
    const total = d.get('orders.total')!;
    assert.deepEqual(total.source, { collection: 'orders', link: { by: 'self' }, where: [] });
    const doc = { lines: [{ line_total: 300 }, { line_total: null }, { line_total: 45 }, 'not an object'] };
    assert.deepEqual(recompute(total, doc as never, []), { status: 'value', value: 345 });
    assert.deepEqual(recompute(total, {}, []), { status: 'value', value: 0 }, 'no lines sum to 0');
    const lint = lintDerived([total]);
    assert.deepEqual(lint.findings, [], 'not even its name: it is written with its own document');
    const orders = writeAmplification(d.values()).find((a) => a.source === 'orders')!;
    assert.equal(orders.factor, 1, 'the total is written with the order itself');
    assert.deepEqual(
      orders.perWrite.map((s) => s.link),
      ['self'],
    );
  });

  test('copy, min and max read the document; count, latest, via and the window method are refused', () => {
    const d = resolve({
      'orders.firstSku': { kind: 'copy', source: 'self', transform: { copy: 'lines[].sku' } },
      'orders.maxQty': { kind: 'aggregate', source: 'self', transform: { max: 'lines[].qty' } },
    });
    const doc = {
      lines: [
        { sku: 'A', qty: 2 },
        { sku: 'B', qty: 7 },
      ],
    };
    assert.deepEqual(recompute(d.get('orders.firstSku')!, doc, []), { status: 'value', value: 'A' });
    assert.deepEqual(recompute(d.get('orders.maxQty')!, doc, []), { status: 'value', value: 7 });
    assert.deepEqual(
      problems({
        'orders.a': { kind: 'counter', source: 'self', transform: { count: true } },
        'orders.b': { kind: 'aggregate', source: 'self', transform: { latest: 'x' } },
        'orders.c': { kind: 'copy', source: 'self', transform: { copy: 'name', via: 'customerId' } },
        'orders.d': { ...lineTotal, validation: 'window' },
        'orders.e': {
          kind: 'stored',
          source: { collection: 'orders', self: true },
          transform: { copy: 'x' },
        },
        'orders.f': {
          kind: 'stored',
          source: { collection: 'products' },
          transform: { multiply: ['a', 'b'] },
        },
        'orders.g': {
          kind: 'aggregate',
          source: { collection: 'products', key: 'k' },
          transform: { sum: 'lines[].x' },
        },
      }).map((p) => p.split(':')[0]),
      [
        'derived.orders.a.transform.count',
        'derived.orders.b.transform.latest',
        'derived.orders.c.transform.via',
        'derived.orders.d.validation',
        'derived.orders.e.source',
        'derived.orders.f.transform.multiply',
        'derived.orders.g.transform.sum',
      ],
    );
  });

  test('gatherPath takes every value a path with [] gives', () => {
    const doc = { a: [{ b: [{ c: 1 }, { c: 2 }] }, { b: [{ c: 3 }] }, { b: 'x' }], d: 4 };
    assert.deepEqual(gatherPath(doc, 'a[].b[].c'), [1, 2, 3]);
    assert.deepEqual(gatherPath(doc, 'd'), [4]);
    assert.deepEqual(gatherPath(doc, 'nope[].c'), []);
  });
});

describe('projection metadata place', () => {
  test("'document' (default _projection), 'ledger' or a top-level field of one's choosing", () => {
    const d = resolve({
      'orders.a': lineTotal,
      'orders.b': { ...lineTotal, metadata: 'ledger' },
      'orders.c': { ...lineTotal, metadata: { field: '_steward' } },
    });
    assert.equal(d.get('orders.a')!.metadata, undefined);
    assert.deepEqual(d.get('orders.b')!.metadata, { in: 'ledger' });
    assert.deepEqual(d.get('orders.c')!.metadata, { in: 'document', field: '_steward' });
    assert.deepEqual(
      problems({ 'orders.d': { ...lineTotal, metadata: { field: 'meta.steward' } } }).map(
        (p) => p.split(':')[0],
      ),
      ['derived.orders.d.metadata'],
    );
  });
});

describe('paths into arrays, as patches and expectations use them', () => {
  test('a whole-number step into an array is a position; filters keep not traversing arrays', () => {
    const doc = { lines: [{ t: 1 }, { t: 2 }], m: { '0': 'map key' } };
    assert.equal(readPath(doc, 'lines.1.t'), 2);
    assert.equal(readPath(doc, 'm.0'), 'map key');
    assert.deepEqual(setPath(doc, 'lines.1.t', 20).lines, [{ t: 1 }, { t: 20 }]);
    assert.deepEqual(setPath(doc, 'lines.3', 'x').lines, [{ t: 1 }, { t: 2 }, null, 'x']);
    assert.deepEqual(unsetPath(doc, 'lines.0.t').lines, [{}, { t: 2 }]);
    assert.deepEqual(unsetPath(doc, 'lines.0').lines, [null, { t: 2 }], 'positions do not shift');
    assert.deepEqual(doc.lines, [{ t: 1 }, { t: 2 }], 'the document itself is not changed');
    assert.ok(expectationHolds(doc, { field: 'lines.0.t', value: 1 }));
    assert.ok(!expectationHolds(doc, { field: 'lines.0.t', value: 2 }));
  });
});
