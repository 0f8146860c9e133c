/**
 * Documents written before versions were (no version field at all), on every selected store: the
 * contract's `assumeVersion` is what migrations take them to be, in the dry run and in apply; a
 * contract that declares none gets them reported, never guessed at. `contracts verify` and the
 * versioned reader follow the same declaration (test/contracts/unversioned.test.ts).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type LoadedContracts, loadContracts } from '../../src/contracts/load-contracts.js';
import type { JsonObject } from '../../src/core/json.js';
import { applyMigrations } from '../../src/migrations/apply/apply-migrations.js';
import { planHashOf } from '../../src/migrations/apply/apply-plan.js';
import { type DryRunInput, runDryRun } from '../../src/migrations/dry-run/run-dry-run.js';
import { selectedKinds } from '../support/test-stores.js';
import {
  type MigrationWorld,
  migrationWorld,
  splitName,
  subjectsContract,
} from './fixtures/migration-world.js';

const documents = 40;
const unversioned = 10;

/** Seeds subjects at version 1 and strips the version field from the first `unversioned`. */
async function seedUnversioned(w: MigrationWorld): Promise<string[]> {
  const docs = await w.seed(documents);
  const keyField = w.subjects.spec.keyField;
  const stripped = docs.slice(0, unversioned).map(({ schemaVersion: _v, ...doc }) => doc);
  const results = await w.subjects.handle.write(stripped.map((doc) => ({ type: 'replace', doc })));
  assert.ok(results.every((r) => r.status === 'ok'));
  return stripped.map((d) => d[keyField] as string);
}

for (const kind of selectedKinds()) {
  describe(`migrations of documents without a version field on ${kind}`, () => {
    let w: MigrationWorld;
    let keys: string[];
    let assumed: LoadedContracts;
    let dir: string;
    before(async () => {
      w = await migrationWorld(kind);
      keys = await seedUnversioned(w);
      dir = mkdtempSync(join(tmpdir(), 'steward-unversioned-'));
      writeFileSync(
        join(dir, 'subjects.contract.json'),
        JSON.stringify({ ...subjectsContract, assumeVersion: 1 }),
      );
      assumed = await loadContracts(dir);
    });
    after(async () => {
      await w?.cleanup();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    const dryRun = (contracts: LoadedContracts): DryRunInput => ({
      planHash: 'b'.repeat(64),
      migrations: [splitName],
      targets: new Map([
        [
          'subjects',
          {
            name: 'subjects',
            storeName: 'main',
            store: w.ts.store,
            spec: w.subjects.spec,
            versionField: 'schemaVersion',
          },
        ],
      ]),
      otherCollection: () => {
        throw new Error('no other collection in this test');
      },
      contracts,
      sandboxPrefix: w.ledgerPrefix,
      batchSize: 7,
    });

    test('without assumeVersion the dry run reports each of them, naming the field and the setting', async () => {
      const report = await runDryRun(dryRun(w.contracts));
      assert.equal(report.ok, false);
      assert.deepEqual(report.totals, {
        changed: documents - unversioned,
        unchanged: 0,
        failed: unversioned,
      });
      const failures = report.migrations[0]!.collections[0]!.failures;
      assert.deepEqual(failures.map((f) => f.key).sort(), keys);
      for (const f of failures) assert.match(f.reason, /has no schemaVersion.*assumeVersion/);
    });

    test('with assumeVersion: 1 the dry run migrates them as version 1', async () => {
      const report = await runDryRun(dryRun(assumed));
      assert.equal(report.ok, true, JSON.stringify(report.migrations[0]?.validators));
      assert.deepEqual(report.totals, { changed: documents, unchanged: 0, failed: 0 });
    });

    test('with assumeVersion: 1 apply migrates them as version 1, and they conform to v2', async () => {
      const options = { canaryPercent: 20, batchSize: 50 };
      const hash = planHashOf([splitName], w.target, options);
      await w.approve(hash, 'alice');
      await w.approve(hash, 'bob');
      const report = await applyMigrations(w.applyInput([splitName], { contracts: assumed }));
      assert.equal(report.status, 'applied', JSON.stringify(report.migrations[0]?.gates));
      assert.deepEqual([report.migrations[0]!.counts.changed, report.migrations[0]!.counts.failed], [40, 0]);
      const keyField = w.subjects.spec.keyField;
      const after = new Map((await w.docs()).map((d) => [d[keyField] as string, d as JsonObject]));
      for (const key of keys) {
        const doc = after.get(key)!;
        assert.equal(doc.schemaVersion, 2, key);
        assert.equal(typeof (doc.name as JsonObject).first, 'string', key);
      }
    });
  });
}
