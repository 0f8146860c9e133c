/**
 * On SQLite, `migrate apply` then `migrate rollback` on documents as users store them (see
 * fixtures/stored-texts.ts: written straight into the table, never through steward) puts back each
 * stored text byte for byte, and rollback's verification says so (`exact`): the checksums apply
 * records and rollback's census compares are taken of what the store holds, so a rollback that
 * gave back the same content in other text would not give back the collection the user had. Also
 * after kills mid-apply and mid-rollback; beside another writer who rewrote migrated documents
 * between apply and rollback with the same content in other text (restored: their content is as
 * apply wrote it) or with other content (down() or kept aside, as any later change); and beside a
 * stored text that is not JSON (refused with its key, nothing lost).
 *
 * SQLite only: it is the store that keeps the text a document was written as.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { type LoadedContracts, loadContracts } from '../../src/contracts/load-contracts.js';
import type { JsonObject } from '../../src/core/json.js';
import { isStewardError } from '../../src/errors/steward-error.js';
import { applyMigrations } from '../../src/migrations/apply/apply-migrations.js';
import { planHashOf } from '../../src/migrations/apply/apply-plan.js';
import type { ApplyReport } from '../../src/migrations/apply/apply-report.js';
import { inCanary } from '../../src/migrations/apply/canary.js';
import { readChangelogRecord } from '../../src/migrations/changelog.js';
import { collectionChecksum, documentDigest } from '../../src/migrations/collection-checksum.js';
import type { Migration } from '../../src/migrations/migration.js';
import { rollbackMigrations } from '../../src/migrations/rollback/rollback-migrations.js';
import type { RollbackReport } from '../../src/migrations/rollback/rollback-report.js';
import { scanDocuments } from '../../src/stores/scan-pages.js';
import { type DocKey, keyFromId, keyId } from '../../src/stores/store.js';
import { runWithKills } from '../support/kill-loop.js';
import { selectedKinds } from '../support/test-stores.js';
import type { ChildArgs } from './fixtures/migrate-child.js';
import {
  type MigrationWorld,
  migrationWorld,
  splitName,
  subjectsContract,
  worldAddress,
} from './fixtures/migration-world.js';
import {
  nestedShape,
  numberShape,
  prettyShape,
  readTexts,
  type StoredText,
  shapeCount,
  shapeOf,
  userTexts,
  writeTexts,
} from './fixtures/stored-texts.js';

const options = { canaryPercent: 20, batchSize: 10 };
/** Every shape under every kind of key, and more than one page of each pass. */
const documents = 66;
const users = userTexts(documents);

/** splitName without down(): a later change is overwritten by the image and kept aside. */
const splitNameNoDown: Migration = {
  ...splitName,
  id: '003-split-no-down',
  checksum: 'c-003',
  down: undefined,
};

const sqlite = { skip: !selectedKinds().includes('sqlite') };

/** A migration world whose `subjects` hold the user texts, and contracts with `assumeVersion: 1`. */
interface TextWorld {
  readonly w: MigrationWorld;
  readonly file: string;
  readonly table: string;
  readonly contracts: LoadedContracts;
  /** The texts as stored before apply, by `k`. */
  readonly before: Map<string, string>;
  texts(): Map<string, string>;
  cleanup(): Promise<void>;
}

async function textWorld(rows: readonly StoredText[] = users): Promise<TextWorld> {
  const w = await migrationWorld('sqlite');
  const config = w.ts.config;
  assert.equal(config.kind, 'sqlite');
  const file = config.kind === 'sqlite' ? config.file : '';
  const table = w.subjects.spec.name;
  const dir = mkdtempSync(join(tmpdir(), 'steward-stored-text-'));
  // Documents without the version field are at version 1, as the users' contract says.
  writeFileSync(
    join(dir, 'subjects.contract.json'),
    JSON.stringify({ ...subjectsContract, assumeVersion: 1 }),
  );
  const contracts = await loadContracts(dir);
  writeTexts(file, table, rows);
  const texts = () => readTexts(file, table);
  return {
    w,
    file,
    table,
    contracts,
    before: texts(),
    texts,
    async cleanup() {
      await w.cleanup();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Approves the plan twice over and returns its hash. */
async function approve(t: TextWorld, migrations: readonly Migration[], plan = options): Promise<string> {
  const hash = planHashOf(migrations, t.w.target, plan);
  await t.w.approve(hash, 'alice');
  await t.w.approve(hash, 'bob');
  return hash;
}

async function applyAll(t: TextWorld, migrations: readonly Migration[]): Promise<ApplyReport> {
  await approve(t, migrations);
  const report = await applyMigrations(t.w.applyInput(migrations, { contracts: t.contracts, options }));
  assert.equal(
    report.status,
    'applied',
    JSON.stringify(report.refusal ?? report.migrations.map((m) => [m.gates, m.failures])),
  );
  return report;
}

function rollback(t: TextWorld, migrations: readonly Migration[]): Promise<RollbackReport> {
  return rollbackMigrations(t.w.rollbackInput(migrations, { contracts: t.contracts, batchSize: 10 }));
}

/** The canonical content digest of a stored text: equal for the same content in any text. */
const contentOf = (text: string) => documentDigest(JSON.parse(text) as JsonObject);

/**
 * Asserts every stored text is the one before apply: first the same content (the documents are
 * back), then the same bytes (the texts are). Each message names the users' shapes that differ.
 */
function assertTextsAsBefore(t: TextWorld, now = t.texts()): void {
  assert.deepEqual([...now.keys()], [...t.before.keys()], 'the same documents');
  const differing = (same: (a: string, b: string) => boolean) => {
    const ks = [...t.before.keys()].filter((k) => !same(now.get(k)!, t.before.get(k)!));
    const shapes = [...new Set(ks.map((k) => shapeOf(users.findIndex((r) => r.k === k))))];
    const message = `${ks.length} of ${t.before.size} stored texts differ from before apply (shapes ${shapes.sort((a, b) => a - b).join(', ')})`;
    return { first: ks.slice(0, 3).map((k) => ({ k, before: t.before.get(k), after: now.get(k) })), message };
  };
  const content = differing((a, b) => a === b || contentOf(a) === contentOf(b));
  assert.deepEqual(content.first, [], `content: ${content.message}`);
  const bytes = differing((a, b) => a === b);
  assert.deepEqual(bytes.first, [], `text: ${bytes.message}`);
}

/** `k` of the first user document of this shape at or after document `from`. */
function kOfShape(shape: number, from = 0): string {
  for (let i = from; i < users.length; i++) if (shapeOf(i) === shape) return users[i]!.k;
  throw new Error(`no document of shape ${shape} from ${from}`);
}

describe('stored text on SQLite: rollback puts back each text byte for byte', sqlite, () => {
  test('the table holds a document under the keyId of its key, as these tests write them', async () => {
    const t = await textWorld([]);
    try {
      const probes: JsonObject[] = [
        { id: 'probe', name: 'P Q' },
        { id: 7, name: 'P Q' },
        { id: { $oid: '65f0a0a0a0a0a0a0a0a0a0a0' }, name: 'P Q' },
      ];
      await t.w.subjects.handle.write(probes.map((doc) => ({ type: 'insert' as const, doc })));
      const expected = probes.map((doc) => [keyId(doc.id as DocKey), JSON.stringify(doc)] as const);
      assert.deepEqual(
        [...t.texts().entries()],
        expected.sort(([a], [b]) => (a < b ? -1 : 1)),
      );
      assert.ok(documents >= shapeCount * 4, 'every shape under every kind of key');
    } finally {
      await t.cleanup();
    }
  });

  test("apply then rollback: every text as before, exact, and the before checksum is the collection's", async () => {
    const t = await textWorld();
    try {
      const beforeApply = await collectionChecksum(t.w.subjects.handle);
      assert.equal(beforeApply.count, documents);
      const applied = await applyAll(t, [splitName]);
      assert.deepEqual(
        [applied.migrations[0]!.counts.changed, applied.migrations[0]!.counts.failed],
        [documents, 0],
        'every document migrated, the unversioned ones as version 1',
      );
      assert.ok(
        [...t.texts()].every(([k, text]) => text !== t.before.get(k)),
        'apply rewrote every text (else the rollback would prove nothing)',
      );
      const record = await readChangelogRecord(t.w.ledger, splitName.id);
      assert.equal(
        record?.checksumsBefore.subjects,
        beforeApply.hash,
        'apply recorded the checksum before it',
      );
      const report = await rollback(t, [splitName]);
      const m = report.migrations[0]!;
      assert.equal(report.status, 'rolled-back');
      assert.deepEqual(
        [m.counts.changed, m.counts.failed, m.converted, m.remainingAtTarget],
        [documents, 0, 0, 0],
      );
      assertTextsAsBefore(t);
      assert.equal(m.exact, true, 'rollback verified the collection as before apply');
      assert.equal((await collectionChecksum(t.w.subjects.handle)).hash, beforeApply.hash);
    } finally {
      await t.cleanup();
    }
  });

  test('killed mid-apply and mid-rollback: resumed, every text as before, exact', async () => {
    const t = await textWorld();
    try {
      const stage = { canaryPercent: 20, batchSize: 5, rate: 250, leaseTtlMs: 1000 };
      await approve(t, [splitName], stage);
      const script = new URL('./fixtures/migrate-child.ts', import.meta.url).pathname;
      const run = <R>(action: ChildArgs['action']) => {
        const args: ChildArgs = {
          action,
          address: worldAddress(t.w),
          contractsDir: t.contracts.dir,
          approvers: [...t.w.approvers.values()],
          ...stage,
        };
        // From the second progress line on: each kill lands after a batch was written.
        return runWithKills<R>({ script, args, kills: 2, lines: [2, 6], maxDelayMs: 40, label: action });
      };
      const applied = await run<ApplyReport>('apply');
      assert.equal(applied.killed, 2);
      assert.equal(applied.report.status, 'applied');
      assert.equal(applied.report.migrations[0]!.counts.changed, documents);
      const record = await readChangelogRecord(t.w.ledger, splitName.id);
      assert.equal(record?.checksumsBefore.subjects, (await checksumOfTexts(t)).hash);
      const rolled = await run<RollbackReport>('rollback');
      assert.equal(rolled.killed, 2);
      const m = rolled.report.migrations[0]!;
      assert.deepEqual([rolled.report.status, m.counts.failed, m.remainingAtTarget], ['rolled-back', 0, 0]);
      assertTextsAsBefore(t);
      assert.equal(m.exact, true);
      assert.equal(
        (await collectionChecksum(t.w.subjects.handle)).hash,
        record?.checksumsBefore.subjects,
        'the collection has the checksum apply recorded before it, through the kills',
      );
    } finally {
      await t.cleanup();
    }
  });

  test('killed mid-batch, after its image and writes, before its checkpoint: the rerun carries the image, rollback is exact', async () => {
    const t = await textWorld();
    const dir = mkdtempSync(join(tmpdir(), 'steward-mid-batch-'));
    try {
      const stage = { canaryPercent: 20, batchSize: 5, rate: 10_000, leaseTtlMs: 1000 };
      const planHash = await approve(t, [splitName], stage);
      // The third batch of the rest pass: its image keeps the originals' texts raw, and the rerun
      // of the batch finds its documents at the target with their originals in that image only.
      // The canary pass writes one batch for each `batchSize` canary documents (its 14 pages are
      // fewer than a canary batch's 20), and which documents those are changes with the plan
      // hash, so the write to die after is counted from them: a fixed count missed the rest pass
      // in some runs, or never came.
      const canaryDocuments = [...t.before.keys()].filter((k) =>
        inCanary(keyFromId(k), planHash, stage.canaryPercent),
      ).length;
      const canaryWrites = Math.ceil(canaryDocuments / stage.batchSize);
      const killAfterWrite = { write: canaryWrites + 3, marker: join(dir, 'killed') };
      const args: ChildArgs = {
        action: 'apply',
        address: worldAddress(t.w),
        contractsDir: t.contracts.dir,
        approvers: [...t.w.approvers.values()],
        ...stage,
        killAfterWrite,
      };
      const script = new URL('./fixtures/migrate-child.ts', import.meta.url).pathname;
      const applied = await runWithKills<ApplyReport>({
        script,
        args,
        kills: 0,
        maxDelayMs: 0,
        label: 'apply',
      });
      assert.equal(applied.killed, 1, 'the first child killed itself mid-batch');
      const m = applied.report.migrations[0]!;
      assert.deepEqual([applied.report.status, m.counts.changed, m.counts.failed], ['applied', documents, 0]);
      const record = await readChangelogRecord(t.w.ledger, splitName.id);
      assert.equal(record?.checksumsBefore.subjects, (await checksumOfTexts(t)).hash);
      const report = await rollback(t, [splitName]);
      assert.equal(report.status, 'rolled-back');
      assert.equal(report.migrations[0]!.exact, true);
      assertTextsAsBefore(t);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await t.cleanup();
    }
  });
});

/**
 * The checksum of the texts as they were before apply, taken of a fresh collection holding them
 * (the one under test is migrated by then): whatever kind the store's checksum is, it is of these.
 */
async function checksumOfTexts(t: TextWorld) {
  const copy = await textWorld([...t.before].map(([k, text]) => ({ k, text })));
  try {
    return await collectionChecksum(copy.w.subjects.handle);
  } finally {
    await copy.cleanup();
  }
}

describe('stored text on SQLite: documents another writer rewrote between apply and rollback', sqlite, () => {
  /**
   * Rewritten with the same content in other text: a pretty-printed document, and one holding
   * `-0`, `1.0` and `1E5` (JSON.stringify wrote them `0`, `1` and `100000` in apply, and `-0`
   * parses back as a number `sameJson` tells from `0`).
   */
  const sameContent = [kOfShape(prettyShape, 20), kOfShape(numberShape, 20)];
  /** Rewritten with other content: a document with nested arrays of subdocuments. */
  const otherContent = kOfShape(nestedShape, 20);

  /** Rewrites the migrated documents straight in the table, as another writer would. */
  function rewrite(t: TextWorld): JsonObject {
    const migrated = t.texts();
    const reordered = sameContent.map((k) => {
      const doc = JSON.parse(migrated.get(k)!) as JsonObject;
      return { k, text: JSON.stringify(Object.fromEntries(Object.entries(doc).reverse()), null, 1) };
    });
    const edited = JSON.parse(migrated.get(otherContent)!) as JsonObject;
    const changed = { ...edited, name: { first: 'Ada', last: 'Lovelace' } };
    writeTexts(t.file, t.table, [...reordered, { k: otherContent, text: JSON.stringify(changed) }]);
    const now = t.texts();
    for (const k of sameContent) {
      assert.notEqual(now.get(k), migrated.get(k), 'other text');
      assert.equal(contentOf(now.get(k)!), contentOf(migrated.get(k)!), 'same content');
    }
    return changed;
  }

  test('without down(): the same content in other text is restored byte for byte; other content is kept aside', async () => {
    const t = await textWorld();
    try {
      await applyAll(t, [splitNameNoDown]);
      const changed = rewrite(t);
      const report = await rollback(t, [splitNameNoDown]);
      const m = report.migrations[0]!;
      assert.deepEqual([m.counts.changed, m.counts.failed, m.converted], [documents, 0, 0]);
      const kept: JsonObject[] = [];
      for await (const doc of scanDocuments(t.w.ts.store.collection(t.w.ledger.namespace.backups)))
        if (doc.migration === `${splitNameNoDown.id}#rollback`) kept.push(doc);
      assert.deepEqual(
        kept.map((b) => [keyId(b.key as DocKey), b.doc]),
        [[otherContent, changed]],
        'only the document with other content was overwritten, and its content is kept aside',
      );
      assertTextsAsBefore(t);
      assert.equal(m.exact, true);
    } finally {
      await t.cleanup();
    }
  });

  test('with an exact down(): the same content in other text is restored byte for byte; other content goes through down()', async () => {
    const t = await textWorld();
    try {
      await applyAll(t, [splitName]);
      rewrite(t);
      const report = await rollback(t, [splitName]);
      const m = report.migrations[0]!;
      assert.deepEqual(
        [m.counts.changed, m.counts.failed, m.converted],
        [documents - 1, 0, 1],
        'one document converted by down(), the one with other content; the rest restored',
      );
      const now = t.texts();
      const converted = JSON.parse(now.get(otherContent)!) as JsonObject;
      assert.deepEqual(
        [converted.name, converted.schemaVersion],
        ['Ada Lovelace', 1],
        'the later change survives',
      );
      for (const k of sameContent) assert.equal(now.get(k), t.before.get(k), `${k} restored byte for byte`);
      now.set(otherContent, t.before.get(otherContent)!);
      assertTextsAsBefore(t, now);
      assert.equal(m.exact, false, 'the collection holds a change made after apply: not as before apply');
    } finally {
      await t.cleanup();
    }
  });
});

describe('stored text on SQLite: a stored text that is not JSON', sqlite, () => {
  /**
   * Batches of 2: the canary pass writes a canary batch once it holds 2 documents, so canary
   * batches come before the broken text however the canary falls.
   */
  const plan = { canaryPercent: 20, batchSize: 2 };
  /**
   * A key after about 30 of the user documents (most of the collection's pages come before it),
   * in the plan's canary or not as asked, with at least one canary batch (2 canary documents)
   * before it: the collection's name, so the plan hash and the canary, change from run to run, so
   * the key is picked once the hash is known.
   */
  const brokenKey = (planHash: string, wanted: boolean, stored: Iterable<string>): string => {
    const canary = (k: string) => inCanary(keyFromId(k), planHash, plan.canaryPercent);
    const canaryKs = [...stored].filter(canary);
    for (let n = 30; n < 60; n++)
      for (const suffix of 'abcdefghijklmnopqrstuvwxyz') {
        const key = `u000${n}${suffix}`;
        const k = keyId(key);
        const canaryBefore = canaryKs.filter((c) => c < k).length;
        if (canary(k) === wanted && canaryBefore >= plan.batchSize) return key;
      }
    throw new Error('no key fell as wanted');
  };

  for (const inTheCanary of [false, true]) {
    test(`apply and rollback refuse it by its key, ${inTheCanary ? 'in' : 'outside'} the canary; nothing is lost, and once it is mended rollback ends`, async () => {
      const t = await textWorld();
      try {
        const key = brokenKey(await approve(t, [splitName], plan), inTheCanary, t.before.keys());
        const brokenK = keyId(key);
        const broken = `{"id":"${key}","name":"Broken`;
        const repaired = `{\n  "id": "${key}",\n  "name": "Mended Doc",\n  "schemaVersion": 1\n}`;
        writeTexts(t.file, t.table, [{ k: brokenK, text: broken }]);
        // The texts before apply, in the collection's order, now with the broken one.
        const before = t.texts();
        t.before.clear();
        for (const [k, text] of before) t.before.set(k, text);
        const refusedBy = (error: unknown) =>
          isStewardError(error, 'store.corrupt') &&
          error.details.key === brokenK &&
          error.message.includes(JSON.stringify(key));
        await assert.rejects(
          applyMigrations(t.w.applyInput([splitName], { contracts: t.contracts, options: plan })),
          refusedBy,
        );
        const applied = t.texts();
        assert.equal(applied.get(brokenK), broken, 'the text that is not JSON is left as it was');
        const rewritten = [...applied].filter(([k, text]) => text !== t.before.get(k));
        // The canary pass hashes every text and parses only the canary's: it stops at the broken
        // text only when that is in the canary; else the rest pass parses it and stops there.
        assert.ok(rewritten.length > 0, 'apply migrated canary documents, and the rest before it');
        for (const [k, text] of rewritten) {
          const doc = JSON.parse(text) as JsonObject;
          assert.deepEqual([doc.schemaVersion, typeof doc.name], [2, 'object'], `${k} migrated, not lost`);
        }
        // Rollback puts back what apply wrote, then its census meets the same text and stops there.
        await assert.rejects(rollback(t, [splitName]), refusedBy);
        assertTextsAsBefore(t);
        // The user mends the document; the rollback resumes and ends.
        writeTexts(t.file, t.table, [{ k: brokenK, text: repaired }]);
        const report = await rollback(t, [splitName]);
        const m = report.migrations[0]!;
        assert.deepEqual(
          [report.status, m.counts.changed, m.counts.failed, m.remainingAtTarget],
          ['rolled-back', rewritten.length, 0, 0],
        );
        assert.equal(
          m.exact,
          inTheCanary ? null : false,
          inTheCanary
            ? 'apply stopped in the canary pass, before it had read the whole collection: no checksum before'
            : 'the checksum before apply holds the broken text, which the user has since mended',
        );
        const now = t.texts();
        assert.equal(now.get(brokenK), repaired, 'the mended text as the user wrote it');
        now.set(brokenK, broken);
        assertTextsAsBefore(t, now);
      } finally {
        await t.cleanup();
      }
    });
  }
});
