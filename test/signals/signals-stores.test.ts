/**
 * Signals as a job leaves them, on every selected store: the example with planted orphans and
 * drift, scanned, drift-checked, its migration applied and rolled back through the library API,
 * each job recording into a prom-client registry of the test's own. The scrape text has the
 * series and values the jobs saw (orphans as planted, drift as planted, histogram buckets, drift
 * repair outcomes, projection lag against policy, documents per migration stage), and the migration's OpenLineage RunEvents, written to a
 * JSON-lines file and POSTed to a real HTTP receiver, are valid by the OpenLineage JSON Schema
 * and link the canary and apply runs to the migration run.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Registry } from 'prom-client';
import { loadConfig } from '../../src/config/load-config.js';
import { caseManagementModel, exampleCollectionNames } from '../../src/example/case-management-model.js';
import { writeExampleContracts } from '../../src/example/example-contracts.js';
import { exampleDerived } from '../../src/example/example-derived.js';
import {
  exampleContractsV2,
  exampleMigrationId,
  writeExampleMigration,
} from '../../src/example/example-migrations.js';
import type { RunEvent } from '../../src/signals/openlineage-event.js';
import { stewardMetrics } from '../../src/signals/steward-metrics.js';
import type { StoreConfig } from '../../src/stores/store-config.js';
import { approvalsKeygen } from '../../src/workspace/approvals.js';
import { derivedStatus } from '../../src/workspace/derived/derived-status.js';
import { driftCheck } from '../../src/workspace/derived/drift-check.js';
import { driftRepair } from '../../src/workspace/derived/drift-repair.js';
import { exampleGenerate } from '../../src/workspace/example-generate.js';
import { refsScan } from '../../src/workspace/integrity/refs-scan.js';
import { migrateApply } from '../../src/workspace/migrations/migrate-apply.js';
import { migrateApprove } from '../../src/workspace/migrations/migrate-approve.js';
import { migrateDryRun } from '../../src/workspace/migrations/migrate-dry-run.js';
import { migratePlan } from '../../src/workspace/migrations/migrate-plan.js';
import { migrateRollback } from '../../src/workspace/migrations/migrate-rollback.js';
import { dropExample } from '../support/drop-example.js';
import { assertRunEvent } from '../support/openlineage-schema.js';
import { namingProblems, parseExposition, series, total, value } from '../support/prometheus-text.js';
import { selectedKinds, testStoreConfig } from '../support/test-stores.js';

for (const kind of selectedKinds()) {
  describe(`signals on ${kind}`, () => {
    test('scan, drift check, apply and rollback leave their metrics and OpenLineage RunEvents', async () => {
      const storeConfig = testStoreConfig(kind);
      const receiver = await lineageReceiver();
      const dir = project(storeConfig, receiver.url);
      const metrics = stewardMetrics({ registry: new Registry() });
      const run = { actor: 'signals-test', metrics };
      try {
        const config = await loadConfig({ cwd: dir });
        const { manifest } = await exampleGenerate(config, {
          docs: 400,
          seed: 11,
          faults: { orphans: 7, drift: 4 },
        });
        const planted = (k: string) => manifest.faults.filter((f) => f.kind === k);
        const scan = await refsScan(config, {}, run);
        const drift = await driftCheck(config, {}, run);
        const repaired = await driftRepair(config, {}, run);
        const freshness = await derivedStatus(config, {}, run);
        const plan = await migratePlan(config, {}, run);
        assert.equal(((await migrateDryRun(config, {}, run)) as { report: { ok: boolean } }).report.ok, true);
        await migrateApprove(
          config,
          {
            planHash: plan.hash,
            signer: {
              keyFile: join(dir, 'keys/alice.key.pem'),
              approver: 'alice',
              role: 'dba',
              expiresInMs: 3_600_000,
            },
          },
          run,
        );
        const applied = await migrateApply(config, {}, run);
        assert.equal(applied.report.status, 'applied');
        assert.deepEqual(applied.warnings, []);

        const e = parseExposition(await metrics.registry.metrics());
        assert.deepEqual(namingProblems(e), []);
        // Orphans: per reference as the scan counted them, and in all as many as were planted.
        for (const r of scan.references) {
          const reference = { reference: r.reference };
          assert.equal(value(e, 'steward_orphans', reference), 'orphans' in r ? r.orphans : -1);
          assert.equal(value(e, 'steward_scan_duration_seconds_count', reference), 1);
          assert.equal(value(e, 'steward_scan_duration_seconds_bucket', { ...reference, le: '+Inf' }), 1);
          assert.equal(series(e, 'steward_scan_duration_seconds_bucket', reference).length, 14);
        }
        assert.equal(total(e, 'steward_orphans'), planted('orphan').length);
        assert.equal(total(e, 'steward_orphans_found_total'), planted('orphan').length);
        for (const f of planted('orphan'))
          assert.ok(value(e, 'steward_open_incidents', { reference: `${f.collection}.${f.field}` }) >= 1);
        // Drift: per derived state, as planted.
        assert.equal(total(e, 'steward_drift'), planted('drift').length);
        assert.equal(total(e, 'steward_drift'), drift.drift);
        assert.equal(
          series(e, 'steward_drift_check_duration_seconds_count').length,
          caseManagementModel.derived.length,
        );
        // Drift repair outcomes, and each derived state's lag against its policy as status measured it.
        for (const r of repaired.reports)
          for (const outcome of ['written', 'unchanged', 'skipped', 'failed'] as const)
            assert.equal(
              value(e, 'steward_drift_repairs_total', { derived: r.derived, outcome }),
              r[outcome],
            );
        assert.ok(total(e, 'steward_drift_repairs_total', { outcome: 'written' }) > 0, 'drift was repaired');
        for (const s of freshness.statuses) {
          const derived = { derived: s.derived };
          const lag = series(e, 'steward_derived_lag_seconds', derived).map((x) => x.value);
          assert.deepEqual(lag, s.lagMs === null ? [] : [s.lagMs / 1000]);
          const allowance = series(e, 'steward_derived_staleness_allowance_seconds', derived).map(
            (x) => x.value,
          );
          assert.deepEqual(allowance, s.stalenessMs === null ? [] : [s.stalenessMs / 1000]);
          const within = series(e, 'steward_derived_within_policy', derived).map((x) => x.value);
          assert.deepEqual(within, s.state === 'within' ? [1] : s.state === 'outside' ? [0] : []);
        }
        assert.ok(
          freshness.statuses.some((s) => s.lagMs !== null),
          `a derived state with a measured lag: ${JSON.stringify(freshness.statuses.map((s) => [s.derived, s.lagMs, s.state]))}`,
        );
        // Migration progress: every subject processed, canary and rest together; the planned count.
        const m = { migration: exampleMigrationId };
        const counts = applied.report.migrations[0]!.counts;
        const done = total(e, 'steward_migration_documents_done', m);
        assert.equal(done, counts.changed + counts.skipped + counts.failed);
        const stages = JSON.stringify(series(e, 'steward_migration_documents_done', m));
        // The canary takes documents by key hash: on a small collection it may take none.
        assert.ok(
          value(e, 'steward_migration_documents_done', { ...m, stage: 'canary' }) >= counts.canary,
          stages,
        );
        assert.ok(value(e, 'steward_migration_documents_done', { ...m, stage: 'rest' }) > 0, stages);
        assert.equal(value(e, 'steward_migration_documents_planned', { ...m, collection: 'subjects' }), done);
        assert.equal(value(e, 'steward_migration_runs_total', { direction: 'up', outcome: 'applied' }), 1);

        const rolledBack = await migrateRollback(config, {}, run);
        assert.equal(rolledBack.report.status, 'rolled-back');
        assert.deepEqual(rolledBack.warnings, []);

        const lines = readFileSync(join(dir, 'lineage.jsonl'), 'utf8').trim().split('\n');
        const events = lines.map((l) => JSON.parse(l) as RunEvent);
        for (const event of events) assertRunEvent(event);
        assert.deepEqual(receiver.events, events, 'the HTTP receiver got the same events, in order');
        assert.ok(receiver.paths.every((p) => p === '/api/v1/lineage'));
        assertMigrationRuns(events, {
          plan: plan.hash,
          store: 'main',
          approvals: applied.report.approvals!.used,
        });
      } finally {
        await receiver.close();
        await dropExample(storeConfig);
      }
    });
  });
}

/** The runs of one apply and its rollback, in order, linked and faceted as docs/migrations.md says. */
function assertMigrationRuns(
  events: RunEvent[],
  expected: { plan: string; store: string; approvals: readonly string[] },
): void {
  const job = `migrate.${exampleMigrationId}`;
  assert.deepEqual(
    events.map((e) => [e.eventType, e.job.name]),
    [
      ['START', job],
      ['START', `${job}.canary`],
      ['COMPLETE', `${job}.canary`],
      ['START', `${job}.apply`],
      ['COMPLETE', `${job}.apply`],
      ['COMPLETE', job],
      ['START', `${job}.rollback`],
      ['COMPLETE', `${job}.rollback`],
    ],
  );
  const runOf = (name: string) => events.find((e) => e.job.name === name)!.run.runId;
  for (const name of [job, `${job}.canary`, `${job}.apply`, `${job}.rollback`])
    assert.equal(new Set(events.filter((e) => e.job.name === name).map((e) => e.run.runId)).size, 1, name);
  assert.equal(new Set([job, `${job}.canary`, `${job}.apply`].map(runOf)).size, 3, 'a run id each');
  for (const stage of ['canary', 'apply']) {
    const parent = events.find((e) => e.job.name === `${job}.${stage}`)!.run.facets!.parent!;
    assert.deepEqual(
      { run: parent.run, job: parent.job },
      { run: { runId: runOf(job) }, job: { namespace: 'steward', name: job } },
    );
  }
  for (const e of events) {
    assert.equal(e.job.namespace, 'steward');
    assert.equal(e.run.facets!.steward_plan!.planHash, expected.plan);
    assert.deepEqual(
      e.outputs?.map((d) => [d.namespace, d.name]),
      [[expected.store, 'subjects']],
    );
  }
  const complete = events[5]!;
  assert.deepEqual(complete.run.facets!.steward_approvals!.used, expected.approvals);
  assert.match(`${complete.run.facets!.steward_auditHead!.seq}`, /^\d+$/);
  assert.match(complete.run.facets!.steward_auditHead!.hash as string, /^[0-9a-f]{64}$/);
  const rows = complete.outputs![0]!.outputFacets!.outputStatistics!.rowCount as number;
  assert.ok(rows > 0, 'the documents the migration changed');
  assert.equal(
    events[7]!.outputs![0]!.outputFacets!.outputStatistics!.rowCount,
    rows,
    'rollback restored them',
  );
}

/** A loopback OpenLineage receiver: keeps every POSTed event and answers 201 like Marquez. */
async function lineageReceiver() {
  const events: RunEvent[] = [];
  const paths: string[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      paths.push(req.url ?? '');
      events.push(JSON.parse(body) as RunEvent);
      res.writeHead(201).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/lineage`;
  return { url, events, paths, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** A project on the store: the example's config, v2 contracts, migration, an approver's keys. */
function project(store: StoreConfig, lineageUrl: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'steward-signals-'));
  mkdirSync(join(dir, 'keys'));
  approvalsKeygen({ out: join(dir, 'keys/alice') });
  writeExampleContracts(join(dir, 'contracts'), exampleContractsV2());
  writeExampleMigration(join(dir, 'migrations'));
  const config = {
    stores: { main: store },
    collections: Object.fromEntries(exampleCollectionNames.map((n) => [n, { key: 'id' }])),
    references: Object.fromEntries(
      caseManagementModel.references.map((r) => [`${r.collection}.${r.field}`, { target: r.target }]),
    ),
    derived: exampleDerived(),
    approvers: { alice: { publicKey: 'keys/alice.pub.pem', roles: ['dba'] } },
    contracts: { dir: 'contracts' },
    migrations: {
      dir: 'migrations',
      canaryPercent: 10,
      batchSize: 100,
      lineage: { jsonl: 'lineage.jsonl', webhook: { url: lineageUrl } },
    },
  };
  writeFileSync(join(dir, 'steward.config.json'), JSON.stringify(config, null, 2));
  return dir;
}
