/**
 * `verifyCollection` against real stores: on the generated example, the non-conforming documents
 * are exactly the manifest's bad-shape faults; versions are counted, missing and undeclared
 * versions apart; a sample is the same documents every run. The tally is also tested on its own.
 */
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type LoadedContracts, loadContracts } from '../../src/contracts/load-contracts.js';
import { createTally, reportFromTally, tallyDocument } from '../../src/contracts/verify/tally-document.js';
import { verifyCollection } from '../../src/contracts/verify/verify-collection.js';
import type { VerifyReport } from '../../src/contracts/verify/verify-report.js';
import { keyFraction } from '../../src/core/hash.js';
import type { JsonObject } from '../../src/core/json.js';
import {
  type ExampleCollectionName,
  exampleCollectionNames,
} from '../../src/example/case-management-model.js';
import { writeExampleContracts } from '../../src/example/example-contracts.js';
import { type ExampleManifest, exampleSpec, generateExample } from '../../src/example/generate-example.js';
import { type DocKey, keyId } from '../../src/stores/store.js';
import { openTestStore, selectedKinds, type TestStore } from '../support/test-stores.js';

const faults = { orphans: 6, drift: 5, badShape: 14 };

/** Manifest bad-shape faults as key -> sorted fields, for one collection. */
function badShapes(manifest: ExampleManifest, collection: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const f of manifest.faults) {
    if (f.kind !== 'bad-shape' || f.collection !== collection) continue;
    out.set(f.key, [...(out.get(f.key) ?? []), f.field].sort());
  }
  return out;
}

/** The report's failing documents as key -> sorted failing paths. */
function failing(report: VerifyReport): Map<string, string[]> {
  return new Map(report.failures.map((f) => [String(f.key), f.failures.map((x) => x.path).sort()]));
}

const contractOf = (loaded: LoadedContracts, name: string) =>
  loaded.contracts.find((c) => c.collection === name)!;

const widgetContract = {
  collection: 'widgets',
  owner: 'widget-service',
  versions: [
    {
      version: 1,
      schema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
    },
    {
      version: 2,
      schema: {
        type: 'object',
        properties: { name: { type: 'string' }, size: { enum: ['s', 'm', 'l'] } },
        required: ['name', 'size'],
      },
    },
  ],
};

for (const kind of selectedKinds()) {
  describe(`verifyCollection on ${kind}`, () => {
    let ts: TestStore;
    let manifest: ExampleManifest;
    let example: LoadedContracts;
    let widgets: LoadedContracts;
    const dirs: string[] = [];
    const reports = new Map<ExampleCollectionName, VerifyReport>();
    const handle = (name: ExampleCollectionName) => ts.store.collection(exampleSpec(name));
    const verify = (name: ExampleCollectionName, options = {}) =>
      verifyCollection(handle(name), contractOf(example, name), example.registry, {
        maxFailures: 1000,
        ...options,
      });

    before(async () => {
      ts = await openTestStore(kind);
      manifest = await generateExample(ts.store, { docs: 800, seed: 'verify', faults });
      const exampleDir = mkdtempSync(join(tmpdir(), 'steward-verify-'));
      const widgetDir = mkdtempSync(join(tmpdir(), 'steward-verify-'));
      dirs.push(exampleDir, widgetDir);
      writeExampleContracts(exampleDir);
      writeFileSync(join(widgetDir, 'widgets.contract.json'), JSON.stringify(widgetContract));
      [example, widgets] = [await loadContracts(exampleDir), await loadContracts(widgetDir)];
      for (const name of exampleCollectionNames) reports.set(name, await verify(name));
    });
    after(async () => {
      for (const name of exampleCollectionNames) await ts.store.dropCollection(exampleSpec(name));
      await ts.cleanup();
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    });

    test('the non-conforming documents are exactly the bad shapes of the manifest, with their paths', () => {
      let total = 0;
      for (const name of exampleCollectionNames) {
        const report = reports.get(name)!;
        const expected = badShapes(manifest, name);
        assert.deepEqual(failing(report), expected, name);
        assert.equal(report.nonConforming, expected.size, name);
        total += expected.size;
      }
      assert.ok(total >= 10, 'the faults are spread over the collections');
    });

    test('the census counts every document under the version it carries', () => {
      for (const name of exampleCollectionNames) {
        const report = reports.get(name)!;
        const count = manifest.counts[name];
        assert.deepEqual(report.census, { 1: count }, name);
        assert.equal(report.scanned, count, name);
        assert.equal(report.checked, count, name);
        assert.equal(report.conforming + report.nonConforming, count, name);
        assert.equal(report.missingVersion, 0);
        assert.equal(report.unknownVersion.count, 0);
        assert.equal(report.versions[0]?.documents, count);
      }
    });

    test('missing and undeclared versions are counted apart, and never validated', async () => {
      const spec = ts.spec('widgets');
      await ts.store.ensureCollection(spec);
      const doc = (key: string, fields: JsonObject): JsonObject => ({ [spec.keyField]: key, ...fields });
      const docs = [
        doc('w1', { schemaVersion: 1, name: 'a' }),
        doc('w2', { schemaVersion: 1, name: 'b', extra: true }),
        doc('w3', { schemaVersion: 2, name: 'c', size: 'm' }),
        doc('w4', { schemaVersion: 2, name: 'd', size: 'xl' }),
        doc('w5', { name: 'no version' }),
        doc('w6', { schemaVersion: null, name: 'null version' }),
        doc('w7', { schemaVersion: 3, name: 'future' }),
        doc('w8', { schemaVersion: '1', name: 'string version' }),
      ];
      await ts.store.collection(spec).write(docs.map((d) => ({ type: 'insert', doc: d })));
      const contract = widgets.contracts[0]!;
      const report = await verifyCollection(ts.store.collection(spec), contract, widgets.registry);
      assert.deepEqual(report.census, { 1: 2, 2: 2 });
      assert.equal(report.missingVersion, 2);
      assert.deepEqual(report.unknownVersion, { count: 2, values: { 3: 1, '"1"': 1 }, otherValues: 0 });
      assert.equal(report.checked, 8);
      assert.equal(report.conforming, 3);
      assert.equal(report.percentConforming, 37.5);
      assert.deepEqual(
        report.failures.map((f) => ({
          key: f.key,
          version: f.version,
          paths: f.failures.map((x) => x.path),
        })),
        [{ key: 'w4', version: 2, paths: ['size'] }],
      );
      assert.deepEqual(
        report.versions.map((v) => [v.version, v.documents, v.percentConforming]),
        [
          [1, 2, 100],
          [2, 2, 50],
        ],
      );
    });

    test('a sample is the same documents every run, about the fraction asked for', async () => {
      const fraction = 0.3;
      let checked = 0;
      let all = 0;
      for (const name of exampleCollectionNames) {
        const [one, two] = [
          await verify(name, { sample: fraction }),
          await verify(name, { sample: fraction }),
        ];
        assert.deepEqual({ ...two, durationMs: 0 }, { ...one, durationMs: 0 }, name);
        const inSample = [...badShapes(manifest, name)].filter(
          ([key]) => keyFraction(keyId(key as DocKey)) < fraction,
        );
        assert.deepEqual(failing(one), new Map(inSample), name);
        assert.equal(one.scanned, manifest.counts[name]);
        checked += one.checked;
        all += manifest.counts[name];
      }
      // 800 documents at 0.3: the standard deviation is 13, so 60 is well over four of them.
      assert.ok(Math.abs(checked - all * fraction) < 60, `checked ${checked} of ${all}`);
    });

    test('failures are listed up to the cap and counted beyond it', async () => {
      const name = exampleCollectionNames.find((n) => badShapes(manifest, n).size >= 2)!;
      const report = await verify(name, { maxFailures: 1 });
      assert.equal(report.failures.length, 1);
      assert.equal(report.nonConforming, badShapes(manifest, name).size);
    });

    test('segments together verify every document once', async () => {
      const segments = [0, 1, 2].map((index) => verify('tasks', { segment: { index, total: 3 } }));
      const parts = await Promise.all(segments);
      assert.equal(
        parts.reduce((n, r) => n + r.checked, 0),
        manifest.counts.tasks,
      );
      assert.equal(
        parts.reduce((n, r) => n + r.nonConforming, 0),
        badShapes(manifest, 'tasks').size,
      );
    });
  });
}

describe('the verify tally, without a store', () => {
  const checks = new Map([[1, (doc: JsonObject) => (doc.ok ? [] : [{ path: 'ok', message: 'is false' }])]]);

  test('one bad document in a large collection never reads as 100 percent', () => {
    const tally = createTally({ collection: 'c', versionField: 'v', checks });
    for (let i = 0; i < 100_000; i++) tallyDocument(tally, { v: 1, ok: i !== 7 }, `k${i}`);
    const report = reportFromTally(tally, { scanned: 100_000, durationMs: 1 });
    assert.equal(report.percentConforming, 99.99);
    assert.deepEqual(report.failures, [
      { key: 'k7', version: 1, failures: [{ path: 'ok', message: 'is false' }], omitted: 0 },
    ]);
  });

  test('nothing checked is 100 percent, with every declared version in the census', () => {
    const report = reportFromTally(createTally({ collection: 'c', versionField: 'v', checks }), {
      scanned: 0,
      durationMs: 0,
    });
    assert.equal(report.percentConforming, 100);
    assert.deepEqual(report.census, { 1: 0 });
  });

  test('a dotted version field is read from the nested object', () => {
    const tally = createTally({ collection: 'c', versionField: 'meta.v', checks });
    tallyDocument(tally, { meta: { v: 1 }, ok: true }, 'a');
    tallyDocument(tally, { meta: 1, ok: true }, 'b');
    assert.equal(tally.conforming, 1);
    assert.equal(tally.missingVersion, 1);
  });

  test('the census of undeclared values is capped, the rest counted together', () => {
    const tally = createTally({ collection: 'c', versionField: 'v', checks });
    for (let i = 0; i < 50; i++) tallyDocument(tally, { v: 100 + i }, undefined);
    tallyDocument(tally, { v: 100 }, undefined);
    const { unknownVersion } = reportFromTally(tally, { scanned: 51, durationMs: 0 });
    assert.equal(unknownVersion.count, 51);
    assert.equal(Object.keys(unknownVersion.values).length, 20);
    assert.equal(unknownVersion.values['100'], 2);
    assert.equal(unknownVersion.otherValues, 30);
  });

  test('failures beyond the per-document cap are counted, not listed', () => {
    const many = new Map([
      [1, () => Array.from({ length: 25 }, (_, i) => ({ path: `f${i}`, message: 'is wrong' }))],
    ]);
    const tally = createTally({ collection: 'c', versionField: 'v', checks: many, maxFailures: 0 });
    tallyDocument(tally, { v: 1 }, 'a');
    assert.deepEqual(tally.failures, []);
    const listed = createTally({ collection: 'c', versionField: 'v', checks: many });
    tallyDocument(listed, { v: 1 }, 'a');
    assert.equal(listed.failures[0]?.failures.length, 20);
    assert.equal(listed.failures[0]?.omitted, 5);
  });
});
