/**
 * A document may hold a field named `__proto__` (JSON.parse makes it an own property, as every
 * store's reader does). Copying such a document with `out[key] = value` would set the copy's
 * prototype instead, so the field would vanish and its contents would show up as inherited
 * properties. These tests hold the field through every place steward copies documents: each
 * store's reads and writes, migrate apply, its checksum, rollback, and drift repair.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { canonicalJson, getPath, type JsonObject, setPath, unsetPath } from '../../src/core/json.js';
import { checkDrift } from '../../src/derived/check-drift.js';
import type { ResolvedDerived } from '../../src/derived/derived.js';
import { repairDrift } from '../../src/derived/repair-drift.js';
import { type Ledger, openLedger } from '../../src/ledger/ledger.js';
import { applyMigrations } from '../../src/migrations/apply/apply-migrations.js';
import { planHashOf } from '../../src/migrations/apply/apply-plan.js';
import { checksumOf, sameChecksum } from '../../src/migrations/collection-checksum.js';
import { cloneJson } from '../../src/migrations/json-values.js';
import { rollbackMigrations } from '../../src/migrations/rollback/rollback-migrations.js';
import { migrateUp } from '../../src/migrations/transform-document.js';
import { marshallDoc, unmarshallItem } from '../../src/stores/dynamodb/json-values.js';
import { keyId } from '../../src/stores/store.js';
import {
  seedVersionedWorld,
  type VersionedWorld,
  versionedDerived,
  worldPrefix,
} from '../derived/fixtures/versioned-world.js';
import { type MigrationWorld, migrationWorld, splitName } from '../migrations/fixtures/migration-world.js';
import { openTestStore, selectedKinds, type TestStore } from '../support/test-stores.js';

/** A document whose own fields include `__proto__`, at the top and nested, as a store gives it. */
function withProto(keyField: string, key: string, extra: JsonObject = {}): JsonObject {
  const doc = JSON.parse(
    `{"${keyField}":"${key}","__proto__":{"polluted":true,"n":1},"nested":{"__proto__":["a"],"x":1}}`,
  ) as JsonObject;
  for (const [field, value] of Object.entries(extra)) doc[field] = value;
  return doc;
}

/** The field is an own property holding what was written, and nothing leaked into the prototype. */
function assertProtoKept(doc: JsonObject | undefined, label: string): void {
  assert.ok(doc, `${label}: the document is there`);
  assert.ok(Object.hasOwn(doc, '__proto__'), `${label}: __proto__ is an own field`);
  assert.deepEqual(JSON.parse(JSON.stringify(doc.__proto__)), { polluted: true, n: 1 }, label);
  assert.equal(Object.getPrototypeOf(doc), Object.prototype, `${label}: the prototype is untouched`);
  assert.equal((doc as { polluted?: unknown }).polluted, undefined, `${label}: nothing inherited`);
  const nested = doc.nested as JsonObject;
  assert.ok(Object.hasOwn(nested, '__proto__'), `${label}: nested __proto__ is an own field`);
  assert.deepEqual(nested.__proto__, ['a'], label);
}

describe('an own __proto__ field, without a store', () => {
  test('cloneJson copies it as a field, not as the prototype', () => {
    const doc = withProto('id', 'a');
    const copy = cloneJson(doc);
    assertProtoKept(copy, 'cloneJson');
    assert.equal(canonicalJson(copy), canonicalJson(doc));
  });

  test('a migration sees it as a field, and its result keeps it', () => {
    const out = migrateUp(
      { ...splitName, up: (doc) => ({ ...doc, seen: Object.hasOwn(doc, '__proto__') }) },
      withProto('id', 'a', { name: 'Ann Lee', schemaVersion: 1 }),
      'id',
      'schemaVersion',
    );
    assert.equal(out.status, 'changed');
    if (out.status !== 'changed') return;
    assert.equal(out.doc.seen, true);
    assertProtoKept(out.doc, 'up');
  });

  test('dotted paths read, set and unset own fields only', () => {
    const plain: JsonObject = { id: 'a' };
    assert.equal(getPath(plain, 'constructor'), undefined, 'an inherited property is not a field');
    assert.equal(getPath(plain, '__proto__'), undefined);
    assert.equal(getPath(plain, 'toString'), undefined);
    const doc = withProto('id', 'a');
    assert.equal(getPath(doc, '__proto__.n'), 1);
    const set = setPath(doc, '__proto__.n', 2);
    assert.ok(Object.hasOwn(set, '__proto__'));
    assert.deepEqual({ ...(set.__proto__ as JsonObject) }, { polluted: true, n: 2 });
    assert.equal(Object.getPrototypeOf(set), Object.prototype);
    const created = setPath(plain, '__proto__.x', 1);
    assert.ok(Object.hasOwn(created, '__proto__'), 'setPath creates the field');
    assert.equal(Object.getPrototypeOf(created), Object.prototype);
    assert.deepEqual(unsetPath(plain, '__proto__.x'), plain, 'unset of a missing path changes nothing');
    assert.ok(!Object.hasOwn(unsetPath(plain, '__proto__.x'), '__proto__'));
    const unset = unsetPath(doc, '__proto__');
    assert.ok(!Object.hasOwn(unset, '__proto__'));
    assert.ok(Object.hasOwn(doc, '__proto__'), 'the input is not changed');
  });

  test('DynamoDB items hold it as an attribute, both ways', () => {
    const item = marshallDoc(withProto('id', 'a'));
    assert.ok(Object.hasOwn(item, '__proto__'), 'an attribute of the item');
    assert.deepEqual(Object.keys(item).sort(), ['__proto__', 'id', 'nested']);
    assertProtoKept(unmarshallItem(item), 'unmarshall');
  });
});

for (const kind of selectedKinds()) {
  describe(`an own __proto__ field on ${kind}`, () => {
    let t: TestStore;
    before(async () => {
      t = await openTestStore(kind);
    });
    after(async () => t?.cleanup());

    test('survives insert, replace, patch, getMany, scan and a sandbox copy', async () => {
      const spec = t.spec('proto');
      await t.store.ensureCollection(spec);
      const c = t.store.collection(spec);
      const k = spec.keyField;
      const written = await c.write([
        { type: 'insert', doc: withProto(k, 'a') },
        { type: 'insert', doc: withProto(k, 'b') },
        { type: 'insert', doc: { [k]: 'c', v: 1 } },
      ]);
      assert.deepEqual(written, [{ status: 'ok' }, { status: 'ok' }, { status: 'ok' }]);
      assertProtoKept((await c.getMany(['a'])).get(keyId('a')), 'getMany');
      const scanned = (await c.scan({ limit: 10 })).docs;
      for (const doc of scanned.filter((d) => d[k] !== 'c')) assertProtoKept(doc, `scan ${String(doc[k])}`);
      assert.ok(!Object.hasOwn(scanned.find((d) => d[k] === 'c')!, '__proto__'));

      const replaced = await c.write([{ type: 'replace', doc: withProto(k, 'b', { v: 2 }) }]);
      assert.deepEqual(replaced, [{ status: 'ok' }]);
      const patched = await c.write([
        { type: 'patch', key: 'a', set: { v: 3, obj: JSON.parse('{"__proto__":{"polluted":true,"n":1}}') } },
      ]);
      assert.deepEqual(patched, [{ status: 'ok' }]);
      const after = await c.getMany(['a', 'b']);
      for (const doc of after.values()) assertProtoKept(doc, `after write ${String(doc[k])}`);
      const a = [...after.values()].find((d) => d[k] === 'a')!;
      assert.ok(Object.hasOwn(a.obj as JsonObject, '__proto__'), 'a patched value keeps its __proto__');
      const copySpec = t.spec('proto_copy');
      await t.store.copyCollection(spec, copySpec);
      const copied = (await t.store.collection(copySpec).scan({ limit: 10 })).docs;
      assert.equal(copied.length, 3);
      for (const doc of copied.filter((d) => d[k] !== 'c')) assertProtoKept(doc, `copy ${String(doc[k])}`);
      const dotted = await c.write([
        { type: 'patch', key: 'b', set: { '__proto__.n': 2 }, unset: ['nested.x'] },
      ]);
      assert.deepEqual(dotted, [{ status: 'ok' }]);
      const [b] = [...(await c.getMany(['b'])).values()];
      assert.deepEqual(
        { ...(b!.__proto__ as JsonObject) },
        { polluted: true, n: 2 },
        'a dotted patch into the field',
      );
      assert.deepEqual({ ...(b!.nested as JsonObject) }, JSON.parse('{"__proto__":["a"]}'));
    });
  });

  describe(`migrate apply and rollback of documents with an own __proto__ field on ${kind}`, () => {
    let w: MigrationWorld;
    before(async () => {
      w = await migrationWorld(kind);
    });
    after(async () => w?.cleanup());

    test('apply keeps the field and counts it in the checksum; rollback restores it exactly', async () => {
      const k = w.subjects.spec.keyField;
      const docs = Array.from({ length: 30 }, (_, i) =>
        withProto(k, `s${String(i).padStart(3, '0')}`, { name: `First${i} Last${i}`, schemaVersion: 1 }),
      );
      await w.subjects.handle.write(docs.map((doc) => ({ type: 'insert' as const, doc })));
      const before = await w.checksum();
      const content = await w.contentChecksum();
      assert.ok(sameChecksum(content, checksumOf(docs)), 'the stored documents hash as written');
      const withoutField = checksumOf(docs.map(({ __proto__: _dropped, ...rest }) => rest));
      assert.ok(!sameChecksum(content, withoutField), 'the field is part of the checksum');

      const hash = planHashOf([splitName], w.target, { canaryPercent: 20, batchSize: 50 });
      await w.approve(hash, 'alice');
      await w.approve(hash, 'bob');
      const report = await applyMigrations(w.applyInput([splitName]));
      assert.equal(report.status, 'applied', JSON.stringify(report.refusal));
      assert.equal(report.migrations[0]?.counts.changed, docs.length);
      assert.equal(report.migrations[0]?.counts.failed, 0);
      for (const doc of await w.docs()) {
        assertProtoKept(doc, `applied ${String(doc[k])}`);
        assert.equal(doc.schemaVersion, 2);
      }

      const rollback = await rollbackMigrations(w.rollbackInput([splitName]));
      assert.equal(rollback.status, 'rolled-back', JSON.stringify(rollback));
      for (const doc of await w.docs()) assertProtoKept(doc, `rolled back ${String(doc[k])}`);
      assert.ok(sameChecksum(await w.checksum(), before), 'rollback is exact, __proto__ included');
      assert.ok(sameChecksum(await w.contentChecksum(), content), 'and so is its content');
    });
  });

  describe(`drift repair of documents with an own __proto__ field on ${kind}`, () => {
    let t: TestStore;
    let ledger: Ledger;
    let w: VersionedWorld;
    let tickets: ResolvedDerived;
    before(async () => {
      t = await openTestStore(kind);
      const prefix = worldPrefix();
      ledger = await openLedger(t.store, { actor: 'test', namespacePrefix: `${t.spec('ledger').name}_` });
      w = await seedVersionedWorld(t.store, prefix);
      tickets = versionedDerived(prefix).get('tickets.personName')!;
    });
    after(async () => {
      await ledger?.drop().catch(() => undefined);
      await w?.drop();
      await t?.cleanup();
    });

    test('the repaired document keeps the field, and so does its before-image', async () => {
      const [ticket] = [...(await w.c.tickets.getMany(['t-000'])).values()];
      const drifted = withProto('id', 't-000', { ...ticket!, personName: 'Wrong' });
      assert.deepEqual(await w.c.tickets.write([{ type: 'replace', doc: drifted }]), [{ status: 'ok' }]);
      const handles = { derived: tickets, target: w.c.tickets, source: w.c.people, ledger };
      const check = await checkDrift(handles);
      assert.deepEqual(
        check.findings.map((f) => f.key),
        ['t-000'],
      );
      const report = await repairDrift(handles);
      assert.equal(report.written, 1, JSON.stringify(report));
      const [repaired] = [...(await w.c.tickets.getMany(['t-000'])).values()];
      assertProtoKept(repaired, 'repaired');
      assert.equal(repaired?.personName, ticket?.personName);
      const backups = ledger.store.collection(ledger.namespace.backups);
      const images = (await backups.scan({ limit: 10 })).docs;
      assert.equal(images.length, 1);
      assertProtoKept(images[0]!.doc as JsonObject, 'before-image');
    });
  });
}
