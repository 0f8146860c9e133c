/**
 * Documents without a version field and the contract's `assumeVersion`: `contracts verify` on every
 * selected store checks them as that version (without it they are counted as missing), the
 * versioned reader takes it as its default, and a value that is not a declared version is refused
 * when the contracts load. Migrations: test/migrations/unversioned.test.ts.
 */
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type LoadedContracts, loadContracts } from '../../src/contracts/load-contracts.js';
import { createVersionedReader } from '../../src/contracts/reader/versioned-reader.js';
import { verifyCollection } from '../../src/contracts/verify/verify-collection.js';
import type { JsonObject } from '../../src/core/json.js';
import { openTestStore, selectedKinds, type TestStore } from '../support/test-stores.js';

const gadgets = {
  collection: 'gadgets',
  owner: 'gadget-service',
  versions: [
    { version: 1, schema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] } },
    {
      version: 2,
      schema: {
        type: 'object',
        properties: { label: { type: 'string' } },
        required: ['label'],
      },
    },
  ],
};

const dirs: string[] = [];

async function contractsWith(extra: JsonObject): Promise<LoadedContracts> {
  const dir = mkdtempSync(join(tmpdir(), 'steward-unversioned-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'gadgets.contract.json'), JSON.stringify({ ...gadgets, ...extra }));
  return loadContracts(dir);
}

after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

for (const kind of selectedKinds()) {
  describe(`contracts verify of documents without a version field on ${kind}`, () => {
    let ts: TestStore;
    before(async () => {
      ts = await openTestStore(kind);
      const spec = ts.spec('gadgets');
      await ts.store.ensureCollection(spec);
      const doc = (key: string, fields: JsonObject): JsonObject => ({ [spec.keyField]: key, ...fields });
      const docs = [
        doc('g1', { name: 'a' }),
        doc('g2', { name: 'b' }),
        doc('g3', { name: 'c' }),
        doc('g4', { label: 'no name: not a v1 document' }),
        doc('g5', { schemaVersion: 2, label: 'e' }),
      ];
      await ts.store.collection(spec).write(docs.map((d) => ({ type: 'insert', doc: d })));
    });
    after(async () => ts?.cleanup());

    test('without assumeVersion they are counted as missing a version, none validated', async () => {
      const loaded = await contractsWith({});
      const report = await verifyCollection(
        ts.store.collection(ts.spec('gadgets')),
        loaded.contracts[0]!,
        loaded.registry,
      );
      assert.equal(report.missingVersion, 4);
      assert.equal(report.assumedVersion, 0);
      assert.deepEqual(report.census, { 1: 0, 2: 1 });
      assert.equal(report.conforming, 1);
    });

    test('with assumeVersion: 1 they are checked as version 1: three conform, one fails its schema', async () => {
      const loaded = await contractsWith({ assumeVersion: 1 });
      const report = await verifyCollection(
        ts.store.collection(ts.spec('gadgets')),
        loaded.contracts[0]!,
        loaded.registry,
      );
      assert.equal(report.missingVersion, 0);
      assert.equal(report.assumedVersion, 4);
      assert.deepEqual(report.census, { 1: 4, 2: 1 });
      assert.deepEqual([report.conforming, report.nonConforming], [4, 1]);
      assert.deepEqual(
        report.failures.map((f) => [f.key, f.version]),
        [['g4', 1]],
      );
    });
  });
}

describe("the versioned reader and the contract's assumeVersion", () => {
  test('the reader takes the contract’s assumeVersion as its default', async () => {
    const loaded = await contractsWith({ assumeVersion: 1 });
    const reader = createVersionedReader({
      contract: loaded.contracts[0]!,
      upcasters: { 1: ({ name, ...doc }) => ({ ...doc, label: name }) },
    });
    assert.deepEqual(reader.read({ id: 'g1', name: 'a' }), { id: 'g1', label: 'a', schemaVersion: 2 });
    assert.equal(reader.versionOf({ id: 'g1' }), 1);
  });

  test('without it a document with no version is refused, as before', async () => {
    const loaded = await contractsWith({});
    const reader = createVersionedReader({
      contract: loaded.contracts[0]!,
      upcasters: { 1: ({ name, ...doc }) => ({ ...doc, label: name }) },
    });
    assert.throws(() => reader.read({ id: 'g1', name: 'a' }), /version/);
  });

  test('a reader option that differs from the contract’s declaration is a configuration error', async () => {
    const loaded = await contractsWith({ assumeVersion: 1 });
    assert.throws(
      () =>
        createVersionedReader({
          contract: loaded.contracts[0]!,
          assumeVersion: 2,
          upcasters: { 1: ({ name, ...doc }) => ({ ...doc, label: name }) },
        }),
      /assumeVersion 2 differs from the contract's 1/,
    );
  });

  test('an assumeVersion that is not a declared version is refused when the contracts load', async () => {
    await assert.rejects(
      contractsWith({ assumeVersion: 3 }),
      /gadgets\.contract\.json: assumeVersion: must be one of the declared versions \(1, 2\)/,
    );
  });
});
