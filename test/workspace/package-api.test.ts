/**
 * steward as a library, the way a service or a script uses it: a project whose node_modules holds
 * the built package (a link to this repository, whose `exports` point at dist/) imports
 * `steward` and runs a reference scan, a drift check, a migration plan and its dry run through
 * the exported API alone, with nothing from the CLI. Run against every selected store.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { caseManagementModel, exampleCollectionNames } from '../../src/example/case-management-model.js';
import { writeExampleContracts } from '../../src/example/example-contracts.js';
import { exampleDerived } from '../../src/example/example-derived.js';
import {
  exampleContractsV2,
  exampleMigrationId,
  writeExampleMigration,
} from '../../src/example/example-migrations.js';
import type { StoreConfig } from '../../src/stores/store-config.js';
import { dropExample } from '../support/drop-example.js';
import { selectedKinds, testStoreConfig } from '../support/test-stores.js';

const repository = join(import.meta.dirname, '../..');

/** The user's script: only `steward`, as the package exports it. */
const script = `
import { driftCheck, exampleGenerate, loadConfig, migrateDryRun, migratePlan, refsScan } from 'steward';

const config = await loadConfig();
const run = { actor: 'a-script' };
const { manifest } = await exampleGenerate(config, { docs: 600, seed: 7, faults: { orphans: 6, drift: 5 } });
const scanEvents = [];
const scan = await refsScan(config, {}, { ...run, onProgress: (e) => scanEvents.push(e.type) });
const drift = await driftCheck(config, {}, run);
const plan = await migratePlan(config, {}, run);
const dryRun = await migrateDryRun(config, {}, run);
console.log(JSON.stringify({
  faults: manifest.faults.map((f) => f.kind),
  scan: { ok: scan.ok, orphans: scan.references.reduce((n, r) => n + r.orphans, 0), events: [...new Set(scanEvents)] },
  drift: { ok: drift.ok, drift: drift.drift, checked: drift.reports.length },
  plan: { hash: plan.hash, migrations: plan.migrations.map((m) => m.id) },
  dryRun: { planHash: dryRun.report.planHash, ok: dryRun.report.ok, hash: dryRun.hash },
}));
`;

interface ScriptResult {
  faults: string[];
  scan: { ok: boolean; orphans: number; events: string[] };
  drift: { ok: boolean; drift: number; checked: number };
  plan: { hash: string; migrations: string[] };
  dryRun: { planHash: string; ok: boolean; hash: string };
}

for (const kind of selectedKinds()) {
  describe(`steward as a library on ${kind}`, () => {
    test('a script importing the built package scans, checks drift, plans and dry-runs a migration', async () => {
      const storeConfig = testStoreConfig(kind);
      const dir = userProject(storeConfig);
      try {
        const run = await node(dir, 'user.mjs');
        assert.equal(run.code, 0, run.stderr);
        const result = JSON.parse(run.stdout) as ScriptResult;
        const injected = (kind: string) => result.faults.filter((f) => f === kind).length;
        assert.equal(result.scan.ok, false);
        assert.equal(result.scan.orphans, injected('orphan'));
        assert.ok(result.scan.events.includes('scanned'), `progress events: ${result.scan.events}`);
        assert.equal(result.drift.ok, false);
        assert.equal(result.drift.drift, injected('drift'));
        assert.equal(result.drift.checked, caseManagementModel.derived.length);
        assert.deepEqual(result.plan.migrations, [exampleMigrationId]);
        assert.equal(result.dryRun.planHash, result.plan.hash);
        assert.equal(result.dryRun.ok, true);
        assert.match(result.dryRun.hash, /^[0-9a-f]+$/);
      } finally {
        await dropExample(storeConfig);
      }
    });
  });
}

/**
 * A fresh project as a user makes one: node_modules/steward linking to the built package, a
 * config for the example on the store, its v2 contracts and migration, and the user's script.
 */
function userProject(store: StoreConfig): string {
  const dir = mkdtempSync(join(tmpdir(), 'steward-package-'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(repository, join(dir, 'node_modules', 'steward'), 'dir');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'a-service', type: 'module' }));
  writeExampleContracts(join(dir, 'contracts'), exampleContractsV2());
  writeExampleMigration(join(dir, 'migrations'));
  const config = {
    stores: { main: store },
    collections: Object.fromEntries(exampleCollectionNames.map((n) => [n, { key: 'id' }])),
    references: Object.fromEntries(
      caseManagementModel.references.map((r) => [`${r.collection}.${r.field}`, { target: r.target }]),
    ),
    derived: exampleDerived(),
    contracts: { dir: 'contracts' },
    migrations: { dir: 'migrations' },
  };
  writeFileSync(join(dir, 'steward.config.json'), JSON.stringify(config, null, 2));
  writeFileSync(join(dir, 'user.mjs'), script);
  return dir;
}

/** Runs a script with plain Node (no tsx, no loader): only what the package ships can run. */
function node(cwd: string, file: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => {
      stdout += b;
    });
    child.stderr.on('data', (b) => {
      stderr += b;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, stdout, stderr });
    });
  });
}
