/**
 * On DynamoDB a request costs steward about 1 ms of CPU whatever it carries (issue 17), so the
 * orphan scan reads its source in large pages unless given `batch` (`preferredScanLimit`), and
 * the target preload reads keys in pages of up to {@link preloadPageKeys}: a scan of 4,800 sources
 * into 1,200 targets is one Scan of the source and two of the target (the key types, the keys),
 * where pages of 1000 made five and three. Same outcomes as a scan in pages of 1000. Requests are
 * counted by wrapping the SDK client's `send`; every request still goes to DynamoDB Local.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { JsonObject } from '../../src/core/json.js';
import type { ResolvedReference } from '../../src/integrity/reference.js';
import { preloadPageKeys } from '../../src/integrity/scan/preload-targets.js';
import { scanReference } from '../../src/integrity/scan/scan-reference.js';
import { type Ledger, openLedger } from '../../src/ledger/ledger.js';
import type { Collection } from '../../src/stores/store.js';
import { openTestStore, selectedKinds, type TestStore } from '../support/test-stores.js';

const targets = 1200;
const sources = 4800;

/** Scan requests by table name while `work` runs. */
async function countScans<T>(work: () => Promise<T>): Promise<{ result: T; scans: Map<string, number> }> {
  const proto = DynamoDBClient.prototype as unknown as { send: (...args: unknown[]) => Promise<unknown> };
  const original = proto.send;
  const scans = new Map<string, number>();
  proto.send = function (this: unknown, ...args: unknown[]) {
    const command = args[0] as { constructor: { name: string }; input: { TableName?: string } };
    const table = command.input.TableName ?? '?';
    if (command.constructor.name === 'ScanCommand') scans.set(table, (scans.get(table) ?? 0) + 1);
    return original.apply(this, args);
  };
  try {
    return { result: await work(), scans };
  } finally {
    proto.send = original;
  }
}

describe(
  'refs scan pages on DynamoDB',
  { skip: !selectedKinds().includes('dynamodb') && 'dynamodb not selected' },
  () => {
    let t: TestStore;
    let source: Collection;
    let target: Collection;
    let reference: ResolvedReference;
    const ledgers: Ledger[] = [];

    before(async () => {
      t = await openTestStore('dynamodb');
      source = t.store.collection(t.spec('dp_sources'));
      target = t.store.collection(t.spec('dp_targets'));
      for (const c of [source, target]) await t.store.ensureCollection(c.spec);
      const ids = Array.from({ length: targets }, (_, i) => `c${i}`);
      await target.write(ids.map((id) => ({ type: 'insert', doc: { id } })));
      const docs: JsonObject[] = Array.from({ length: sources }, (_, i) => ({
        id: `s${String(i).padStart(5, '0')}`,
        caseId: i % 1000 === 7 ? `gone${i}` : ids[i % targets]!,
      }));
      await source.write(docs.map((doc) => ({ type: 'insert', doc })));
      reference = {
        name: 'dp.caseId',
        collection: source.spec.name,
        field: 'caseId',
        target: target.spec.name,
        owner: 'test',
        onMissing: 'flag',
        required: false,
      };
    });
    after(async () => {
      for (const ledger of ledgers) await ledger.drop();
      await t?.cleanup();
    });

    async function scan(batch?: number) {
      const ledger = await openLedger(t.store, {
        actor: 'test',
        namespacePrefix: `dp${ledgers.length}_${t.spec('x').name}_`,
      });
      ledgers.push(ledger);
      return countScans(() =>
        scanReference({
          reference,
          source,
          target,
          ledger,
          holder: `test-${process.pid}`,
          ...(batch === undefined ? {} : { batch }),
        }),
      );
    }

    test('the source in one page and the target keys in one, with the outcomes of pages of 1000', async () => {
      assert.ok(preloadPageKeys >= targets);
      const large = await scan();
      const small = await scan(1000);
      const scansOf = (scans: Map<string, number>, c: Collection) =>
        [...scans].filter(([table]) => table.endsWith(c.spec.name)).reduce((n, [, calls]) => n + calls, 0);
      assert.equal(scansOf(large.scans, source), 1, 'one Scan of the source');
      assert.equal(scansOf(large.scans, target), 2, 'the key types and the preload');
      assert.ok(scansOf(small.scans, source) >= sources / 1000, 'pages of 1000 when asked');
      assert.equal(large.result.batches, 1);
      const outcome = (r: typeof large.result) => [r.scanned, r.ok, r.orphans, r.distinctMissingKeys.count];
      assert.deepEqual(outcome(large.result), [sources, sources - 5, 5, 5]);
      assert.deepEqual(outcome(small.result), outcome(large.result));
    });
  },
);
