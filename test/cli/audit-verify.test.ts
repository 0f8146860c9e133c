/**
 * `steward audit verify` and `steward doctor` as users run them (the built CLI), on every selected
 * store: the head is printed to keep, `--expect-head` checks a kept head, and a log deleted whole
 * or cut short with its head rewritten fails both commands, naming the head steward recorded.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { auditHeadKey, auditRecordKey } from '../../src/ledger/audit-head.js';
import { type Ledger, openLedger } from '../../src/ledger/ledger.js';
import { openStore } from '../../src/stores/open-store.js';
import type { Store } from '../../src/stores/store.js';
import { keyId } from '../../src/stores/store.js';
import { projectWithConfig, runSteward } from '../support/run-steward.js';
import { selectedKinds, testStoreConfig } from '../support/test-stores.js';

const hex64 = /[0-9a-f]{64}/;

for (const kind of selectedKinds()) {
  describe(`audit verify and doctor on ${kind}`, () => {
    const config = testStoreConfig(kind);
    const prefix = `cli_${randomBytes(4).toString('hex')}_`;
    let dir: string;
    let store: Store;
    let ledger: Ledger;
    const steward = (...args: string[]) => runSteward(args, { cwd: dir, env: { STEWARD_ACTOR: 'ci' } });
    const append = (n: number) =>
      ledger.audit.appendMany(Array.from({ length: n }, (_, i) => ({ action: 'test', subject: `s${i}` })));

    before(async () => {
      dir = projectWithConfig(
        `{ stores: { main: ${JSON.stringify(config)} }, collections: {}, ledger: { store: 'main', prefix: '${prefix}' } }`,
      );
      store = await openStore(config);
      ledger = await openLedger(store, { actor: 'seed', namespacePrefix: prefix });
    });
    after(async () => {
      await ledger.drop();
      await store.close();
      if (config.kind === 'mongodb') {
        const { MongoClient } = await import('mongodb');
        const client = new MongoClient(config.uri);
        await client.db(config.database).dropDatabase();
        await client.close();
      }
    });

    test('prints the head to keep; --expect-head passes on it after the log grew, fails past the end', async () => {
      await append(6);
      const first = await steward('audit', 'verify');
      assert.equal(first.code, 0, first.stderr);
      const head = /audit head: (6:[0-9a-f]{64})/.exec(first.stdout)?.[1];
      assert.ok(head, first.stdout);
      await append(2);
      const json = await steward('audit', 'verify', '--json', '--expect-head', head);
      assert.equal(json.code, 0, json.stderr);
      const result = JSON.parse(json.stdout) as { auditHead: string; checked: number };
      assert.match(result.auditHead, new RegExp(`^8:${hex64.source}$`));
      assert.equal(result.checked, 8);

      const beyond = await steward('audit', 'verify', '--expect-head', `9:${head.slice(2)}`);
      assert.equal(beyond.code, 1, beyond.stderr);
      assert.match(
        beyond.stdout,
        /seq 9: shrunk: .*--expect-head recorded seq 9 .*the log now ends at seq 8/,
      );
      const other = await steward('audit', 'verify', '--expect-head', `6:${'0'.repeat(64)}`);
      assert.equal(other.code, 1);
      assert.match(other.stdout, /seq 6: rewritten: .*the record at seq 6 now has hash/);

      const bad = await steward('audit', 'verify', '--expect-head', 'yesterday');
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /--expect-head must be <seq>:<hash>/);
      assert.doesNotMatch(bad.stderr, /\n\s+at /);
    });

    test('a tail cut off and the head rewritten fails audit verify and doctor', async () => {
      const c = ledger.audit.collection;
      await c.write([7, 8].map((seq) => ({ type: 'delete' as const, key: auditRecordKey(seq) })));
      const six = (await ledger.audit.tip()).hash;
      await c.write([{ type: 'replace', doc: { [c.spec.keyField]: auditHeadKey, seq: 6, hash: six } }]);
      const verify = await steward('audit', 'verify');
      assert.equal(verify.code, 1, verify.stderr);
      assert.match(
        verify.stdout,
        /seq 8: shrunk: the audit log shrank: the audit head witness recorded seq 8 \([0-9a-f]{12}\).*; the log now ends at seq 6/,
      );
      const doctor = await steward('doctor');
      assert.equal(doctor.code, 1, doctor.stderr);
      assert.match(doctor.stdout, /BROKEN/);
      assert.match(doctor.stdout, /the audit head witness recorded seq 8 .*the log now ends at seq 6/);
    });

    test('the whole log deleted fails doctor and audit verify', async () => {
      await store.dropCollection(ledger.namespace.audit);
      const doctor = await steward('doctor');
      assert.equal(doctor.code, 1, doctor.stdout);
      assert.match(doctor.stdout, /recorded seq 8 .*the log now has no records/);
      const verify = await steward('audit', 'verify', '--json');
      assert.equal(verify.code, 1);
      const result = JSON.parse(verify.stdout) as {
        ok: boolean;
        checked: number;
        problems: { kind: string }[];
      };
      assert.deepEqual(
        [result.ok, result.checked, result.problems.map((p) => p.kind)],
        [false, 0, ['shrunk']],
      );
    });
  });
}

// Only SQLite stores a document as text that can be something other than JSON.
if (selectedKinds().includes('sqlite')) {
  test('an audit record whose SQLite row is not JSON: audit verify and doctor exit 1 naming its seq', async () => {
    const dir = projectWithConfig(
      `{ stores: { main: { kind: 'sqlite', file: 'app.sqlite' } }, collections: {} }`,
    );
    const file = `${dir}/app.sqlite`;
    const store = await openStore({ kind: 'sqlite', file });
    const ledger = await openLedger(store, { actor: 'seed' });
    await ledger.audit.appendMany(
      Array.from({ length: 5 }, (_, i) => ({ action: 'seed', subject: `s${i}` })),
    );
    await store.close();
    const db = new Database(file);
    db.prepare('UPDATE steward_audit SET doc = ? WHERE k = ?').run('not json', keyId(auditRecordKey(3)));
    db.close();
    for (const args of [['audit', 'verify'], ['doctor']]) {
      const run = await runSteward(args, { cwd: dir });
      assert.equal(run.code, 1, `${args.join(' ')}: ${run.stdout}${run.stderr}`);
      assert.match(
        run.stdout,
        /seq 3: unreadable: the record at seq 3 is not readable: .*steward_audit.*not JSON/,
      );
      assert.equal(run.stderr, '');
    }
  });
}
