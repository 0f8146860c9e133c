/**
 * `steward doctor` on each selected store, as a user runs it (the built CLI): every declared
 * collection is looked up in its store (the SQLite table, the MongoDB collection, the DynamoDB
 * table, or the table of a single-table entity) and each missing one is named, exit 1; once they
 * all exist, exit 0. On DynamoDB Local the version is said to be not reported, with why, never
 * "unknown".
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DoctorReport } from '../../src/workspace/doctor.js';
import { projectWithConfig, runSteward } from '../support/run-steward.js';
import { openTestStore, selectedKinds } from '../support/test-stores.js';

for (const kind of selectedKinds()) {
  describe(`steward doctor on ${kind}`, () => {
    test('names every declared collection that does not exist, exit 1; exit 0 once all exist', async () => {
      const t = await openTestStore(kind);
      const sharedTables: string[] = [];
      try {
        const present = t.spec('present');
        const gone = t.spec('gone');
        const entity = (name: string, table: string) => ({
          ...t.spec(name),
          dynamodb: { table, partitionKey: 'pk', keyPrefix: `${name}#` },
        });
        // DynamoDB also: an entity whose shared table exists, and one whose table does not.
        const single =
          kind === 'dynamodb'
            ? [entity('inshared', `${present.name}_app`), entity('lost', `${present.name}_no`)]
            : [];
        sharedTables.push(...single.map((s) => s.dynamodb.table));
        const declared = [present, gone, ...single];
        const collections = declared
          .map((s) => `${s.name}: ${JSON.stringify(s.dynamodb ? { dynamodb: s.dynamodb } : {})}`)
          .join(', ');
        const dir = projectWithConfig(
          `{ stores: { main: ${JSON.stringify(t.config)} }, collections: { ${collections} } }`,
        );
        await t.store.ensureCollection(present);
        if (single[0]) await t.store.ensureCollection(single[0]);

        const sick = await runSteward(['doctor'], { cwd: dir, timeoutMs: 120_000 });
        assert.equal(sick.code, 1, sick.stdout + sick.stderr);
        const missing = kind === 'dynamodb' ? 2 : 1;
        assert.match(
          sick.stdout,
          new RegExp(`collections: ${missing} of ${declared.length} declared do not exist`),
        );
        const what = kind === 'mongodb' ? 'collection' : 'table';
        assert.match(
          sick.stdout,
          new RegExp(`MISSING {2}${gone.name} \\(store "main"\\): no ${what} "${gone.name}"`),
        );
        if (kind === 'dynamodb') {
          assert.match(
            sick.stdout,
            new RegExp(`MISSING {2}\\S+_lost \\(store "main"\\): no table "${present.name}_no"`),
          );
          assert.doesNotMatch(sick.stdout, /inshared \(store/);
          assert.match(sick.stdout, /DynamoDB Local \(http:[^)]+\) \(version not reported: [^)]+\)/);
          assert.doesNotMatch(sick.stdout, /unknown/);
        }
        assert.doesNotMatch(sick.stdout, new RegExp(`MISSING {2}${present.name} `));
        const json = JSON.parse(
          (await runSteward(['doctor', '--json'], { cwd: dir })).stdout,
        ) as DoctorReport;
        assert.deepEqual(
          json.collections.filter((c) => !c.exists).map((c) => c.collection),
          declared.filter((s) => s !== present && s !== single[0]).map((s) => s.name),
        );

        await t.store.ensureCollection(gone);
        if (single[1]) await t.store.ensureCollection(single[1]);
        const well = await runSteward(['doctor'], { cwd: dir, timeoutMs: 120_000 });
        assert.equal(well.code, 0, well.stdout + well.stderr);
        assert.match(well.stdout, new RegExp(`collections: all ${declared.length} declared exist`));
      } finally {
        for (const table of sharedTables) await t.store.dropCollection({ name: table, keyField: 'pk' });
        await t.cleanup();
      }
    });
  });
}
