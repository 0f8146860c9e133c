/**
 * The validators migrations run before and after (dry run, canary gates, rollback): each returns a
 * result naming the documents that fail, never throws for what it finds, on every store.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type LoadedContracts, loadContracts } from '../../src/contracts/load-contracts.js';
import type { JsonObject } from '../../src/core/json.js';
import { StewardError } from '../../src/errors/steward-error.js';
import type { ValidatorDefinition } from '../../src/migrations/migration.js';
import { type RunValidatorsInput, runValidators } from '../../src/migrations/validators/run-validators.js';
import { keyId } from '../../src/stores/store.js';
import { openTestStore, selectedKinds, type TestStore } from '../support/test-stores.js';

const int = { type: 'integer' };
function contractsDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'steward-validators-'));
  const schema = (version: number) => ({
    type: 'object',
    properties: {
      schemaVersion: { const: version },
      total: int,
      ...(version === 2 ? { currency: { type: 'string' } } : {}),
    },
    required: ['schemaVersion', 'total', ...(version === 2 ? ['currency'] : [])],
  });
  const contract = {
    collection: 'orders',
    owner: 'shop',
    versions: [
      { version: 1, schema: schema(1) },
      { version: 2, schema: schema(2) },
    ],
  };
  writeFileSync(join(dir, 'orders.contract.json'), JSON.stringify(contract));
  return dir;
}

/** 20 orders: o01..o10 at v1, o11..o20 at v2; o05 breaks v1 (total is a string), o15 has no currency. */
function orders(keyField: string): JsonObject[] {
  return Array.from({ length: 20 }, (_, i) => {
    const id = `o${String(i + 1).padStart(2, '0')}`;
    const total = id === 'o05' ? 'lots' : (i + 1) * 10;
    if (i < 10) return { [keyField]: id, schemaVersion: 1, total };
    return { [keyField]: id, schemaVersion: 2, total, ...(id === 'o15' ? {} : { currency: 'EUR' }) };
  });
}

for (const kind of selectedKinds()) {
  describe(`migration validators on ${kind}`, () => {
    let ts: TestStore;
    let contracts: LoadedContracts;
    let input: (validators: ValidatorDefinition[], extra?: Partial<RunValidatorsInput>) => RunValidatorsInput;

    before(async () => {
      ts = await openTestStore(kind);
      const spec = ts.spec('orders');
      await ts.store.ensureCollection(spec);
      await ts.store.collection(spec).write(orders(spec.keyField).map((doc) => ({ type: 'insert', doc })));
      contracts = await loadContracts(contractsDir());
      input = (validators, extra = {}) => ({
        validators,
        collectionFor: (name) => {
          if (name === 'orders') return ts.store.collection(spec);
          if (name === 'gone') return ts.store.collection(ts.spec('gone'));
          throw new StewardError('collection.unknown', `collection "${name}" is not declared`);
        },
        contracts,
        ...extra,
      });
    });

    after(() => ts?.cleanup());

    test('count checks exact counts against min and max, with a where filter', async () => {
      const [all, v2, tooMany] = await runValidators(
        input([
          { kind: 'count', name: 'all', collection: 'orders', min: 20, max: 20 },
          { kind: 'count', name: 'v2', collection: 'orders', where: { schemaVersion: 2 }, min: 11 },
          { kind: 'count', name: 'few', collection: 'orders', max: 5 },
        ]),
      );
      assert.equal(all?.ok, true);
      assert.equal(all?.message, '20 document(s) in orders; expected at least 20 and at most 20');
      assert.equal(v2?.ok, false);
      assert.equal(v2?.message, '10 document(s) of orders where {"schemaVersion":2}; expected at least 11');
      assert.deepEqual(v2?.problems, [v2?.message]);
      assert.equal(tooMany?.ok, false);
    });

    test('count is skipped, not failed, when told the collection is partial', async () => {
      const [result] = await runValidators(
        input([{ kind: 'count', name: 'all', collection: 'orders', min: 1000 }], { skipCounts: 'a sample' }),
      );
      assert.deepEqual(result, {
        name: 'all',
        kind: 'count',
        ok: true,
        message: 'skipped: a sample',
        problems: [],
        skipped: true,
      });
    });

    test('query reports every document its check returns a problem for, and checks that throw', async () => {
      const [result] = await runValidators(
        input([
          {
            kind: 'query',
            name: 'totals are numbers below 150',
            collection: 'orders',
            where: { schemaVersion: 2 },
            check: (doc) => {
              if (doc.total === 200) throw new Error('boom');
              return typeof doc.total === 'number' && doc.total < 150 ? undefined : `total is ${doc.total}`;
            },
          },
        ]),
      );
      assert.equal(result?.ok, false);
      assert.equal(result?.message, '6 of 10 document(s) of orders fail');
      assert.deepEqual([...result!.problems].sort(), [
        '"o15": total is 150',
        '"o16": total is 160',
        '"o17": total is 170',
        '"o18": total is 180',
        '"o19": total is 190',
        '"o20": check threw: boom',
      ]);
    });

    test("conforms checks each document against its own version's schema, with a minimum percent", async () => {
      const [strict, lenient] = await runValidators(
        input([
          { kind: 'conforms', name: 'strict', collection: 'orders' },
          { kind: 'conforms', name: 'lenient', collection: 'orders', minPercent: 90 },
        ]),
      );
      assert.equal(strict?.ok, false);
      assert.equal(
        strict?.message,
        '90% of 20 document(s) of orders conform (at least 100% needed; v1: 10, v2: 10)',
      );
      assert.deepEqual([...strict!.problems].sort(), [
        '"o05": does not match v1: total must be integer',
        '"o15": does not match v2: currency is required',
      ]);
      assert.equal(lenient?.ok, true);
    });

    test('parity compares the old read of the original with the new read of the document, on a sample', async () => {
      const parity: ValidatorDefinition = {
        kind: 'parity',
        name: 'total in cents',
        collection: 'orders',
        before: (doc) => (doc.total as number) * 100,
        after: (doc) => doc.cents,
      };
      const originals: RunValidatorsInput['originals'] = async (_collection, keys) =>
        new Map(keys.map((k) => [keyId(k), { total: 0 }])); // every original totals 0
      const same = {
        ...parity,
        before: (doc: JsonObject) => doc.cents ?? 0,
        after: (doc: JsonObject) => doc.cents ?? 0,
      };
      const [differs, agrees] = await runValidators(input([parity, same], { originals }));
      assert.equal(differs?.ok, false);
      assert.match(differs!.problems[0]!, /^"o\d\d": before\(\) gives 0, after\(\) gives undefined$/);
      assert.equal(agrees?.ok, true);
      assert.equal(agrees?.message, 'old and new read shapes agree on 20 sampled document(s) of orders');
      const [sampled] = await runValidators(input([same], { sample: 5 }));
      const compared = Number(/on (\d+) sampled/.exec(sampled!.message)?.[1]);
      assert.ok(compared > 0 && compared < 20, sampled!.message);
    });

    test('a validator on an unknown or missing collection fails with a reason instead of throwing', async () => {
      const results = await runValidators(
        input([
          { kind: 'count', name: 'unknown', collection: 'nowhere', min: 1 },
          { kind: 'conforms', name: 'no contract', collection: 'gone' },
        ]),
      );
      assert.deepEqual(
        results.map((r) => r.ok),
        [false, false],
      );
      assert.match(results[0]!.message, /could not run on nowhere: collection "nowhere" is not declared/);
      assert.match(results[1]!.message, /gone has no contract/);
    });
  });
}
