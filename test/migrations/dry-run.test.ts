/**
 * The dry run on every store: it migrates sandbox copies and reports, per document, what the
 * migration did; it catches documents the migration fails on and documents that break the target
 * schema; and it never touches the real collection, the changelog, or leaves a sandbox behind.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type LoadedContracts, loadContracts } from '../../src/contracts/load-contracts.js';
import type { JsonObject } from '../../src/core/json.js';
import { type Ledger, openLedger } from '../../src/ledger/ledger.js';
import { changelogCollection } from '../../src/migrations/changelog.js';
import { collectionChecksum } from '../../src/migrations/collection-checksum.js';
import { type DryRunInput, runDryRun } from '../../src/migrations/dry-run/run-dry-run.js';
import type { Migration } from '../../src/migrations/migration.js';
import type { CollectionSpec } from '../../src/stores/store.js';
import { openTestStore, selectedKinds, type TestStore } from '../support/test-stores.js';

const documents = 40;
const atV2 = new Set(['s037', 's038', 's039', 's040']);

function subjects(keyField: string): JsonObject[] {
  return Array.from({ length: documents }, (_, i) => {
    const id = `s${String(i + 1).padStart(3, '0')}`;
    const base = { [keyField]: id, name: `Subject ${i + 1}` };
    return atV2.has(id)
      ? { ...base, schemaVersion: 2, registration: { number: `REG-${i + 1}` } }
      : { ...base, schemaVersion: 1, registrationNo: `REG-${i + 1}` };
  });
}

const str = { type: 'string' };
function writeContracts(): string {
  const dir = mkdtempSync(join(tmpdir(), 'steward-dry-run-'));
  const v1 = {
    type: 'object',
    properties: { schemaVersion: { const: 1 }, name: str, registrationNo: str },
    required: ['schemaVersion', 'name', 'registrationNo'],
  };
  const v2 = {
    type: 'object',
    properties: {
      schemaVersion: { const: 2 },
      name: str,
      registration: { type: 'object', properties: { number: str }, required: ['number'] },
    },
    required: ['schemaVersion', 'name', 'registration'],
    not: { required: ['registrationNo'] },
  };
  const contract = {
    collection: 'subjects',
    owner: 'subject-registry',
    versions: [
      { version: 1, schema: v1 },
      { version: 2, schema: v2 },
    ],
  };
  writeFileSync(join(dir, 'subjects.contract.json'), JSON.stringify(contract));
  return dir;
}

/** subjects v1 -> v2: registrationNo moves to registration.number; down moves it back. */
function nestRegistration(overrides: Partial<Migration> = {}): Migration {
  return {
    id: '001-nest-registration',
    description: 'registrationNo becomes registration.number',
    collections: ['subjects'],
    targetVersion: 2,
    fromVersion: 1,
    file: '001-nest-registration.migration.ts',
    checksum: 'c1',
    up: ({ registrationNo, ...rest }) => ({ ...rest, registration: { number: registrationNo ?? null } }),
    down: ({ registration, ...rest }) => ({
      ...rest,
      registrationNo: (registration as JsonObject).number ?? null,
    }),
    validators: {
      before: [{ kind: 'count', name: 'all subjects', collection: 'subjects', min: documents }],
      after: [
        {
          kind: 'parity',
          name: 'registration number reads the same',
          collection: 'subjects',
          before: (doc) => doc.registrationNo ?? (doc.registration as JsonObject | undefined)?.number,
          after: (doc) => (doc.registration as JsonObject | undefined)?.number,
        },
      ],
    },
    ...overrides,
  };
}

for (const kind of selectedKinds()) {
  describe(`migrate dry-run on ${kind}`, () => {
    let ts: TestStore;
    let real: CollectionSpec;
    let contracts: LoadedContracts;
    let ledger: Ledger;
    let prefix: string;

    before(async () => {
      ts = await openTestStore(kind);
      real = ts.spec('subjects');
      prefix = `${real.name}_`;
      await ts.store.ensureCollection(real);
      const results = await ts.store
        .collection(real)
        .write(subjects(real.keyField).map((doc) => ({ type: 'insert', doc })));
      assert.ok(results.every((r) => r.status === 'ok'));
      contracts = await loadContracts(writeContracts());
      ledger = await openLedger(ts.store, { actor: 'test', namespacePrefix: prefix });
    });

    after(async () => {
      await ledger?.drop();
      await ts?.store.dropCollection(ledger.namespace.migrations);
      await ts?.cleanup();
    });

    const input = (migration: Migration, extra: Partial<DryRunInput> = {}): DryRunInput => ({
      planHash: 'a'.repeat(64),
      migrations: [migration],
      targets: new Map([
        [
          'subjects',
          { name: 'subjects', storeName: 'main', store: ts.store, spec: real, versionField: 'schemaVersion' },
        ],
      ]),
      otherCollection: () => {
        throw new Error('no other collection in this test');
      },
      contracts,
      sandboxPrefix: prefix,
      batchSize: 7,
      ...extra,
    });
    const sandboxName = () => `${prefix}sandbox_subjects`;
    const sandboxExists = async () => (await ts.store.listCollections()).includes(sandboxName());

    test('counts changed and unchanged documents, shows deltas, checks down(up(doc)), and passes', async () => {
      const report = await runDryRun(input(nestRegistration()));
      assert.equal(report.ok, true, JSON.stringify(report.migrations[0]?.validators));
      assert.deepEqual(report.totals, { changed: documents - atV2.size, unchanged: atV2.size, failed: 0 });
      const [m] = report.migrations;
      assert.equal(m?.collections[0]?.examined, documents);
      assert.equal(m?.collections[0]?.deltas.length, 5);
      const delta = m!.collections[0]!.deltas[0]!;
      assert.equal(typeof delta.before.registrationNo, 'string');
      assert.deepEqual(delta.after.registration, { number: delta.before.registrationNo });
      assert.equal(delta.after.schemaVersion, 2);
      assert.deepEqual(m?.roundTrip, { checked: documents - atV2.size, mismatched: 0, problems: [] });
      assert.deepEqual(
        [...m!.validators.before, ...m!.validators.after].map((v) => [v.kind, v.ok]),
        [
          ['count', true],
          ['parity', true],
          ['conforms', true],
        ],
      );
      assert.ok(report.throughput.perSecond > 0);
      assert.equal(report.estimate.documents, documents);
      // A full copy is the size apply meets: the ETA has no growth to extrapolate, and says so.
      const eta = m!.collections[0]!.eta!;
      assert.equal(eta.documents, documents);
      assert.equal(eta.sandboxDocuments, documents);
      assert.equal(eta.writeMs, null);
      assert.deepEqual(eta.growthExponent, { low: 0, likely: 0, high: 0 });
      assert.ok(eta.low > 0 && eta.low <= eta.seconds && eta.seconds <= eta.high, JSON.stringify(eta));
      assert.deepEqual(
        { ...report.eta, method: undefined },
        { documents, seconds: eta.seconds, low: eta.low, high: eta.high, method: undefined },
      );
      assert.match(report.eta!.method, /apply's time per document timed in the sandbox/);
      assert.equal(report.sandboxes[0]?.copied, documents);
      assert.equal(await sandboxExists(), false, 'the sandbox is dropped');
    });

    test('never writes the real collection or the changelog', async () => {
      const changelog = await changelogCollection(ledger);
      const realBefore = await collectionChecksum(ts.store.collection(real));
      const changelogBefore = await collectionChecksum(changelog);
      await runDryRun(input(nestRegistration()));
      await runDryRun(input(nestRegistration({ up: () => ({ broken: true }) as unknown as JsonObject })));
      assert.deepEqual(await collectionChecksum(ts.store.collection(real)), realBefore);
      assert.deepEqual(await collectionChecksum(changelog), changelogBefore);
      assert.equal(realBefore.count, documents);
    });

    test('reports each document up() throws on or turns into a non-document, with its key, and goes on', async () => {
      const migration = nestRegistration({
        up: (doc) => {
          if (doc.name === 'Subject 3') throw new Error('cannot parse this registration');
          if (doc.name === 'Subject 5') return [doc] as unknown as JsonObject;
          const { registrationNo, ...rest } = doc;
          return { ...rest, registration: { number: registrationNo ?? null } };
        },
      });
      const report = await runDryRun(input(migration));
      assert.equal(report.ok, false);
      assert.deepEqual(report.totals, {
        changed: documents - atV2.size - 2,
        unchanged: atV2.size,
        failed: 2,
      });
      const failures = report.migrations[0]!.collections[0]!.failures;
      assert.deepEqual(
        failures.map((f) => f.key),
        ['s003', 's005'],
      );
      assert.match(failures[0]!.reason, /up\(\) threw: cannot parse this registration/);
      assert.match(failures[1]!.reason, /up\(\) returned an array, not a document/);
      assert.equal(await sandboxExists(), false);
    });

    test('documents up() would make break the target contract fail the dry run, named with key and schema path', async () => {
      const migration = nestRegistration({
        // Numbers for a few documents: v2 says registration.number is a string.
        up: ({ registrationNo, ...rest }) => ({
          ...rest,
          registration: {
            number: rest.name === 'Subject 7' || rest.name === 'Subject 9' ? 7 : (registrationNo ?? null),
          },
        }),
        down: undefined,
      });
      const report = await runDryRun(input(migration));
      assert.equal(report.ok, false);
      const subjects = report.migrations[0]!.collections[0]!;
      assert.equal(report.totals.failed, 2, 'apply would stop on them: the contract gate');
      assert.deepEqual(
        subjects.failures.map((f) => [f.key, f.reason]),
        ['s007', 's009'].map((key) => [
          key,
          'does not conform to subjects v2: registration.number: must be string',
        ]),
      );
      // They stay as they were in the sandbox, like documents up() fails on: what was written conforms.
      const schema = report.migrations[0]!.validators.after.find((v) => v.kind === 'conforms')!;
      assert.equal(schema.ok, true, schema.message);
      assert.equal(report.migrations[0]!.roundTrip, null, 'no down, no round trip');
    });

    test('a down() that loses data fails the round-trip check, naming the document and the path', async () => {
      const migration = nestRegistration({
        down: ({ registration, ...rest }) => ({
          ...rest,
          registrationNo: rest.name === 'Subject 2' ? 'lost' : ((registration as JsonObject).number ?? null),
        }),
      });
      const report = await runDryRun(input(migration));
      assert.equal(report.ok, false);
      assert.deepEqual(report.migrations[0]!.roundTrip, {
        checked: documents - atV2.size,
        mismatched: 1,
        problems: [{ key: 's002', reason: 'down(up(doc)) differs from doc at registrationNo' }],
      });
    });

    test('the sandbox is dropped when the run fails midway', async () => {
      let batches = 0;
      const heartbeat = async () => {
        batches++;
        assert.equal(await sandboxExists(), true, 'the sandbox exists while the run goes on');
        if (batches === 2) throw new Error('the lease was lost');
      };
      await assert.rejects(runDryRun(input(nestRegistration(), { heartbeat })), /the lease was lost/);
      assert.equal(batches, 2);
      assert.equal(await sandboxExists(), false);
    });

    test('--sample copies a deterministic sample of at least N documents and skips count bounds', async () => {
      const first = await runDryRun(input(nestRegistration(), { sample: 10 }));
      const second = await runDryRun(input(nestRegistration(), { sample: 10 }));
      const copied = first.sandboxes[0]!.copied;
      assert.ok(copied >= 10 && copied <= documents, `copied ${copied}`);
      assert.deepEqual(second.sandboxes[0], first.sandboxes[0]);
      assert.equal(first.migrations[0]!.validators.before[0]!.skipped, true);
      assert.equal(first.estimate.documents, documents);
    });

    test("on a busy machine the ETA says so and its range reaches from a quiet machine to a busier one; apply's images go beside the sandbox", async () => {
      let during: string[] = [];
      const heartbeat = async () => {
        if (during.length === 0) during = await ts.store.listCollections();
      };
      const quiet = await runDryRun(
        input(nestRegistration(), { sample: 20, contention: () => 1, heartbeat }),
      );
      const busy = await runDryRun(input(nestRegistration(), { sample: 20, contention: () => 4 }));
      assert.ok(during.includes(`${sandboxName()}_images`), JSON.stringify(during));
      const [q, b] = [quiet, busy].map((r) => r.migrations[0]!.collections[0]!.eta!);
      assert.equal(q!.contention, 1);
      assert.equal(b!.contention, 4);
      assert.doesNotMatch(q!.method, /busy/);
      assert.match(b!.method, /the machine was busy \(a CPU-bound task ran 4x slower than alone\)/);
      assert.match(busy.eta!.method, /from a quiet machine to one as much busier again/);
      // A quarter of the time (and 0.75 of it), or four times (and 1.5 times) it; the growth
      // exponent's quartiles widen it further (the figures are rounded to 1 ms, each on its own:
      // `seconds` rounded up by 0.5 ms is 3 ms more once times 6, so `high` gets 3.5 ms of slack;
      // with 2 ms it failed once at seconds 0.115, high 0.688).
      assert.ok(b!.low > 0 && b!.low <= (b!.seconds * 0.75) / 4 + 0.002, JSON.stringify(b));
      assert.ok(b!.high >= b!.seconds * 1.5 * 4 - 0.0035, JSON.stringify(b));
      const left = (await ts.store.listCollections()).filter((c) => c.includes(`${prefix}sandbox`));
      assert.deepEqual(left, [], 'the sandbox and its images are dropped');
    });

    test('with a sample, the ETA times keyed writes at two sizes, extrapolates to the real collection, and drops its probe', async () => {
      const report = await runDryRun(input(nestRegistration(), { sample: 20 }));
      const copied = report.sandboxes[0]!.copied;
      const eta = report.migrations[0]!.collections[0]!.eta!;
      assert.equal(eta.documents, documents);
      assert.equal(eta.sandboxDocuments, copied);
      const probed = eta.writeMs!;
      assert.ok(probed, 'keyed writes were timed');
      assert.ok(
        probed.smallDocuments >= 3 && probed.smallDocuments < probed.largeDocuments,
        JSON.stringify(probed),
      );
      assert.equal(probed.largeDocuments, copied);
      assert.ok(probed.small > 0 && probed.large > 0);
      const { low, likely, high } = eta.growthExponent;
      assert.ok(0 <= low && low <= likely && likely <= high && high <= 2, JSON.stringify(eta.growthExponent));
      assert.ok(eta.low > 0 && eta.low <= eta.seconds && eta.seconds <= eta.high, JSON.stringify(eta));
      // Extrapolated from the sample to the real size: at least apply's pace at the sample's size
      // over every document (the figures are rounded: to 0.1 µs a document, 1 ms in all).
      assert.ok(eta.seconds >= (documents * eta.applyMsPerDocument!) / 1000 - 0.002, JSON.stringify(eta));
      assert.match(eta.method, new RegExp(`${probed.smallDocuments} and ${copied} documents`));
      // Apply's own batch write was timed in the sandbox, beside two reads of each document.
      assert.ok(eta.applyMsPerDocument! > 2 * eta.readMsPerDocument!, JSON.stringify(eta));
      assert.ok(eta.contention! >= 1, JSON.stringify(eta));
      assert.match(eta.method, /apply's time per document timed in the sandbox/);
      assert.deepEqual(report.eta && [report.eta.seconds, report.eta.low, report.eta.high], [
        eta.seconds,
        eta.low,
        eta.high,
      ]);
      const left = (await ts.store.listCollections()).filter((c) => c.includes(`${prefix}sandbox`));
      assert.deepEqual(left, [], 'the sandbox and its probe are dropped');
    });
  });
}
