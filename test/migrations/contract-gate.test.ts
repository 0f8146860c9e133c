/**
 * The target contract as an implicit gate of `applyMigrations`, on every selected store: a
 * document whose migrated form breaks the contract (here `riskRating: "high"`, where v2 wants an
 * integer) stops the canary or the rest pass at its batch, with nothing of that batch written; the
 * report names the document's key and the schema path; rollback is still exact; `--resume` goes
 * on, leaving such documents as they were, counted as failed. A stop in a later canary batch still
 * records the whole before-checksum (the documents the canary pass had not read yet are read then),
 * so the rollback that follows can say it restored the collection exactly.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { JsonObject } from '../../src/core/json.js';
import { applyMigrations } from '../../src/migrations/apply/apply-migrations.js';
import { planHashOf } from '../../src/migrations/apply/apply-plan.js';
import { inCanary } from '../../src/migrations/apply/canary.js';
import { readChangelogRecord } from '../../src/migrations/changelog.js';
import { type CollectionChecksum, sameChecksum } from '../../src/migrations/collection-checksum.js';
import { rollbackMigrations } from '../../src/migrations/rollback/rollback-migrations.js';
import { scanPages } from '../../src/stores/scan-pages.js';
import { selectedKinds } from '../support/test-stores.js';
import { type MigrationWorld, migrationWorld, splitName } from './fixtures/migration-world.js';

const options = { canaryPercent: 20, batchSize: 50 };
/** Smaller batches, so that the canary pass writes batches before a stop late in the collection. */
const laterBatch = { canaryPercent: 20, batchSize: 20 };

/** Seeds `n` subjects and gives the first one in (or out of) the canary `riskRating: "high"`. */
async function seedWithBadRating(w: MigrationWorld, n: number, inTheCanary: boolean): Promise<string> {
  const docs = await w.seed(n);
  const hash = planHashOf([splitName], w.target, options);
  const keyField = w.subjects.spec.keyField;
  const bad = docs.find((d) => inCanary(d[keyField] as string, hash, 20) === inTheCanary)!;
  const [result] = await w.subjects.handle.write([{ type: 'replace', doc: { ...bad, riskRating: 'high' } }]);
  assert.equal(result?.status, 'ok');
  return bad[keyField] as string;
}

/** The pages apply reads (same batch size, same order): the one holding `key`, and those before it. */
async function pagesAround(
  w: MigrationWorld,
  key: string,
  plan = options,
): Promise<{ before: JsonObject[]; page: JsonObject[] }> {
  const keyField = w.subjects.spec.keyField;
  const before: JsonObject[] = [];
  for await (const { docs } of scanPages(w.subjects.handle, { limit: plan.batchSize })) {
    if (docs.some((d) => d[keyField] === key)) return { before, page: docs };
    before.push(...docs);
  }
  throw new Error(`${key} not found`);
}

async function approve(w: MigrationWorld, plan = options): Promise<void> {
  const hash = planHashOf([splitName], w.target, plan);
  await w.approve(hash, 'alice');
  await w.approve(hash, 'bob');
}

/** Approves, applies until the contract gate stops, then `--resume`s past it: the resumed report. */
async function stopThenResume(w: MigrationWorld, plan = options) {
  await approve(w, plan);
  const settings = { maxErrorRate: 0.05 };
  const stopped = await applyMigrations(w.applyInput([splitName], { settings, options: plan }));
  assert.equal(stopped.status, 'gate-failed');
  const report = await applyMigrations(w.applyInput([splitName], { settings, options: plan, resume: true }));
  assert.equal(report.status, 'applied', JSON.stringify(report.migrations[0]?.gates));
  return report;
}

for (const kind of selectedKinds()) {
  describe(`the contract gate stops the canary on ${kind}`, () => {
    let w: MigrationWorld;
    let bad: string;
    let original: CollectionChecksum;
    before(async () => {
      w = await migrationWorld(kind);
      bad = await seedWithBadRating(w, 200, true);
      original = await w.checksum();
    });
    after(async () => w?.cleanup());

    test('a canary document that would break v2 stops apply before its batch is written', async () => {
      await approve(w);
      const report = await applyMigrations(w.applyInput([splitName]));
      assert.equal(report.status, 'gate-failed');
      const gate = report.migrations[0]!.gates.find((g) => !g.ok)!;
      assert.deepEqual([gate.gate, gate.stage], ['contract', 'canary']);
      assert.match(gate.message, /1 document\(s\) of subjects would not conform to its contract/);
      assert.deepEqual(gate.problems, [
        `"${bad}": does not conform to subjects v2: riskRating: must be integer`,
      ]);
      const { page } = await pagesAround(w, bad);
      assert.deepEqual(
        page.map((d) => d.schemaVersion),
        page.map(() => 1),
        'nothing of the batch holding it was written',
      );
      const record = await readChangelogRecord(w.ledger, splitName.id);
      assert.deepEqual(
        [record?.status, record?.phase, record?.failedGates],
        ['applying', 'gate-failed', ['contract']],
      );
      const waiting = await applyMigrations(w.applyInput([splitName]));
      assert.equal(waiting.refusal?.reason, 'awaiting-decision');
      assert.match(waiting.refusal!.problems.join('\n'), /contract \(canary\): 1 document\(s\) of subjects/);
    });

    test('rollback after the stop is exact', async () => {
      const report = await rollbackMigrations(w.rollbackInput([splitName]));
      assert.equal(report.status, 'rolled-back');
      assert.ok(sameChecksum(await w.checksum(), original));
    });

    test('--resume goes on past it: the document stays as it was, counted failed, never written', async () => {
      const report = await stopThenResume(w);
      const m = report.migrations[0]!;
      assert.deepEqual([m.counts.changed, m.counts.failed], [199, 1]);
      assert.deepEqual(m.failures, [
        {
          collection: 'subjects',
          key: bad,
          reason: 'does not conform to subjects v2: riskRating: must be integer',
        },
      ]);
      const passed = m.gates.filter((g) => g.gate === 'contract' && g.ok).map((g) => g.stage);
      assert.deepEqual(passed, ['canary', 'final']);
      const keyField = w.subjects.spec.keyField;
      const left = (await w.docs()).find((d) => d[keyField] === bad)!;
      assert.deepEqual([left.schemaVersion, left.riskRating, typeof left.name], [1, 'high', 'string']);
    });
  });

  describe(`the contract gate stops the rest on ${kind}`, () => {
    let w: MigrationWorld;
    before(async () => {
      w = await migrationWorld(kind);
    });
    after(async () => w?.cleanup());

    test('a document after the canary stops the rest at its batch; rollback is exact', async () => {
      const bad = await seedWithBadRating(w, 200, false);
      const original = await w.checksum();
      await approve(w);
      const report = await applyMigrations(w.applyInput([splitName]));
      assert.equal(report.status, 'gate-failed');
      const m = report.migrations[0]!;
      assert.deepEqual(
        m.gates.map((g) => [g.gate, g.stage, g.ok]),
        [
          ['validators', 'canary', true],
          ['parity', 'canary', true],
          ['error-rate', 'canary', true],
          ['contract', 'canary', true],
          ['contract', 'rest', false],
        ],
      );
      assert.match(m.gates.at(-1)!.problems[0]!, new RegExp(`^"${bad}": .*riskRating: must be integer$`));
      const hash = planHashOf([splitName], w.target, options);
      const keyField = w.subjects.spec.keyField;
      const { before: earlier, page } = await pagesAround(w, bad);
      assert.ok(
        page.filter((d) => !inCanary(d[keyField] as string, hash, 20)).every((d) => d.schemaVersion === 1),
        'nothing of the batch holding it was written by the rest',
      );
      assert.ok(
        earlier.every((d) => d.schemaVersion === 2),
        'the batches before it were',
      );
      const rollback = await rollbackMigrations(w.rollbackInput([splitName]));
      assert.equal(rollback.status, 'rolled-back');
      assert.equal(rollback.migrations[0]?.exact, true);
      assert.ok(sameChecksum(await w.checksum(), original));
    });
  });

  describe(`a contract stop in a later canary batch on ${kind}`, () => {
    let w: MigrationWorld;
    let original: CollectionChecksum;
    let bad: string;
    before(async () => {
      w = await migrationWorld(kind);
      const docs = await w.seed(300);
      const hash = planHashOf([splitName], w.target, laterBatch);
      const keyField = w.subjects.spec.keyField;
      // A canary document past the first canary batch, in scan order: the canary pass stops
      // mid-way. A canary batch ends with the page that brings it to `batchSize` canary documents.
      let canaryRead = 0;
      let late: JsonObject | undefined;
      let scanned = 0;
      for await (const page of scanPages(w.subjects.handle, { limit: laterBatch.batchSize })) {
        scanned += page.docs.length;
        const canary = page.docs.filter((d) => inCanary(d[keyField] as string, hash, 20));
        if (canaryRead >= laterBatch.batchSize) late ??= canary[0];
        canaryRead += canary.length;
      }
      assert.equal(scanned, docs.length);
      assert.ok(late, 'a canary document after the first canary batch');
      bad = late[keyField] as string;
      const [written] = await w.subjects.handle.write([
        { type: 'replace', doc: { ...late, riskRating: 'high' } },
      ]);
      assert.equal(written?.status, 'ok');
      original = await w.checksum();
    });
    after(async () => w?.cleanup());

    test('the changelog records the whole before-checksum; rollback is exact', async () => {
      await approve(w, laterBatch);
      const stopped = await applyMigrations(w.applyInput([splitName], { options: laterBatch }));
      assert.equal(stopped.status, 'gate-failed');
      assert.deepEqual(
        stopped.migrations[0]!.gates.map((g) => [g.gate, g.stage, g.ok]),
        [['contract', 'canary', false]],
      );
      const { before: earlier } = await pagesAround(w, bad, laterBatch);
      assert.ok(
        earlier.some((d) => d.schemaVersion === 2),
        'canary batches before the stop were written',
      );
      const record = await readChangelogRecord(w.ledger, splitName.id);
      assert.equal(record?.checksumsBefore.subjects, original.hash, 'the whole collection as it was');
      assert.deepEqual(stopped.migrations[0]!.checksumsBefore.subjects, original);
      const rollback = await rollbackMigrations(w.rollbackInput([splitName]));
      assert.equal(rollback.status, 'rolled-back');
      assert.equal(rollback.migrations[0]?.exact, true);
      assert.ok(sameChecksum(await w.checksum(), original));
    });

    test('--resume after such a stop finishes the canary and records the same before-checksum', async () => {
      const report = await stopThenResume(w, laterBatch);
      assert.deepEqual(report.migrations[0]!.counts.failed, 1);
      const record = await readChangelogRecord(w.ledger, splitName.id);
      assert.equal(record?.checksumsBefore.subjects, original.hash);
      assert.equal(record?.checksumsAfter.subjects, (await w.checksum()).hash);
    });
  });
}
