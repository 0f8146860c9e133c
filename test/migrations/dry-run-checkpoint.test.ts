/**
 * The dry run times apply's checkpoint save by writing a checkpoint of its own into the sandbox
 * (it holds no lease to save through the ledger). Both documents are built by one function
 * (`checkpointDocument`), so they cannot drift: for the same state, the sandbox's checkpoint has
 * the fields and the byte length of what `Checkpoints.save` stores for apply's job, read back
 * from the store. Runs on every selected store.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { JsonObject, JsonValue } from '../../src/core/json.js';
import { readLedgerDoc, withoutKey } from '../../src/ledger/ledger-document.js';
import { applyJob, migrateLease } from '../../src/migrations/apply/apply-context.js';
import { sandboxCheckpoint } from '../../src/migrations/dry-run/migrate-sandbox.js';
import { openTestLedger, type TestLedger } from '../ledger/test-ledger.js';
import { selectedKinds } from '../support/test-stores.js';

/** Every field path of a document, nested ones as `a.b`, sorted: its shape without its values. */
function fieldPaths(value: JsonValue, prefix = ''): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return [`${prefix}:${kindOf(value)}`];
  return Object.entries(value)
    .flatMap(([k, v]) => fieldPaths(v, prefix ? `${prefix}.${k}` : k))
    .sort();
}

const kindOf = (value: JsonValue) =>
  Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;

/** A state of the size a pass saves: where it is, its counts and the before-checksum so far. */
const state: JsonObject = {
  pass: { collection: 'tasks', after: 't00417' },
  counts: { examined: 500, changed: 480, unchanged: 19, failed: 1 },
  before: { tasks: { count: 500, digest: 'f'.repeat(64) } },
};

for (const kind of selectedKinds()) {
  describe(`the dry run's checkpoint on ${kind}`, () => {
    let l: TestLedger;
    before(async () => {
      l = await openTestLedger(kind);
    });
    after(async () => l.cleanup());

    test('is the document Checkpoints.save stores for apply, in fields and byte length', async () => {
      const { ledger } = l;
      // Apply's checkpoints carry the audit head: a run has written audit records by its first save.
      await ledger.audit.append({ action: 'migrate.apply', subject: 'run' });
      const lease = await ledger.acquireLease({ name: migrateLease, holder: 'me', ttlMs: 60_000 });
      await ledger.checkpoints.save(applyJob, state, lease);
      const checkpoints = ledger.checkpoints.collection;
      const stored = await readLedgerDoc(checkpoints, applyJob);
      assert.ok(stored, 'the checkpoint was saved');
      const saved = withoutKey(checkpoints, stored);

      const sandbox = sandboxCheckpoint('id', 'tasks', state, new Date().toISOString());
      assert.equal(sandbox.id, 'dry-run|checkpoint|tasks');
      const { id: _key, ...timed } = sandbox;
      assert.deepEqual(timed.state, state);
      assert.deepEqual(fieldPaths(timed), fieldPaths(saved));
      assert.equal(Buffer.byteLength(JSON.stringify(timed)), Buffer.byteLength(JSON.stringify(saved)));
    });
  });
}
