/**
 * `refsScan` over several references checks every one before scanning any, on every selected
 * store: five references, one of them pointing at a collection that does not exist, end in
 * `collection.not-found` (exit 2) naming that reference and its missing collection, with nothing
 * scanned and no incident written, where it used to scan the references before it and write
 * their incidents.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { resolveConfig } from '../../src/config/resolve-config.js';
import type { ResolvedConfig } from '../../src/config/resolved-config.js';
import { ExitCode, isStewardError } from '../../src/errors/steward-error.js';
import { openLedger } from '../../src/ledger/ledger.js';
import { openStore } from '../../src/stores/open-store.js';
import type { Store } from '../../src/stores/store.js';
import { refsIncidents } from '../../src/workspace/integrity/refs-incidents.js';
import { refsScan } from '../../src/workspace/integrity/refs-scan.js';
import { selectedKinds, testStoreConfig } from '../support/test-stores.js';

const sources = ['orders', 'reviews', 'carts', 'returns', 'wishlists'];

for (const kind of selectedKinds()) {
  describe(`refs scan checks every reference before scanning any on ${kind}`, () => {
    let dir: string;
    let config: ResolvedConfig;
    let store: Store;
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'steward-preflight-'));
      const storeConfig = testStoreConfig(kind);
      const keyField = kind === 'mongodb' ? '_id' : 'id';
      const collections = Object.fromEntries(
        [...sources, 'customers', 'vendors'].map((n) => [n, { keyField }]),
      );
      // The fifth reference points at vendors, a declared collection the store does not hold.
      const references = Object.fromEntries(
        sources.map((s, i) => [`${s}.ownerId`, { target: i === 4 ? 'vendors' : 'customers' }]),
      );
      config = resolveConfig(
        { stores: { main: storeConfig }, collections, references },
        { baseDir: dir, file: join(dir, 'steward.config.ts') },
      );
      store = await openStore(storeConfig);
      for (const name of [...sources, 'customers']) {
        const spec = config.collections.get(name)!.spec;
        await store.ensureCollection(spec);
        // Every source holds one orphan, so a scan of any of them writes an incident.
        await store
          .collection(spec)
          .write([{ type: 'insert', doc: { [keyField]: `${name}-1`, ownerId: 'nobody' } }]);
      }
    });
    after(async () => {
      const ledger = await openLedger(store, { actor: 'test' });
      await ledger.drop().catch(() => undefined);
      for (const c of config.collections.values()) await store.dropCollection(c.spec).catch(() => undefined);
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    });

    test('five references, one to a missing collection: exit 2 naming it, nothing written', async () => {
      const error = await refsScan(config, {}).then(
        () => assert.fail('the scan should have been refused'),
        (e: unknown) => e,
      );
      assert.ok(isStewardError(error, 'collection.not-found'), String(error));
      assert.equal(error.exitCode, ExitCode.usage);
      assert.match(error.message, /1 of 5 reference\(s\) cannot be scanned; nothing was scanned or written/);
      assert.match(error.message, /wishlists\.ownerId: its target collection "vendors" .* does not exist/);
      assert.doesNotMatch(error.message, /orders\.ownerId/);
      assert.deepEqual(await refsIncidents(config, {}), []);
    });

    test('the references that are whole scan as before once the broken one is left out', async () => {
      const result = await refsScan(config, { references: sources.slice(0, 4).map((s) => `${s}.ownerId`) });
      assert.deepEqual(
        result.references.map((r) => ('orphans' in r ? r.orphans : -1)),
        [1, 1, 1, 1],
      );
      assert.equal((await refsIncidents(config, {})).length, 4);
    });
  });
}
