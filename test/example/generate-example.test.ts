/**
 * The example generator: deterministic content, the declared proportions, and a manifest that
 * names exactly the faults a scan of the stored documents finds (checked here by brute force,
 * independently of steward's own integrity and drift scans).
 */
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Ajv } from 'ajv';
import { matchesFilter, parseFilter } from '../../src/core/filter.js';
import { sha256 } from '../../src/core/hash.js';
import { canonicalJson, getPath, type JsonObject, type JsonValue } from '../../src/core/json.js';
import { isStewardError } from '../../src/errors/steward-error.js';
import {
  caseManagementModel,
  type ExampleCollectionName,
  exampleCollectionNames,
} from '../../src/example/case-management-model.js';
import { createExampleRows, exampleCounts, exampleKey } from '../../src/example/example-rows.js';
import { type ExampleManifest, exampleSpec, generateExample } from '../../src/example/generate-example.js';
import { type ExampleFault, planExampleFaults } from '../../src/example/plan-example-faults.js';
import type { CollectionSpec, Store } from '../../src/stores/store.js';
import { readAll } from '../support/read-all.js';
import { openTestStore, selectedKinds, type TestStore } from '../support/test-stores.js';

const docs = 800;
const faults = { orphans: 13, drift: 9, badShape: 11 };

type Loaded = Record<ExampleCollectionName, JsonObject[]>;

async function loadAll(store: Store): Promise<Loaded> {
  const out = {} as Loaded;
  for (const name of exampleCollectionNames) {
    const collection = store.collection(exampleSpec(name));
    const all = await readAll(collection, { limit: 173 });
    out[name] = all.sort((a, b) => (String(a.id) < String(b.id) ? -1 : 1));
  }
  return out;
}

function contentHashes(loaded: Loaded): Record<string, string> {
  return Object.fromEntries(
    exampleCollectionNames.map((name) => [name, sha256(loaded[name].map(canonicalJson).join('\n'))]),
  );
}

const faultId = (f: { collection: string; key: string; field: string }) =>
  `${f.collection}/${f.key}/${f.field}`;
const sorted = <T extends { collection: string; key: string; field: string }>(list: T[]) =>
  list.sort((a, b) => (faultId(a) < faultId(b) ? -1 : 1));
const ofKind = <K extends ExampleFault['kind']>(m: ExampleManifest, kind: K) =>
  m.faults.filter((f): f is Extract<ExampleFault, { kind: K }> => f.kind === kind);

/** Every reference whose target key is not in the target collection, found by scanning. */
function findOrphans(loaded: Loaded) {
  const found: { collection: string; key: string; field: string; actual: string }[] = [];
  for (const ref of caseManagementModel.references) {
    const targets = new Set(loaded[ref.target].map((d) => d.id));
    for (const doc of loaded[ref.collection]) {
      const value = getPath(doc, ref.field);
      const values = ref.many && Array.isArray(value) ? value : [value];
      for (const v of values) {
        if (!targets.has(v as JsonValue)) {
          found.push({
            collection: ref.collection,
            key: String(doc.id),
            field: ref.field,
            actual: String(v),
          });
        }
      }
    }
  }
  return sorted(found);
}

/** Every derived field that differs from a recomputation from its source (orphaned copies aside). */
function findDrift(loaded: Loaded) {
  const found: { collection: string; key: string; field: string; expected: JsonValue; actual: JsonValue }[] =
    [];
  for (const d of caseManagementModel.derived) {
    for (const doc of loaded[d.collection]) {
      let expected: JsonValue | undefined;
      if (d.kind === 'count') {
        const where = parseFilter(d.where);
        expected = loaded[d.source].filter(
          (s) => s[d.sourceField] === doc.id && matchesFilter(s, where),
        ).length;
      } else {
        const source = loaded[d.source].find((s) => s.id === getPath(doc, d.via));
        if (!source) continue;
        expected = source[d.sourceField];
      }
      const actual = getPath(doc, d.field);
      if (actual !== expected) {
        found.push({
          collection: d.collection,
          key: String(doc.id),
          field: d.field,
          expected: expected!,
          actual: actual!,
        });
      }
    }
  }
  return sorted(found);
}

/** Every field the declared JSON Schema rejects. */
function findBadShapes(loaded: Loaded) {
  const ajv = new Ajv({ allErrors: true, allowUnionTypes: true });
  const found: { collection: string; key: string; field: string }[] = [];
  for (const name of exampleCollectionNames) {
    const validate = ajv.compile(caseManagementModel.collections[name].schema);
    for (const doc of loaded[name]) {
      const errors = validate(doc) ? [] : (validate.errors ?? []);
      for (const error of errors) {
        const missing = (error.params as { missingProperty?: string }).missingProperty;
        const field = missing ?? error.instancePath.slice(1).replaceAll('/', '.');
        found.push({ collection: name, key: String(doc.id), field });
      }
    }
  }
  return sorted(found);
}

describe('generateExample on sqlite', () => {
  const stores: TestStore[] = [];
  let first: ExampleManifest;
  let again: ExampleManifest;
  let loaded: Loaded;
  let loadedAgain: Loaded;
  let loadedOther: Loaded;
  const progress: number[] = [];

  before(async () => {
    for (let i = 0; i < 3; i++) stores.push(await openTestStore('sqlite'));
    const [a, b, c] = stores as [TestStore, TestStore, TestStore];
    first = await generateExample(a.store, {
      docs,
      seed: 'alpha',
      faults,
      onProgress: (w) => progress.push(w),
    });
    again = await generateExample(b.store, { docs, seed: 'alpha', faults, batchSize: 37 });
    await generateExample(c.store, { docs, seed: 'beta', faults });
    [loaded, loadedAgain, loadedOther] = [
      await loadAll(a.store),
      await loadAll(b.store),
      await loadAll(c.store),
    ];
  });
  after(async () => {
    for (const s of stores) await s.cleanup();
  });

  test('the same seed gives the same documents and manifest, whatever the batch size', () => {
    assert.deepEqual(contentHashes(loadedAgain), contentHashes(loaded));
    assert.deepEqual(again, first);
  });

  test('a different seed gives different documents in every collection', () => {
    const [one, other] = [contentHashes(loaded), contentHashes(loadedOther)];
    for (const name of exampleCollectionNames) assert.notEqual(other[name], one[name], name);
  });

  test('documents are split across collections in the declared proportions', () => {
    for (const name of exampleCollectionNames) assert.equal(loaded[name].length, first.counts[name], name);
    assert.deepEqual(first.counts, exampleCounts(docs));
    assert.equal(first.counts.tasks, docs * 0.4);
    assert.equal(first.counts.case_list, first.counts.cases);
    assert.equal(first.total, docs);
    assert.equal(progress.at(-1), first.total);
    for (const name of exampleCollectionNames) {
      assert.ok(
        loaded[name].every((d) => d.schemaVersion === caseManagementModel.collections[name].schemaVersion),
      );
    }
  });

  test('the manifest lists exactly the requested number of faults of each kind', () => {
    assert.equal(ofKind(first, 'orphan').length, faults.orphans);
    // Planted in a snapshot, a difference from the source is the value as taken: not drift.
    assert.equal(ofKind(first, 'drift').length + ofKind(first, 'snapshot-difference').length, faults.drift);
    assert.ok(ofKind(first, 'snapshot-difference').every((f) => f.field === 'assignedOfficerName'));
    assert.ok(ofKind(first, 'drift').every((f) => f.field !== 'assignedOfficerName'));
    assert.equal(ofKind(first, 'bad-shape').length, faults.badShape);
    const referencesHit = new Set(ofKind(first, 'orphan').map((f) => `${f.collection}.${f.field}`));
    assert.equal(referencesHit.size, caseManagementModel.references.length, 'every reference gets an orphan');
  });

  test('orphans are exactly the references whose target is missing', () => {
    const expected = sorted(
      ofKind(first, 'orphan').map(({ collection, key, field, actual }) => ({
        collection,
        key,
        field,
        actual,
      })),
    );
    assert.deepEqual(findOrphans(loaded), expected);
  });

  test('drifted fields (and snapshot differences) are exactly those that differ from a recomputation from their source', () => {
    const expected = sorted(
      [...ofKind(first, 'drift'), ...ofKind(first, 'snapshot-difference')].map(
        ({ collection, key, field, expected, actual }) => ({
          collection,
          key,
          field,
          expected,
          actual,
        }),
      ),
    );
    assert.deepEqual(findDrift(loaded), expected);
    assert.ok(
      expected.some((f) => f.field === 'openTaskCount') && expected.some((f) => f.field === 'subjectName'),
    );
  });

  test('bad shapes are exactly the fields the declared schema rejects', () => {
    const expected = sorted(
      ofKind(first, 'bad-shape').map(({ collection, key, field }) => ({ collection, key, field })),
    );
    assert.deepEqual(findBadShapes(loaded), expected);
  });
});

describe('example rows and fault plans, without a store', () => {
  test('any document can be produced on its own, in any order, identically', () => {
    const rows = createExampleRows({ docs: 1000, seed: 7 });
    const forward = [0, 1, 2, 399].map((i) => canonicalJson(rows.row('tasks', i)));
    const backward = [399, 2, 1, 0].map((i) =>
      canonicalJson(createExampleRows({ docs: 1000, seed: 7 }).row('tasks', i)),
    );
    assert.deepEqual(forward, backward.reverse());
    assert.equal(rows.row('tasks', 5).id, exampleKey('tasks', 5));
    assert.equal(exampleKey('cases', 41), 'case-0000042');
  });

  test('every collection has at least one document, even for a tiny example', () => {
    const counts = exampleCounts(3);
    for (const name of exampleCollectionNames) assert.ok(counts[name] >= 1, name);
  });

  test('asking for more faults than the example has room for is refused', () => {
    const counts = exampleCounts(20);
    assert.throws(
      () => planExampleFaults(counts, exampleKey, { badShape: 10_000 }, 1),
      (e: unknown) => isStewardError(e, 'input.invalid'),
    );
  });

  test('fault selection depends on the seed', () => {
    const pick = (seed: string) => {
      const counts = exampleCounts(5000);
      const plan = planExampleFaults(counts, exampleKey, { orphans: 5 }, seed);
      const rows = createExampleRows({ docs: 5000, seed, transform: plan.apply });
      for (const name of exampleCollectionNames) for (let i = 0; i < counts[name]; i++) rows.row(name, i);
      return plan.faults().map(faultId);
    };
    assert.deepEqual(pick('a'), pick('a'));
    assert.notDeepEqual(pick('a'), pick('b'));
  });
});

for (const kind of selectedKinds()) {
  describe(`generateExample into a store that already holds documents, on ${kind}`, () => {
    let t: TestStore;
    const prefix = `g${randomBytes(3).toString('hex')}_`;
    const fresh = `${prefix}fresh_`;
    const real = { id: 'account-0000001', owner: 'a real customer', balance: 1200 };
    const accounts = exampleSpec('accounts', prefix);
    /** account-0000001 without MongoDB's own `_id` (the example is keyed by `id`). */
    const readReal = async (namePrefix: string) => {
      const found = await t.store.collection(exampleSpec('accounts', namePrefix)).getMany([real.id]);
      const { _id, ...doc } = found.values().next().value ?? {};
      return doc;
    };
    const missing = (spec: CollectionSpec) =>
      assert.rejects(t.store.collection(spec).scan({ limit: 1 }), (e: unknown) =>
        isStewardError(e, 'collection.not-found'),
      );

    before(async () => {
      t = await openTestStore(kind);
      await t.store.ensureCollection(accounts);
      const written = await t.store.collection(accounts).write([{ type: 'insert', doc: real }]);
      assert.deepEqual(written, [{ status: 'ok' }]);
    });
    after(async () => {
      for (const p of [prefix, fresh])
        for (const name of exampleCollectionNames) await t.store.dropCollection(exampleSpec(name, p));
      await t.cleanup();
    });

    test('is refused, naming the collection, and nothing is written or created', async () => {
      await assert.rejects(
        generateExample(t.store, { docs: 200, seed: 1, namePrefix: prefix }),
        (e: unknown) =>
          isStewardError(e, 'input.invalid') &&
          e.exitCode === 2 &&
          e.message.includes(accounts.name) &&
          /--prefix/.test(e.message) &&
          /--force/.test(e.message) &&
          JSON.stringify(e.details.collections) === JSON.stringify([accounts.name]),
      );
      assert.deepEqual(await readReal(prefix), real, 'the real document is untouched');
      assert.equal(await t.store.collection(accounts).count(), 1);
      for (const name of exampleCollectionNames.filter((n) => n !== 'accounts'))
        await missing(exampleSpec(name, prefix));
    });

    test('a fresh prefix builds it beside them; a second run there is refused, naming all nine', async () => {
      const manifest = await generateExample(t.store, { docs: 200, seed: 1, namePrefix: fresh });
      assert.equal(manifest.total, 200);
      assert.deepEqual(await readReal(prefix), real);
      await assert.rejects(
        generateExample(t.store, { docs: 200, seed: 1, namePrefix: fresh }),
        (e: unknown) =>
          isStewardError(e, 'input.invalid') &&
          JSON.stringify(e.details.collections) ===
            JSON.stringify(exampleCollectionNames.map((n) => exampleSpec(n, fresh).name)),
      );
    });

    test("force replaces the documents with the example's keys and leaves the others", async () => {
      await t.store.collection(accounts).write([{ type: 'insert', doc: { id: 'mine-1', owner: 'kept' } }]);
      const manifest = await generateExample(t.store, {
        docs: 200,
        seed: 1,
        namePrefix: prefix,
        force: true,
      });
      const replaced = await readReal(prefix);
      assert.notEqual(replaced?.owner, real.owner, "account-0000001 is now the example's");
      assert.equal(
        await t.store.collection(accounts).count(),
        manifest.counts.accounts + 1,
        'mine-1 is left',
      );
    });
  });
}
