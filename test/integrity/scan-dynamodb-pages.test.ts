/**
 * On DynamoDB a request costs steward about 1 ms of CPU whatever it carries (issue 17), so the
 * orphan scan reads its source in large pages unless given `batch` (`preferredScanLimit`), and
 * the target preload reads keys in pages of up to {@link preloadPageKeys}: a scan of 4,800 sources
 * into 1,200 targets is one Scan of the source and one of the target (its keys, whose first ones
 * also give the key types), where pages of 1000 made five and three. Same outcomes as a scan in
 * pages of 1000. Requests are counted by wrapping the SDK client's `send`; every request still goes
 * to DynamoDB Local.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { preloadPageKeys } from '../../src/integrity/scan/preload-targets.js';
import { scanReference } from '../../src/integrity/scan/scan-reference.js';
import type { Collection } from '../../src/stores/store.js';
import { openReferenceWorld, type ReferenceWorld } from '../support/reference-world.js';
import { selectedKinds } from '../support/test-stores.js';

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
    let world: ReferenceWorld;

    before(async () => {
      world = await openReferenceWorld('dynamodb', {
        name: 'dp',
        targets,
        sources,
        orphan: (i) => i % 1000 === 7,
      });
    });
    after(async () => world?.cleanup());

    async function scan(batch?: number) {
      const { reference, source, target } = world;
      const ledger = await world.newLedger();
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
      const { source, target } = world;
      assert.equal(scansOf(large.scans, source), 1, 'one Scan of the source');
      // The preload's first page also gives the target's key types (a page of its own before).
      assert.equal(scansOf(large.scans, target), 1, 'the preload, the key types with it');
      assert.ok(scansOf(small.scans, source) >= sources / 1000, 'pages of 1000 when asked');
      assert.equal(large.result.batches, 1);
      const outcome = (r: typeof large.result) => [r.scanned, r.ok, r.orphans, r.distinctMissingKeys.count];
      assert.deepEqual(outcome(large.result), [sources, sources - 5, 5, 5]);
      assert.deepEqual(outcome(small.result), outcome(large.result));
    });
  },
);
