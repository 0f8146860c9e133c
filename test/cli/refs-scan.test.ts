/**
 * `steward refs scan` and `steward refs incidents` as a user runs them (the built CLI): the
 * example with orphans in a SQLite project, every declared reference scanned, exit codes for
 * findings, unknown names and a target store that is down, a cross-store reference to each
 * selected server store, and a scan killed with SIGKILL that the same command resumes.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { caseManagementModel, exampleCollectionNames } from '../../src/example/case-management-model.js';
import type { ExampleManifest } from '../../src/example/generate-example.js';
import { exampleSpec } from '../../src/example/generate-example.js';
import type { ReferenceScanReport } from '../../src/integrity/scan/scan-report.js';
import { openLedger } from '../../src/ledger/ledger.js';
import { openStore } from '../../src/stores/open-store.js';
import { projectWithConfig, runSteward, stewardBin } from '../support/run-steward.js';
import { selectedKinds, testStoreConfig } from '../support/test-stores.js';

const collections = exampleCollectionNames.map((n) => `${n}: {}`).join(', ');
const references = caseManagementModel.references
  .map((r) => `'${r.collection}.${r.field}': { target: '${r.target}' }`)
  .join(', ');

interface ScanJson {
  ok: boolean;
  references: ReferenceScanReport[];
}

const orphansOf = (manifest: ExampleManifest, name: string) =>
  manifest.faults
    .filter((f) => f.kind === 'orphan' && `${f.collection}.${f.field}` === name)
    .map((f) => f.key)
    .sort();

describe('steward refs scan on a SQLite project', () => {
  let dir: string;
  let manifest: ExampleManifest;
  const steward = (...args: string[]) => runSteward(args, { cwd: dir });

  before(async () => {
    dir = projectWithConfig(
      `{ stores: { main: { kind: 'sqlite', file: 'data/app.sqlite' } }, collections: { ${collections} }, references: { ${references} }, signals: { jsonl: 'integrity-events.jsonl' } }`,
    );
    const generate = await steward(
      'example',
      'generate',
      '--docs',
      '3000',
      '--orphans',
      '16',
      '--manifest',
      'm.json',
    );
    assert.equal(generate.code, 0, generate.stderr);
    manifest = JSON.parse(readFileSync(join(dir, 'm.json'), 'utf8')) as ExampleManifest;
  });

  test('scans every declared reference, exits 1 and reports exactly the injected orphans', async () => {
    const run = await steward('refs', 'scan', '--json', '--batch', '250');
    assert.equal(run.code, 1, run.stderr);
    const out = JSON.parse(run.stdout) as ScanJson;
    assert.equal(out.ok, false);
    assert.equal(out.references.length, 8);
    for (const report of out.references) {
      const expected = orphansOf(manifest, report.reference);
      assert.equal(report.orphans, expected.length, report.reference);
      assert.deepEqual([...report.orphanSample].map(String).sort(), expected, report.reference);
      assert.equal(report.distinctMissingKeys.count, expected.length);
    }
    const human = await steward('refs', 'scan', 'cases.lead.officerId');
    assert.equal(human.code, 1);
    assert.match(human.stdout, /^cases\.lead\.officerId -> officers: 2 with problems$/m);
    assert.match(human.stdout, /orphans 2 \(2 distinct missing keys\)/);
    assert.match(human.stdout, /incidents: 0 opened, 2 seen again, 0 closed as fixed/);
    for (const key of orphansOf(manifest, 'cases.lead.officerId')) assert.ok(human.stdout.includes(key));
    // Each scan told the configured sink how many orphans it found, per reference.
    const events = readFileSync(join(dir, 'integrity-events.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; reference: string; count: number; source: string });
    const lead = events.filter((e) => e.type === 'orphan-found' && e.reference === 'cases.lead.officerId');
    assert.deepEqual(
      lead.map((e) => [e.count, e.source]),
      [
        [2, 'scan'],
        [2, 'scan'],
      ],
    );
  });

  test('refs incidents lists them, by reference and status', async () => {
    const all = await steward('refs', 'incidents', '--status', 'open', '--json');
    assert.equal(all.code, 0, all.stderr);
    const incidents = JSON.parse(all.stdout) as { key: string; subject: string; kind: string }[];
    assert.equal(incidents.length, 16);
    const one = await steward('refs', 'incidents', '--reference', 'profiles.accountId');
    assert.equal(one.code, 0);
    const lines = one.stdout.trim().split('\n');
    assert.deepEqual(
      lines.map((l) => /"(profile-\d+)"/.exec(l)?.[1]).sort(),
      orphansOf(manifest, 'profiles.accountId'),
    );
    assert.match(lines[0]!, /^open +orphan +profiles\.accountId "profile-\d+" +missing "account-\d+"/);
    const closed = await steward('refs', 'incidents', '--status', 'closed');
    assert.equal(closed.stdout.trim(), 'no incidents');
    assert.equal((await steward('refs', 'incidents', '--status', 'gone')).code, 2);
  });

  test('segments 0/2 and 1/2 add up to the whole; --stale-only without a horizon rechecks nothing', async () => {
    const parts = [];
    for (const segment of ['0/2', '1/2']) {
      const run = await steward('refs', 'scan', 'tasks.caseId', '--segment', segment, '--json');
      parts.push((JSON.parse(run.stdout) as ScanJson).references[0]!);
    }
    assert.equal(parts[0]!.scanned + parts[1]!.scanned, manifest.counts.tasks);
    assert.equal(parts[0]!.orphans + parts[1]!.orphans, orphansOf(manifest, 'tasks.caseId').length);
    const stale = await steward('refs', 'scan', 'tasks.caseId', '--stale-only');
    assert.equal(stale.code, 0, stale.stderr);
    assert.match(stale.stdout, /tasks\.caseId: no revalidateAfter declared/);
  });

  test('an unknown reference exits 2 naming the declared ones; bad options exit 2', async () => {
    const run = await steward('refs', 'scan', 'profiles.acountId');
    assert.equal(run.code, 2);
    assert.match(
      run.stderr,
      /"profiles\.acountId" is not declared in .*steward\.config\.ts; declared references: tasks\.caseId, /,
    );
    assert.match(run.stderr, /profiles\.accountId/);
    assert.equal((await steward('refs', 'scan', '--rate', '0')).code, 2);
    assert.equal((await steward('refs', 'scan', '--segment', '2/2')).code, 2);
    assert.equal((await steward('refs', 'incidents', '--reference', 'nope.x')).code, 2);
  });

  test('a scan killed with SIGKILL is resumed by running the same command again', async () => {
    const args = [
      'refs',
      'scan',
      'case_events.caseId',
      '--batch',
      '50',
      '--rate',
      '500',
      '--lease-ttl',
      '2s',
      '--json',
    ];
    const child = spawn(process.execPath, [stewardBin, ...args], { cwd: dir, stdio: 'ignore' });
    const store = await openStore({ kind: 'sqlite', file: join(dir, 'data/app.sqlite') });
    try {
      const ledger = await openLedger(store, { actor: 'test' });
      const job = 'refs-scan:case_events.caseId:0/1';
      while (
        ((await ledger.checkpoints.load(job))?.counters as { scanned?: number } | undefined)?.scanned ===
        undefined
      )
        await sleep(50);
      child.kill('SIGKILL');
      await once(child, 'exit');
    } finally {
      await store.close();
    }
    // The killed run's lease is still there: the rerun waits for it to lapse, then resumes.
    const run = await steward(...args);
    assert.equal(run.code, 1, run.stderr);
    const report = (JSON.parse(run.stdout) as ScanJson).references[0]!;
    assert.equal(report.resumed, true);
    assert.equal(report.scanned, manifest.counts.case_events);
    assert.equal(report.orphans, orphansOf(manifest, 'case_events.caseId').length);
  });
});

describe('steward refs scan exit codes', () => {
  test('a clean reference exits 0', async () => {
    const dir = projectWithConfig(
      `{ stores: { main: { kind: 'sqlite', file: 'app.sqlite' } }, collections: { ${collections} }, references: { ${references} } }`,
    );
    assert.equal((await runSteward(['example', 'generate', '--docs', '300'], { cwd: dir })).code, 0);
    const run = await runSteward(['refs', 'scan', 'tasks.caseId'], { cwd: dir });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^tasks\.caseId -> cases: clean$/m);
  });

  test('a target store that is down exits 3 with a message and no stack trace', async () => {
    const dir = projectWithConfig(`{
      stores: {
        main: { kind: 'sqlite', file: 'app.sqlite' },
        remote: { kind: 'mongodb', uri: 'mongodb://127.0.0.1:1/', database: 'gone', connectTimeoutMs: 1000 },
      },
      collections: { profiles: { store: 'main', key: 'id' }, accounts: { store: 'remote', key: 'id' } },
      references: { 'profiles.accountId': { target: 'accounts' } },
      ledger: { store: 'main' },
    }`);
    const run = await runSteward(['refs', 'scan'], { cwd: dir });
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stderr, /^steward: store "remote" \(MongoDB at 127\.0\.0\.1:1\) did not answer/);
    assert.doesNotMatch(run.stderr, /\n\s+at /);
  });
});

for (const kind of selectedKinds().filter((k) => k !== 'sqlite')) {
  describe(`steward refs scan across stores: SQLite sources, ${kind} targets`, () => {
    test('finds the orphans of a reference whose target lives in the other store', async () => {
      const remote = testStoreConfig(kind);
      const dir = projectWithConfig(`{
        stores: { local: { kind: 'sqlite', file: 'app.sqlite' }, remote: ${JSON.stringify(remote)} },
        collections: { profiles: { store: 'local', key: 'id' }, accounts: { store: 'remote', key: 'id' } },
        references: { 'profiles.accountId': { target: 'accounts' } },
        ledger: { store: 'local' },
      }`);
      const steward = (...args: string[]) => runSteward(args, { cwd: dir, timeoutMs: 180_000 });
      try {
        const local = await steward(
          'example',
          'generate',
          '--store',
          'local',
          '--docs',
          '2000',
          '--orphans',
          '16',
          '--manifest',
          'm.json',
        );
        assert.equal(local.code, 0, local.stderr);
        const far = await steward('example', 'generate', '--store', 'remote', '--docs', '2000');
        assert.equal(far.code, 0, far.stderr);
        const manifest = JSON.parse(readFileSync(join(dir, 'm.json'), 'utf8')) as ExampleManifest;
        const run = await steward('refs', 'scan', '--json');
        assert.equal(run.code, 1, run.stderr);
        const [report] = (JSON.parse(run.stdout) as ScanJson).references;
        assert.equal(report?.scanned, manifest.counts.profiles);
        assert.deepEqual(
          [...(report?.orphanSample ?? [])].map(String).sort(),
          orphansOf(manifest, 'profiles.accountId'),
        );
      } finally {
        const store = await openStore(remote);
        for (const name of exampleCollectionNames) await store.dropCollection(exampleSpec(name));
        await store.close();
        if (remote.kind === 'mongodb') {
          const { MongoClient } = await import('mongodb');
          const client = new MongoClient(remote.uri);
          await client.db(remote.database).dropDatabase();
          await client.close();
        }
      }
    });
  });
}
