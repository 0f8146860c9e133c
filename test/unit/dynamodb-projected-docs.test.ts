/**
 * A keys-only or projected DynamoDB scan page builds its documents straight from the items
 * (`projectedDocs`, issue 17); they must be those the whole way gives (`ItemMapper.toDoc`, then
 * the projection), for whole tables and single-table mappings alike. Pure: no store.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JsonObject } from '../../src/core/json.js';
import { ItemMapper } from '../../src/stores/dynamodb/item-mapping.js';
import type { Item } from '../../src/stores/dynamodb/json-values.js';
import { projectedDocs } from '../../src/stores/dynamodb/projected-docs.js';
import { entityMapping } from '../../src/stores/dynamodb/table-mapping.js';
import { projectFields } from '../../src/stores/projected-fields.js';
import type { CollectionSpec } from '../../src/stores/store.js';

/** What the page held before: each item's whole document, then its key, or its key and fields. */
function theWholeWay(mapper: ItemMapper, items: Item[], fields: string[] | undefined): JsonObject[] {
  const keyField = mapper.mapping.keyField;
  return items
    .filter((item) => mapper.owns(item))
    .map((item) => mapper.toDoc(item))
    .map((doc) => {
      if (fields) return projectFields(doc, keyField, fields);
      const key = doc[keyField];
      return key === undefined ? {} : { [keyField]: key };
    });
}

const cases: { name: string; spec: CollectionSpec; sort?: 'S' | 'N'; items: Item[] }[] = [
  {
    name: 'a whole table keyed by the key field',
    spec: { name: 'tasks', keyField: 'id' },
    items: [
      { id: { S: 't1' }, caseId: { S: 'c1' } },
      { id: { S: 't2' }, caseId: { NULL: true } },
      { id: { S: 't3' } },
      { id: { S: 't4' }, caseId: { L: [{ S: 'c1' }, { N: '7' }] }, other: { M: { a: { S: 'x' } } } },
      { id: { S: 't5' }, caseId: { M: { id: { S: 'c9' } } } },
    ],
  },
  {
    name: 'a number partition key',
    spec: { name: 'orders', keyField: 'id' },
    items: [{ id: { N: '12' }, caseId: { N: '3' } }],
  },
  {
    name: 'an entity of a shared table, with prefix, sort key and discriminator',
    spec: {
      name: 'cases',
      keyField: 'caseKey',
      dynamodb: {
        table: 'app',
        partitionKey: 'PK',
        keyPrefix: 'CASE#',
        sortKey: { name: 'SK', value: 'META' },
        discriminator: { name: 'type', value: 'case' },
      },
    },
    sort: 'S',
    items: [
      { PK: { S: 'CASE#1' }, SK: { S: 'META' }, type: { S: 'case' }, caseId: { S: 'x' } },
      {
        PK: { S: 'CASE#2' },
        SK: { S: 'META' },
        type: { S: 'case' },
        caseKey: { S: '2' },
        caseId: { S: 'y' },
      },
      { PK: { S: 'TASK#3' }, SK: { S: 'META' }, type: { S: 'task' }, caseId: { S: 'z' } },
      { PK: { S: 'CASE#4' }, SK: { S: 'OTHER' }, type: { S: 'case' } },
      { PK: { S: 'CASE#5' }, SK: { S: 'META' }, type: { S: 'case' }, caseKey: { NULL: true } },
    ],
  },
];

for (const c of cases) {
  test(`projected documents are those of the whole way: ${c.name}`, () => {
    const mapping = entityMapping(c.spec);
    const mapper = new ItemMapper(mapping, {
      partition: { name: mapping.partitionKey, type: c.items[0]![mapping.partitionKey]!.N ? 'N' : 'S' },
      sort: mapping.sortKey ? { name: mapping.sortKey.name, type: c.sort ?? 'S' } : undefined,
    });
    const fieldSets = [['caseId'], ['caseId', 'other', 'missing'], ['type', 'SK', 'caseId']];
    for (const fields of fieldSets) {
      const projected = projectedDocs(mapper, c.items, { kind: 'fields', fields });
      assert.deepEqual(projected, theWholeWay(mapper, c.items, fields), `fields ${fields.join(', ')}`);
      // Same fields in the same order, as a checkpointed or hashed document would hold them.
      assert.deepEqual(projected.map(Object.keys), theWholeWay(mapper, c.items, fields).map(Object.keys));
    }
    assert.deepEqual(
      projectedDocs(mapper, c.items, { kind: 'keys' }),
      theWholeWay(mapper, c.items, undefined),
    );
  });
}

test('a __proto__ attribute stays a field of the projected document', () => {
  const mapper = new ItemMapper(entityMapping({ name: 'tasks', keyField: 'id' }), {
    partition: { name: 'id', type: 'S' },
    sort: undefined,
  });
  const item: Item = { id: { S: 't1' } };
  Object.defineProperty(item, '__proto__', { value: { S: 'p' }, enumerable: true, writable: true });
  const [doc] = projectedDocs(mapper, [item], { kind: 'fields', fields: ['__proto__'] });
  assert.ok(Object.hasOwn(doc!, '__proto__'));
  assert.equal(Object.getPrototypeOf(doc), Object.prototype);
  assert.deepEqual(doc, theWholeWay(mapper, [item], ['__proto__'])[0]);
});
