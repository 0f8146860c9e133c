/**
 * `steward derived list`, `drift check`, `drift repair` and `rebuild` as a user runs them (the
 * built CLI) on a SQLite project holding the example with drift: the check finds exactly the
 * manifest's drift and exits 1, the snapshot's differences apart; repair fixes it; a missing
 * snapshot is found, and filled only with --force and an approval of the printed subject; a
 * recheck exits 0; a second repair writes nothing; rebuild by
 * id; bad declarations and options are answered with exit 2 naming the config path or option.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { canonicalJson } from '../../src/core/json.js';
import type { DriftReport } from '../../src/derived/drift-report.js';
import type { RepairReport } from '../../src/derived/repair-report.js';
import { exampleCollectionNames } from '../../src/example/case-management-model.js';
import { exampleDerived } from '../../src/example/example-derived.js';
import type { ExampleManifest } from '../../src/example/generate-example.js';
import { openStore } from '../../src/stores/open-store.js';
import {
  type EcommerceCollections,
  type EcommercePlanted,
  ecommerceDerived,
  seedEcommerce,
} from '../derived/fixtures/ecommerce-world.js';
import { readAll } from '../support/read-all.js';
import { projectWithConfig, runSteward, stewardBin } from '../support/run-steward.js';

const collections = exampleCollectionNames.map((n) => `${n}: { key: 'id' }`).join(', ');
const config = (derived: string) =>
  `{ stores: { main: { kind: 'sqlite', file: 'app.sqlite' } }, collections: { ${collections} }, ` +
  `approvers: { alice: { publicKey: 'alice.pub.pem', roles: ['owner'] } }, derived: ${derived} }`;

const line = (collection: string, key: unknown, field: string, expected: unknown, actual: unknown) =>
  `${collection}|${String(key)}|${field}|${canonicalJson(expected)}|${canonicalJson(actual)}`;

describe('steward drift on a SQLite project', () => {
  let dir: string;
  let manifest: ExampleManifest;
  const steward = (...args: string[]) => runSteward(args, { cwd: dir, env: { STEWARD_ACTOR: 'ci' } });

  before(async () => {
    dir = projectWithConfig(config(JSON.stringify(exampleDerived())));
    const keygen = await steward('approvals', 'keygen', '--out', 'alice');
    assert.equal(keygen.code, 0, keygen.stderr);
    const generate = await steward(
      'example',
      'generate',
      '--docs',
      '800',
      '--seed',
      '3',
      '--drift',
      '9',
      '--manifest',
      'manifest.json',
    );
    assert.equal(generate.code, 0, generate.stderr);
    manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as ExampleManifest;
  });

  test('derived list shows every declaration with its contract answers', async () => {
    const run = await steward('derived', 'list');
    assert.equal(run.code, 0, run.stderr);
    for (const name of Object.keys(exampleDerived()))
      assert.match(run.stdout, new RegExp(name.replace('.', '\\.')));
    assert.match(run.stdout, /cases\.assignedOfficerName {2}snapshot \(snapshot\)/);
  });

  test('drift check finds exactly the manifest drift, exits 1, and a repair cycle ends clean', async () => {
    const check = await steward('drift', 'check', '--json');
    assert.equal(check.code, 1, check.stderr);
    const reports = (JSON.parse(check.stdout) as { reports: DriftReport[] }).reports;
    const found = reports
      .flatMap((r) =>
        r.findings.map((f) => line(r.derived.split('.')[0]!, f.key, f.field, f.expected, f.actual)),
      )
      .sort();
    const expected = manifest.faults
      .filter((f) => f.kind === 'drift')
      .map((f) => line(f.collection, f.key, f.field, f.expected, f.actual))
      .sort();
    assert.deepEqual(found, expected);

    const snapshotReport = reports.find((r) => r.derived === 'cases.assignedOfficerName')!;
    const differing = manifest.faults.filter((f) => f.kind === 'snapshot-difference').length;
    assert.ok(differing > 0);
    assert.deepEqual(
      [snapshotReport.drift, snapshotReport.snapshot?.differsFromSource, snapshotReport.snapshot?.missing],
      [0, differing, 0],
      "a snapshot's differences are reported apart, not as drift",
    );

    // A dry run says what it would write, never "written": it wrote nothing.
    const dry = await steward('drift', 'repair', '--dry-run', '--json');
    const wouldRepair = (JSON.parse(dry.stdout) as { reports: Record<string, unknown>[] }).reports;
    assert.ok(wouldRepair.every((r) => r.dryRun === true && !('written' in r)));
    assert.equal(
      wouldRepair.reduce((n, r) => n + Number(r.wouldWrite), 0),
      expected.length,
    );
    const repair = await steward('drift', 'repair', '--json');
    assert.equal(repair.code, 0, 'no snapshot incident to skip');
    const repaired = (JSON.parse(repair.stdout) as { reports: RepairReport[] }).reports;
    assert.equal(
      repaired.reduce((n, r) => n + r.written, 0),
      expected.length,
    );

    // A snapshot missing where its source gives a value is what a check finds of a snapshot;
    // filling it takes --force and an approval of exactly that.
    const store = await openStore({ kind: 'sqlite', file: join(dir, 'app.sqlite') });
    const differingKeys = new Set(
      manifest.faults.filter((f) => f.kind === 'snapshot-difference').map((f) => f.key),
    );
    const emptied = ['case-0000001', 'case-0000002', 'case-0000003'].find((k) => !differingKeys.has(k))!;
    await store
      .collection({ name: 'cases', keyField: 'id' })
      .write([{ type: 'patch', key: emptied, unset: ['assignedOfficerName'] }]);
    await store.close();
    const missing = await steward('drift', 'check', 'cases.assignedOfficerName');
    assert.equal(missing.code, 1, missing.stdout);
    assert.match(missing.stdout, /0 drifted/);
    assert.match(
      missing.stdout,
      new RegExp(`${differing} differ from the source now \\(by design: not drift\\), 1 missing`),
    );
    assert.match(missing.stdout, new RegExp(`missing snapshot "${emptied}"`));
    const kept = await steward('drift', 'repair', 'cases.assignedOfficerName', '--json');
    assert.equal(kept.code, 1, 'the missing snapshot was left alone');
    const refused = await steward('drift', 'repair', 'cases.assignedOfficerName', '--force');
    assert.equal(refused.code, 1);
    const subject = /approvals sign (snap-[0-9a-f]+)/.exec(refused.stderr)?.[1];
    assert.ok(subject, refused.stderr);
    const sign = await steward(
      'approvals',
      'sign',
      subject,
      '--kind',
      'derived.snapshot-refresh',
      '--key',
      'alice.key.pem',
      '--approver',
      'alice',
      '--role',
      'owner',
    );
    assert.equal(sign.code, 0, sign.stderr);
    const forced = await steward('drift', 'repair', 'cases.assignedOfficerName', '--force', '--json');
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal((JSON.parse(forced.stdout) as { reports: RepairReport[] }).reports[0]!.written, 1);
    const recheck = await steward('drift', 'check', '--method', 'hash', '--group-size', '10');
    assert.equal(recheck.code, 0, recheck.stdout);
    assert.match(recheck.stdout, new RegExp(`${differing} differ from the source now`));
    const again = await steward('drift', 'repair', '--json');
    assert.equal(again.code, 0);
    assert.equal(
      (JSON.parse(again.stdout) as { reports: RepairReport[] }).reports.reduce((n, r) => n + r.written, 0),
      0,
    );
  });

  test('rebuild --id rewrites one entity; --where and --all find nothing left', async () => {
    const store = await openStore({ kind: 'sqlite', file: join(dir, 'app.sqlite') });
    await store
      .collection({ name: 'case_list', keyField: 'id' })
      .write([{ type: 'patch', key: 'case-0000004', set: { openTaskCount: 77 } }]);
    await store.close();
    const one = await steward('rebuild', 'case_list.openTaskCount', '--id', 'case-0000004', '--json');
    assert.equal(one.code, 0, one.stderr);
    assert.equal((JSON.parse(one.stdout) as { report: RepairReport }).report.written, 1);
    const range = await steward(
      'rebuild',
      'case_list.openTaskCount',
      '--where',
      '{"id":{"$lte":"case-0000010"}}',
      '--json',
    );
    assert.equal((JSON.parse(range.stdout) as { report: RepairReport }).report.written, 0);
    const snapshot = await steward('rebuild', 'cases.assignedOfficerName', '--all', '--force');
    assert.equal(snapshot.code, 1, 'forcing a snapshot with a new scope needs a new approval');
    assert.equal((await steward('rebuild', 'case_list.openTaskCount')).code, 2);
    assert.equal((await steward('rebuild', 'nope.field', '--all')).code, 2);
    const segmentOfIds = await steward('rebuild', 'case_list.openTaskCount', '--id', 'x', '--segment', '0/2');
    assert.equal(segmentOfIds.code, 2);
    assert.match(segmentOfIds.stderr, /--segment splits --where or --all/);
    assert.equal((await steward('rebuild', 'case_list.openTaskCount', '--all', '--segment', '2/2')).code, 2);
    const version = await steward('rebuild', 'case_list.openTaskCount', '--all', '--version', '9');
    assert.equal(version.code, 2);
    assert.match(version.stderr, /declares projection version 1; raise its "version"/);
    const window = await steward(
      'drift',
      'check',
      'case_list.openTaskCount',
      '--method',
      'window',
      '--window',
      '7d',
    );
    assert.equal(window.code, 2);
    assert.match(window.stderr, /derived\.case_list\.openTaskCount\.source\.changedAt/);
    const checkpoint = await steward('drift', 'check', 'case_list.subjectName', '--method', 'checkpoint');
    assert.equal(checkpoint.code, 2);
    assert.match(checkpoint.stderr, /derived\.case_list\.subjectName\.source\.version/);
    assert.equal((await steward('drift', 'check', '--method', 'nope')).code, 2);
    assert.equal((await steward('drift', 'check', '--method', 'sampling', '--sample', '2')).code, 2);
  });

  test('a rebuild killed with SIGKILL and run again ends as an uninterrupted one, each document written once', async (t) => {
    const store = await openStore({ kind: 'sqlite', file: join(dir, 'app.sqlite') });
    const caseList = store.collection({ name: 'case_list', keyField: 'id' });
    const docs = await readAll(caseList);
    await caseList.write(
      docs.map((d) => ({ type: 'patch' as const, key: d.id as string, set: { openTaskCount: 1000 } })),
    );
    await store.ensureCollection({ name: 'steward_backups', keyField: 'id' });
    const backups = store.collection({ name: 'steward_backups', keyField: 'id' });
    const imagesBefore = (await readAll(backups)).length;
    const child = spawn(
      process.execPath,
      [stewardBin, 'rebuild', 'case_list.openTaskCount', '--all', '--batch', '2', '--lease-ttl', '2s'],
      {
        cwd: dir,
        stdio: 'ignore',
      },
    );
    // Kill as soon as the first batch is written, so the kill lands mid-rebuild.
    let exited = false;
    child.on('exit', () => {
      exited = true;
    });
    const deadline = Date.now() + 30_000;
    while (!exited && Date.now() < deadline && (await backups.count()) === imagesBefore) await sleep(20);
    if (!exited) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
    t.diagnostic(
      `before the kill: ${(await readAll(backups)).length - imagesBefore} of ${docs.length} written`,
    );
    // The killed run's lease is waited out (2 s), then the rebuild resumes from its checkpoint.
    const resumed = await steward(
      'rebuild',
      'case_list.openTaskCount',
      '--all',
      '--lease-ttl',
      '2s',
      '--json',
    );
    assert.equal(resumed.code, 0, resumed.stderr);
    const images = (await readAll(backups)).length - imagesBefore;
    await store.close();
    assert.equal(images, docs.length, 'one before-image per document: none was written twice');
    const check = await steward('drift', 'check', 'case_list.openTaskCount');
    assert.equal(check.code, 0, check.stdout);
  });

  test('a repair killed with SIGKILL and run again closes every incident, each document written once', async (t) => {
    const store = await openStore({ kind: 'sqlite', file: join(dir, 'app.sqlite') });
    const caseList = store.collection({ name: 'case_list', keyField: 'id' });
    const docs = await readAll(caseList);
    await caseList.write(
      docs.map((d) => ({ type: 'patch' as const, key: d.id as string, set: { overdueTaskCount: 500 } })),
    );
    assert.equal((await steward('drift', 'check', 'case_list.overdueTaskCount')).code, 1);
    await store.ensureCollection({ name: 'steward_backups', keyField: 'id' });
    const backups = store.collection({ name: 'steward_backups', keyField: 'id' });
    const imagesBefore = await backups.count();
    const child = spawn(
      process.execPath,
      [stewardBin, 'drift', 'repair', 'case_list.overdueTaskCount', '--batch', '2'],
      {
        cwd: dir,
        stdio: 'ignore',
      },
    );
    let exited = false;
    child.on('exit', () => {
      exited = true;
    });
    const deadline = Date.now() + 30_000;
    while (!exited && Date.now() < deadline && (await backups.count()) === imagesBefore) await sleep(20);
    if (!exited) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
    t.diagnostic(`before the kill: ${(await backups.count()) - imagesBefore} of ${docs.length} written`);
    const resumed = await steward('drift', 'repair', 'case_list.overdueTaskCount', '--json');
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal((await backups.count()) - imagesBefore, docs.length, 'one before-image per document');
    await store.close();
    assert.equal((await steward('drift', 'check', 'case_list.overdueTaskCount')).code, 0);
  });

  test('dual-run builds version 2 beside version 1; cutover needs its report; backfill fills what is missing', async () => {
    const v2 = { ...exampleDerived() } as unknown as Record<string, Record<string, unknown>>;
    const counter = v2['case_list.openTaskCount']!;
    v2['case_list.openTaskCount'] = {
      ...counter,
      version: 2,
      source: { ...(counter.source as object), where: undefined },
    };
    const project = projectWithConfig(
      `{ stores: { main: { kind: 'sqlite', file: 'app.sqlite' } }, collections: { ${collections} }, derived: ${JSON.stringify(v2)} }`,
    );
    const run = (...args: string[]) => runSteward(args, { cwd: project, env: { STEWARD_ACTOR: 'ci' } });
    assert.equal((await run('example', 'generate', '--docs', '300', '--seed', '5')).code, 0);
    assert.equal((await run('derived', 'dual-run', 'case_list.openTaskCount', '--version', '3')).code, 2);
    const dual = await run(
      'derived',
      'dual-run',
      'case_list.openTaskCount',
      '--version',
      '2',
      '--batch',
      '25',
      '--json',
    );
    assert.equal(dual.code, 0, dual.stderr);
    const { report } = JSON.parse(dual.stdout) as {
      report: { reportHash: string; different: number; documents: number };
    };
    assert.ok(report.different > 0 && report.different <= report.documents);
    assert.equal((await run('derived', 'cutover', 'case_list.openTaskCount', '--report', 'nope')).code, 2);
    const refused = await run(
      'derived',
      'cutover',
      'case_list.openTaskCount',
      '--report',
      'dr-00000000000000000000',
    );
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /dual-run case_list\.openTaskCount/);
    const cut = await run(
      'derived',
      'cutover',
      'case_list.openTaskCount',
      '--report',
      report.reportHash,
      '--json',
    );
    assert.equal(cut.code, 0, cut.stderr);
    assert.equal(
      (JSON.parse(cut.stdout) as { report: { switched: number } }).report.switched,
      report.documents,
    );
    assert.equal((await run('drift', 'check', 'case_list.openTaskCount')).code, 0);
    const backfill = await run('derived', 'backfill', 'case_list.overdueTaskCount', '--json');
    assert.equal(backfill.code, 0, backfill.stdout);
    const filled = JSON.parse(backfill.stdout) as { backfill: RepairReport; check: DriftReport };
    assert.deepEqual([filled.backfill.written, filled.check.drift], [0, 0]);
  });

  test('a source store that is down exits 3 and names it', async () => {
    const split = projectWithConfig(
      `{ stores: { main: { kind: 'sqlite', file: 'app.sqlite' }, registry: { kind: 'mongodb', uri: 'mongodb://127.0.0.1:1/', database: 'x', connectTimeoutMs: 500 } }, ` +
        `collections: { case_list: { store: 'main', key: 'id' }, subjects: { store: 'registry', key: 'id' } }, ledger: { store: 'main' }, ` +
        `derived: { 'case_list.subjectName': { kind: 'projection', source: { collection: 'subjects' }, transform: { copy: 'name', via: 'subjectId' } } } }`,
    );
    const run = await runSteward(['drift', 'check'], { cwd: split });
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stderr, /127\.0\.0\.1:1/);
  });

  test('a bad declaration is refused with every problem named by its config path', async () => {
    const bad = projectWithConfig(
      config(
        `{ 'case_list.openTaskCount': { kind: 'tally', source: { collection: 'nowhere', via: 'x' }, transform: { count: true, sum: 'n' }, refresh: 'hourly', staleness: 'soon', consumers: [{ irreversible: 'yes' }] }, 'noDot': {} }`,
      ),
    );
    const run = await runSteward(['drift', 'check'], { cwd: bad });
    assert.equal(run.code, 2);
    for (const path of [
      'derived.case_list.openTaskCount.kind',
      'derived.case_list.openTaskCount.source.collection',
      'derived.case_list.openTaskCount.transform',
      'derived.case_list.openTaskCount.refresh',
      'derived.case_list.openTaskCount.staleness',
      'derived.case_list.openTaskCount.consumers[0]',
      'derived.noDot',
    ])
      assert.ok(run.stderr.includes(path), `${path} in:\n${run.stderr}`);
  });
});

/** The e-commerce data set's collections in a SQLite project, steward's names as stored. */
const shop: EcommerceCollections = {
  orders: { name: 'orders', keyField: 'id' },
  customers: { name: 'customers', keyField: 'id' },
  products: { name: 'products', keyField: 'id' },
};
const shopConfig = () =>
  `{ stores: { main: { kind: 'sqlite', file: 'app.sqlite' } }, ` +
  `collections: { orders: { key: 'id' }, customers: { key: 'id' }, products: { key: 'id' } }, ` +
  `approvers: { alice: { publicKey: 'alice.pub.pem', roles: ['owner'] } }, ` +
  `derived: ${JSON.stringify(ecommerceDerived({ orders: 'orders', customers: 'customers', products: 'products' }))} }`;

/** The orders' contract: every field declared, nothing else allowed. */
function writeOrdersContract(dir: string): void {
  const line = {
    type: 'object',
    additionalProperties: false,
    properties: {
      sku: { type: 'string' },
      qty: { type: ['integer', 'null'] },
      unit_price: { type: 'integer' },
      line_total: { type: ['integer', 'null'] },
      product_name: { type: 'string' },
    },
  };
  const schema = {
    type: 'object',
    additionalProperties: false,
    required: ['id', 'schemaVersion', 'status'],
    properties: {
      id: { type: 'string' },
      schemaVersion: { type: 'integer' },
      status: { type: 'string' },
      customerId: { type: ['string', 'null'] },
      customer_name_at_order: { type: ['string', 'null'] },
      total: { type: 'integer' },
      lines: { type: 'array', items: line },
    },
  };
  mkdirSync(join(dir, 'contracts'), { recursive: true });
  writeFileSync(
    join(dir, 'contracts', 'orders.contract.json'),
    JSON.stringify({ collection: 'orders', owner: 'checkout', versions: [{ version: 1, schema }] }),
  );
}

describe('steward drift on an e-commerce project (array elements, self-sourced totals, a snapshot)', () => {
  let dir: string;
  let plan: EcommercePlanted;
  const steward = (...args: string[]) => runSteward(args, { cwd: dir, env: { STEWARD_ACTOR: 'ci' } });
  const reportOf = (stdout: string, name: string) =>
    (JSON.parse(stdout) as { reports: DriftReport[] }).reports.find((r) => r.derived === name)!;
  const repairOf = (stdout: string, name: string) =>
    (JSON.parse(stdout) as { reports: RepairReport[] }).reports.find((r) => r.derived === name)!;

  before(async () => {
    dir = projectWithConfig(shopConfig());
    assert.equal((await steward('approvals', 'keygen', '--out', 'alice')).code, 0);
    const store = await openStore({ kind: 'sqlite', file: join(dir, 'app.sqlite') });
    plan = await seedEcommerce(store, shop, { schemaVersion: 1 });
    await store.close();
    writeOrdersContract(dir);
  });

  test('check, rebuild --id, repair and a forced snapshot fill count what was planted; the snapshot check then exits 0', async () => {
    const first = await steward('drift', 'check', '--json');
    assert.equal(first.code, 1, first.stderr);
    assert.equal(reportOf(first.stdout, 'orders.lines[].line_total').drift, plan.lineTotalDrift.length);
    assert.equal(reportOf(first.stdout, 'orders.lines[].product_name').drift, plan.productNameDrift.length);
    assert.equal(reportOf(first.stdout, 'orders.total').drift, plan.totalDrift.length);
    const snapshot = reportOf(first.stdout, 'orders.customer_name_at_order');
    assert.deepEqual(
      [snapshot.drift, snapshot.snapshot?.differsFromSource, snapshot.snapshot?.missing],
      [0, plan.snapshotDiffers.length, plan.snapshotMissing.length],
    );
    const hash = await steward('drift', 'check', '--method', 'hash', '--group-size', '5', '--json');
    assert.equal(reportOf(hash.stdout, 'orders.lines[].line_total').drift, plan.lineTotalDrift.length);

    const target = plan.lineTotalDrift[0]!;
    const inOrder = plan.lineTotalDrift.filter((p) => p.key === target.key).length;
    const one = await steward('rebuild', 'orders.lines[].line_total', '--id', String(target.key), '--json');
    assert.equal(one.code, 0, one.stderr);
    assert.equal((JSON.parse(one.stdout) as { report: RepairReport }).report.written, inOrder);

    const repair = await steward('drift', 'repair', '--json');
    assert.equal(repair.code, 1, 'the missing snapshots are left alone');
    assert.equal(
      repairOf(repair.stdout, 'orders.lines[].line_total').written,
      plan.lineTotalDrift.length - inOrder,
    );
    assert.equal(
      repairOf(repair.stdout, 'orders.lines[].product_name').written,
      plan.productNameDrift.length,
    );
    assert.equal(repairOf(repair.stdout, 'orders.total').written, plan.totalDrift.length);
    const kept = repairOf(repair.stdout, 'orders.customer_name_at_order');
    assert.deepEqual([kept.written, kept.skipped], [0, plan.snapshotMissing.length]);

    // Repaired line totals leave the totals of their orders behind: exactly those drift now.
    const totals = await steward('drift', 'check', 'orders.total', '--json');
    assert.equal(totals.code, 1);
    const wrongBefore = new Set(plan.totalDrift.map((p) => p.key));
    const behind = plan.totalDriftAfterLineRepair.filter((p) => !wrongBefore.has(p.key));
    assert.equal(reportOf(totals.stdout, 'orders.total').drift, behind.length);
    assert.equal((await steward('drift', 'repair', 'orders.total')).code, 0);

    const refused = await steward('drift', 'repair', 'orders.customer_name_at_order', '--force');
    assert.equal(refused.code, 1);
    const subject = /approvals sign (snap-[0-9a-f]+)/.exec(refused.stderr)?.[1];
    assert.ok(subject, refused.stderr);
    const sign = await steward(
      'approvals',
      'sign',
      subject,
      '--kind',
      'derived.snapshot-refresh',
      '--key',
      'alice.key.pem',
      '--approver',
      'alice',
      '--role',
      'owner',
    );
    assert.equal(sign.code, 0, sign.stderr);
    const filled = await steward('drift', 'repair', 'orders.customer_name_at_order', '--force', '--json');
    assert.equal(filled.code, 0, filled.stderr);
    assert.equal(
      repairOf(filled.stdout, 'orders.customer_name_at_order').written,
      plan.snapshotMissing.length,
    );

    const snap = await steward('drift', 'check', 'orders.customer_name_at_order', '--json');
    assert.equal(snap.code, 0, 'a snapshot that differs from its source by design is not drift');
    assert.equal(
      reportOf(snap.stdout, 'orders.customer_name_at_order').snapshot?.differsFromSource,
      plan.snapshotDiffers.length,
    );
    for (const method of ['exact', 'hash'])
      assert.equal(
        (await steward('drift', 'check', '--method', method, '--group-size', '5')).code,
        0,
        method,
      );
    const status = await steward('derived', 'status', 'orders.customer_name_at_order');
    assert.match(status.stdout, /not-applicable: a snapshot keeps the value of its moment/);
    assert.match(status.stdout, /missing snapshots 0/);
  });

  test("contracts verify passes documents carrying steward's metadata, and names a field the contract does not allow", async () => {
    const verify = await steward('contracts', 'verify', 'orders');
    assert.equal(verify.code, 0, verify.stdout);
    assert.match(verify.stdout, /100\.0% conforming/);
    const store = await openStore({ kind: 'sqlite', file: join(dir, 'app.sqlite') });
    const stamped = await store.collection(shop.orders).getMany([plan.lineTotalDrift[0]!.key]);
    assert.ok([...stamped.values()][0]!._projection, 'the repair stamped the document');
    await store.collection(shop.orders).write([{ type: 'patch', key: 'o-0002', set: { coupon: 'SAVE5' } }]);
    await store.close();
    const unknown = await steward('contracts', 'verify', 'orders');
    assert.equal(unknown.code, 1);
    assert.match(unknown.stdout, /"o-0002" {2}v1 {2}coupon is not declared/);
  });
});

describe('steward drift incidents: filters, pages, and a check that says when its list is cut', () => {
  let dir: string;
  const steward = (...args: string[]) => runSteward(args, { cwd: dir, env: { STEWARD_ACTOR: 'ci' } });

  before(async () => {
    dir = projectWithConfig(shopConfig());
    assert.equal((await steward('approvals', 'keygen', '--out', 'alice')).code, 0);
    const store = await openStore({ kind: 'sqlite', file: join(dir, 'app.sqlite') });
    const plan = await seedEcommerce(store, shop, { orders: 1100 });
    const orders = store.collection(shop.orders);
    const keys = Array.from({ length: plan.counts.orders }, (_, i) => `o-${String(i + 1).padStart(4, '0')}`);
    await orders.write(keys.map((key) => ({ type: 'patch' as const, key, set: { total: -1 } })));
    await store.close();
  });

  test('drift check --json lists 1,000 findings and says how to get the rest', async () => {
    const check = await steward('drift', 'check', 'orders.total', '--json');
    assert.equal(check.code, 1);
    const report = (JSON.parse(check.stdout) as { reports: DriftReport[] }).reports[0]!;
    assert.equal(report.drift, 1100);
    assert.equal(report.findings.length, 1000);
    assert.equal(report.truncated, true);
    assert.equal(report.rest, 'steward drift incidents orders.total --status open --json');
    const text = await steward('drift', 'check', 'orders.total');
    assert.match(text.stdout, /\.\.\. and 1,080 more: steward drift incidents orders\.total lists them all/);
  });

  test('drift incidents pages through all of them with --limit and --cursor, and filters', async () => {
    const ids = new Set<string>();
    let cursor: string | undefined;
    let pages = 0;
    do {
      const run = await steward(
        'drift',
        'incidents',
        'orders.total',
        '--limit',
        '400',
        ...(cursor ? ['--cursor', cursor] : []),
        '--json',
      );
      assert.equal(run.code, 0, run.stderr);
      const page = JSON.parse(run.stdout) as {
        incidents: { id: string }[];
        next: string | null;
        truncated: boolean;
        more?: string;
      };
      for (const i of page.incidents) ids.add(i.id);
      assert.equal(page.truncated, page.next !== null);
      if (page.next)
        assert.match(page.more!, /^steward drift incidents orders\.total --limit 400 --json --cursor /);
      cursor = page.next ?? undefined;
      pages++;
    } while (cursor);
    assert.deepEqual([pages, ids.size], [3, 1100]);
    const text = await steward('drift', 'incidents', '--limit', '2');
    assert.equal(text.stdout.trim().split('\n').length, 3);
    assert.match(
      text.stdout,
      /^open {3}drift {12}orders\.total "o-\d{4}" {2}stored -1, source gives \d+ {2}open since /m,
    );
    assert.match(text.stdout, /2 shown; more match: steward drift incidents --limit 2 --cursor \S+$/m);
    const none = await steward('drift', 'incidents', '--older-than', '1h', '--kind', 'drift');
    assert.equal(none.stdout.trim(), 'no incidents');
    const closed = await steward('drift', 'incidents', '--status', 'closed', '--json');
    assert.equal((JSON.parse(closed.stdout) as { count: number }).count, 0);
  });
});
