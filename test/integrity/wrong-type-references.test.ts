/**
 * A reference whose value is of a type the target's keys never have (the number 1159 where
 * account keys are strings like "c001159") is a type mismatch, not an orphan, whether or not an
 * alternate form of it (the string "1159") exists; and no repair policy rewrites it, even when an
 * older scan filed it as an orphan. On every selected store.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { ResolvedReference } from '../../src/integrity/reference.js';
import { repairReferences } from '../../src/integrity/repair/repair-references.js';
import { scanReference } from '../../src/integrity/scan/scan-reference.js';
import { type Incident, listIncidents } from '../../src/ledger/incidents.js';
import { selectedKinds } from '../support/test-stores.js';
import { type Fixture, openFixture, repairContext, scanInto } from './integrity-fixture.js';

const ref = (onMissing: ResolvedReference['onMissing']): ResolvedReference => ({
  name: 'profiles.accountId',
  collection: 'profiles',
  field: 'accountId',
  target: 'accounts',
  owner: 'profile-service',
  onMissing,
  required: false,
});

async function incidents(f: Fixture): Promise<Map<string, Incident>> {
  const out = new Map<string, Incident>();
  for await (const i of listIncidents(f.incidents(), { subject: 'profiles.accountId', status: 'open' }))
    out.set(String(i.key), i);
  return out;
}

async function seed(f: Fixture): Promise<void> {
  await f.seed('accounts', [
    { key: 'c001159', name: 'Ann' },
    { key: '1159', name: 'a string key that happens to be digits' },
    { key: 'c000002', name: 'Bob' },
  ]);
  await f.seed('profiles', [
    { key: 'p1', accountId: 'c001159' },
    { key: 'p2', accountId: 1159 }, // a number; "1159" exists as a string key
    { key: 'p3', accountId: 2002 }, // a number; no form of it exists
    { key: 'p4', accountId: 'c999999' }, // a string key that does not exist: an orphan
  ]);
}

for (const kind of selectedKinds()) {
  describe(`wrong-type references on ${kind}`, () => {
    const made: Fixture[] = [];
    const fresh = async () => {
      const f = await openFixture(kind);
      made.push(f);
      await seed(f);
      return f;
    };
    after(async () => {
      for (const f of made) await f.cleanup();
    });

    test('a number where the target keys are strings is a type mismatch, whatever form resolves', async () => {
      const f = await fresh();
      const report = await scanReference({
        reference: ref('flag'),
        source: f.collection('profiles'),
        target: f.collection('accounts'),
        ledger: f.tl.ledger,
        holder: 'test',
      });
      assert.equal(report.ok, 1);
      assert.equal(report.orphans, 1);
      assert.equal(report.typeMismatches, 2);
      const open = await incidents(f);
      assert.deepEqual([...open.entries()].map(([k, i]) => `${k}:${i.kind}`).sort(), [
        'p2:type-mismatch',
        'p3:type-mismatch',
        'p4:orphan',
      ]);
      assert.deepEqual(open.get('p3')?.detail.mismatched, [
        { value: 2002, reason: 'key-type', expected: ['string'] },
      ]);
      assert.deepEqual(open.get('p2')?.detail.mismatched, [
        { value: 1159, reason: 'key-type', matches: '1159', expected: ['string'] },
      ]);
    });

    test('repair (nullify; delete-dependent writes through the same batch) never rewrites it, even filed as an orphan by an older scan', async () => {
      const f = await fresh();
      await scanInto(f, ref('nullify')); // files every missing key as an orphan, as before the fix
      const open = await incidents(f);
      assert.equal(open.get('p3')?.kind, 'orphan');
      const report = await repairReferences(repairContext(f), [ref('nullify')], { batchSize: 10 });
      const items = Object.fromEntries(report.references[0]!.items.map((i) => [String(i.key), i]));
      assert.equal(items.p4?.status, 'done');
      for (const key of ['p2', 'p3']) {
        assert.notEqual(items[key]?.status, 'done', key);
        assert.match(items[key]?.note ?? '', /type mismatch: .* cannot be a key of "accounts"/, key);
      }
      assert.equal((await f.get('profiles', 'p2'))?.accountId, 1159);
      assert.equal((await f.get('profiles', 'p3'))?.accountId, 2002);
      assert.equal((await f.get('profiles', 'p4'))?.accountId, null);
    });
  });
}
