/**
 * `refs scan` reads only the field a reference starts at from its source (a projected scan, see
 * `ScanOptions.fields`), on every selected store, and still finds exactly the injected orphans of
 * every reference, nested and array fields included. The source handed to the scan is the store's
 * own collection, watched: each call goes through to the real store unchanged.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { scanReference } from '../../src/integrity/scan/scan-reference.js';
import type { Collection, Page, ScanOptions } from '../../src/stores/store.js';
import { selectedKinds } from '../support/test-stores.js';
import { buildExampleWorld, type ExampleWorld, exampleReferences, injectedOrphans } from './scan-fixture.js';

/** The collection, with every scan's options and page recorded. */
function watched(c: Collection, seen: { options: ScanOptions; page: Page }[]): Collection {
  return new Proxy(c, {
    get(target, property, receiver) {
      if (property !== 'scan') return Reflect.get(target, property, receiver);
      return async (options: ScanOptions = {}) => {
        const page = await target.scan(options);
        seen.push({ options, page });
        return page;
      };
    },
  });
}

for (const kind of selectedKinds()) {
  describe(`refs scan reads only the reference's field on ${kind}`, () => {
    let w: ExampleWorld;
    before(async () => {
      w = await buildExampleWorld(kind, { docs: 600, orphans: 16 });
    });
    after(async () => w?.cleanup());

    test('every source page is projected on the first step of the field; the orphans are exact', async () => {
      for (const reference of exampleReferences) {
        const seen: { options: ScanOptions; page: Page }[] = [];
        // The scan's own path: on SQLite the check is otherwise pushed down (scan-pushdown.test.ts).
        const input = w.input(reference, { restart: true, pushdown: false });
        const report = await scanReference({ ...input, source: watched(input.source, seen) });
        const top = reference.field.split('.')[0]!;
        const keyField = input.source.spec.keyField;
        assert.ok(seen.length > 0, reference.name);
        for (const { options, page } of seen) {
          if (options.keysOnly) continue; // the target preload's count of the source
          assert.deepEqual(options.fields, [top], reference.name);
          for (const doc of page.docs)
            assert.ok(
              Object.keys(doc).every((f) => f === keyField || f === top),
              `${reference.name}: ${JSON.stringify(doc)}`,
            );
        }
        assert.deepEqual([...report.orphanSample].map(String).sort(), injectedOrphans(w.manifest, reference));
      }
    });
  });
}
