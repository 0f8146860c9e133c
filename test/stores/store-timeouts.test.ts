/**
 * A store that stops answering in the middle of a run (frozen, as under SIGSTOP) fails the
 * request within the store's `requestTimeoutMs` with exit code 3 and a message naming the store,
 * instead of waiting as long as the freeze lasts. The real FerretDB and DynamoDB Local sit behind
 * a proxy in the test that forwards until it is frozen. SQLite's lock timeout is in
 * `sqlite-concurrency.test.ts`.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { isStewardError } from '../../src/errors/steward-error.js';
import { openStore } from '../../src/stores/open-store.js';
import type { Store } from '../../src/stores/store.js';
import type { StoreConfig } from '../../src/stores/store-config.js';
import { type FreezableProxy, startFreezableProxy } from '../support/silent-server.js';
import { selectedKinds, testStoreConfig } from '../support/test-stores.js';

/**
 * The test's timeouts, and how long a frozen store may take to be reported (with the SDK's
 * retries). Without a request timeout DynamoDB waits for ever, and MongoDB until its monitor's
 * next heartbeat (10 s) has failed too.
 */
const requestTimeoutMs = 800;
const connectTimeoutMs = 1000;
const boundMs = 8000;

for (const kind of selectedKinds().filter((k) => k !== 'sqlite')) {
  describe(`${kind}: a store frozen mid-run`, () => {
    let proxy: FreezableProxy;
    let direct: StoreConfig;
    let store: Store;
    const spec = {
      name: `t${randomBytes(4).toString('hex')}_frozen`,
      keyField: kind === 'mongodb' ? '_id' : 'id',
    };

    before(async () => {
      direct = testStoreConfig(kind);
      const server = new URL(
        direct.kind === 'mongodb' ? direct.uri : direct.kind === 'dynamodb' ? (direct.endpoint ?? '') : '',
      );
      proxy = await startFreezableProxy(server.hostname, Number(server.port));
      const viaProxy: StoreConfig =
        direct.kind === 'mongodb'
          ? {
              ...direct,
              name: 'docs',
              uri: `mongodb://127.0.0.1:${proxy.port}/`,
              requestTimeoutMs,
              connectTimeoutMs,
            }
          : {
              ...(direct as Extract<StoreConfig, { kind: 'dynamodb' }>),
              name: 'events',
              endpoint: `http://127.0.0.1:${proxy.port}`,
              requestTimeoutMs,
            };
      store = await openStore(viaProxy);
      await store.ensureCollection(spec);
      const docs = Array.from({ length: 20 }, (_, i) => ({ [spec.keyField]: `k${i}`, n: i }));
      await store.collection(spec).write(docs.map((doc) => ({ type: 'insert', doc })));
      assert.equal(await store.collection(spec).count(), 20, 'the store answers through the proxy');
    });
    after(async () => {
      await store.close();
      await proxy.close();
      const cleanup = await openStore(direct);
      await cleanup.dropCollection(spec);
      await cleanup.close();
    });

    test('a count fails with exit code 3, naming the store, within the timeout', async () => {
      proxy.freeze();
      const started = Date.now();
      const name = kind === 'mongodb' ? 'docs' : 'events';
      await assert.rejects(store.collection(spec).count(), (e) => {
        assert.ok(isStewardError(e), String(e));
        assert.equal(e.exitCode, 3, e.message);
        assert.match(e.message, new RegExp(`^store "${name}" \\(.*\\) did not answer`));
        assert.doesNotMatch(e.message, /\n/);
        return true;
      });
      const ms = Date.now() - started;
      assert.ok(ms < boundMs, `reported within ${boundMs} ms (took ${ms})`);
    });
  });
}
