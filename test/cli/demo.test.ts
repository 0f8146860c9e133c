/** The README's first command: `steward demo` on the embedded default, run from the built package. */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { commands } from '../../src/cli/commands/index.js';
import { loadConfig } from '../../src/config/load-config.js';
import { parseFilter } from '../../src/core/filter.js';
import { ledgerNamespace } from '../../src/ledger/ledger-namespace.js';
import { openStore } from '../../src/stores/open-store.js';
import { tokensAuthenticate } from '../../src/workspace/tokens.js';
import { runSteward } from '../support/run-steward.js';

test('steward demo builds the example and finds exactly the faults it injected', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'steward-demo-'));
  const run = await runSteward(['demo', '--docs', '5000', '--json'], { cwd });
  assert.equal(run.code, 0, run.stderr);
  const result = JSON.parse(run.stdout) as {
    integrity: {
      orphansFound: number;
      orphansInjected: number;
      orphansByReference: Record<string, number>;
      refusedWithoutApproval: number;
      repaired: Record<string, number>;
      orphansAfterRepair: number;
      changedBySecondRepair: number;
    };
    derived: {
      driftFound: number;
      driftInjected: number;
      repaired: number;
      snapshotsKept: number;
      snapshotDifferencesInjected: number;
      driftAfterRepair: number;
      rebuild: { examined: number; written: number };
    };
    migrations: {
      firstDryRunFailed: boolean;
      approvedBy: string[];
      canaryDocs: number;
      applied: number;
      remainingAtTarget: number;
      exact: boolean;
    };
    segmentCounts: number[];
    taskCount: number;
    rivalRefused: boolean;
    auditIntact: boolean;
    tamperDetected: boolean;
    contracts: {
      breakingRejected: boolean;
      affected: string[];
      safeAccepted: boolean;
      nonConforming: number;
      badShapeInjected: number;
      svgFile: string;
    };
    configFile: string;
  };
  // Integrity: exactly the injected orphans, repaired by policy (deletions only once approved), then clean.
  const { integrity } = result;
  assert.ok(integrity.orphansInjected > 0);
  assert.equal(integrity.orphansFound, integrity.orphansInjected);
  const deletable = ['tasks.caseId', 'assignments.caseId', 'case_events.caseId'];
  const toDelete = deletable.reduce((n, ref) => n + (integrity.orphansByReference[ref] ?? 0), 0);
  assert.equal(integrity.refusedWithoutApproval, toDelete);
  assert.equal(integrity.repaired['delete-dependent'], toDelete);
  assert.equal(
    Object.values(integrity.repaired).reduce((a, b) => a + b, 0),
    integrity.orphansFound,
    JSON.stringify(integrity.repaired),
  );
  assert.equal(integrity.orphansAfterRepair, 0);
  assert.equal(integrity.changedBySecondRepair, 0);

  // Derived data: exactly the injected drift, repaired or rebuilt, then clean; a snapshot's planted
  // differences from its source are reported apart, as taken, never as drift.
  const { derived } = result;
  assert.ok(derived.driftInjected > 0);
  assert.equal(derived.driftFound, derived.driftInjected);
  assert.ok(derived.rebuild.written > 0, 'the rebuilt tenant held a drifted counter');
  assert.equal(derived.rebuild.written + derived.repaired, derived.driftFound);
  assert.ok(derived.snapshotDifferencesInjected > 0);
  assert.equal(derived.snapshotsKept, derived.snapshotDifferencesInjected);
  assert.equal(derived.driftAfterRepair, 0);

  // The migration: stopped by its validator once, approved twice, canary first, rolled back exactly.
  const { migrations } = result;
  assert.equal(migrations.firstDryRunFailed, true);
  assert.deepEqual(migrations.approvedBy, ['alice', 'bob']);
  assert.ok(migrations.canaryDocs > 0 && migrations.canaryDocs < migrations.applied);
  assert.equal(migrations.remainingAtTarget, 0);
  assert.equal(migrations.exact, true);
  assert.equal(result.segmentCounts.length, 4);
  assert.equal(
    result.segmentCounts.reduce((a, b) => a + b, 0),
    result.taskCount,
  );
  assert.equal(result.rivalRefused, true);
  assert.equal(result.auditIntact, true);
  assert.equal(result.tamperDetected, true);
  assert.ok(existsSync(join(cwd, '.steward/demo/steward.sqlite')));
  assert.equal(result.contracts.breakingRejected, true);
  assert.ok(result.contracts.affected.includes('reporting'), `affected: ${result.contracts.affected}`);
  assert.equal(result.contracts.safeAccepted, true);
  assert.ok(result.contracts.badShapeInjected > 0);
  assert.equal(result.contracts.nonConforming, result.contracts.badShapeInjected);
  assert.ok(existsSync(result.contracts.svgFile));
  const verifyContracts = await runSteward(['contracts', 'verify', '--config', result.configFile], { cwd });
  assert.equal(verifyContracts.code, 1, 'the planted bad shapes are still there');
  assert.match(verifyContracts.stdout, /cases/);

  // The config the demo leaves behind works with the other commands.
  const verify = await runSteward(['audit', 'verify', '--config', result.configFile], { cwd });
  assert.equal(verify.code, 0, verify.stderr);
  assert.match(verify.stdout, /audit log ok: \d+ records/);
  const count = await runSteward(['count', 'tasks', '--config', result.configFile], { cwd });
  assert.equal(
    count.stdout.trim(),
    String(result.taskCount - (integrity.orphansByReference['tasks.caseId'] ?? 0)),
  );
  const doctor = await runSteward(['doctor', '--config', result.configFile], { cwd });
  assert.equal(doctor.code, 0, doctor.stderr);
  assert.match(doctor.stdout, /ledger in "demo": ok, audit log of \d+ records verified/);

  // Change one audit record behind steward's back: verify and doctor both exit 1 and name it.
  const store = await openStore({ kind: 'sqlite', file: join(cwd, '.steward/demo/steward.sqlite') });
  try {
    const audit = store.collection(ledgerNamespace(store).audit);
    const [record] = (await audit.scan({ filter: parseFilter({ seq: 2 }) })).docs;
    assert.ok(record, 'audit record 2 exists');
    await audit.write([{ type: 'replace', doc: { ...record, action: 'nothing.to.see' } }]);
  } finally {
    await store.close();
  }
  const broken = await runSteward(['audit', 'verify', '--config', result.configFile], { cwd });
  assert.equal(broken.code, 1);
  assert.match(broken.stdout, /seq 2: modified/);
  const sick = await runSteward(['doctor', '--config', result.configFile], { cwd });
  assert.equal(sick.code, 1);
  assert.match(sick.stdout, /BROKEN: 1 problem/);
});

test('the human-readable demo walks through every step', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'steward-demo-'));
  const run = await runSteward(['demo', '--docs', '2000'], { cwd });
  assert.equal(run.code, 0, run.stderr);
  const steps = [
    '1. Build',
    '2. Query',
    '3. Split',
    '4. Data contracts',
    '5. Integrity',
    '6. Derived data',
    '7. A migration',
    '8. The ledger',
    '9. Tamper',
  ];
  for (const step of steps) {
    assert.ok(run.stdout.includes(step), `step "${step}" in:\n${run.stdout}`);
  }
  assert.match(run.stdout, /verify reports: seq 1 modified/);
  assert.match(
    run.stdout,
    /proposal 1, cases v2 without "priority":[\s\S]*?consumer-reads-removed-field.*reporting/,
  );
  assert.match(run.stdout, /proposal 2, cases v2 with an optional "closedReason": accepted/);
  assert.match(run.stdout, /second scan: 0 orphans/);
  assert.match(run.stdout, /checksum equal to the one before apply/);
  // It ends with how to serve the example, and the tokens it prints open the API in their roles.
  const serve = /steward serve --config (\S+) --port 7373/.exec(run.stdout);
  assert.ok(serve, run.stdout);
  const config = await loadConfig({ path: serve[1]! });
  for (const role of ['viewer', 'approver']) {
    const token = new RegExp(`${role} token \\([^)]*\\): +(stw_\\S+)`).exec(run.stdout)?.[1];
    assert.ok(token, `a ${role} token in the output`);
    const check = await tokensAuthenticate(config, token);
    assert.ok(check.ok, `the ${role} token authenticates`);
    assert.deepEqual([check.name, check.role], [`demo-${role}`, role]);
    assert.ok(Date.parse(check.expiresAt) > Date.now(), `the ${role} token has not expired`);
  }
});

test('the demo writes only in its own folder, and runs again there, removing only what it wrote', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'steward-demo-'));
  // A user's project around the default folder (.steward/demo) is left alone.
  mkdirSync(join(cwd, 'migrations'));
  writeFileSync(join(cwd, 'migrations', 'mine.migration.ts'), 'export default {};\n');
  writeFileSync(join(cwd, 'steward.config.json'), '{"stores":{}}\n');
  const dir = join(cwd, '.steward', 'demo');
  const first = await runSteward(['demo', '--docs', '200'], { cwd });
  assert.equal(first.code, 0, first.stderr);
  assert.ok(first.stdout.includes(`writing in ${dir}, a new folder`), first.stdout);
  assert.match(first.stdout, /wrote \d+ files and folders in .*, listed in \.steward-demo\.json/);
  const marker = JSON.parse(readFileSync(join(dir, '.steward-demo.json'), 'utf8')) as { entries: string[] };
  assert.ok(marker.entries.includes('steward.sqlite') && marker.entries.includes('keys/alice.key.pem'));

  const again = await runSteward(['demo', '--docs', '200', '--json'], { cwd });
  assert.equal(again.code, 0, again.stderr);
  const result = JSON.parse(again.stdout) as { dir: string; written: string[] };
  assert.equal(result.dir, dir);
  assert.deepEqual(result.written, marker.entries, 'the same files, rebuilt');
  assert.deepEqual(readdirSync(cwd).sort(), ['.steward', 'migrations', 'steward.config.json']);
  assert.equal(readFileSync(join(cwd, 'steward.config.json'), 'utf8'), '{"stores":{}}\n');
  assert.deepEqual(readdirSync(join(cwd, 'migrations')), ['mine.migration.ts']);

  // Something the demo did not write in its folder: refused, and nothing removed.
  writeFileSync(join(dir, 'contracts', 'mine.contract.json'), '{}');
  const refused = await runSteward(['demo', '--docs', '200'], { cwd });
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /also holds contracts\/mine\.contract\.json, which the demo did not write/);
  assert.ok(existsSync(join(dir, 'contracts', 'mine.contract.json')));
  assert.ok(existsSync(join(dir, 'steward.sqlite')), 'the last demo is still there');
});

test('every command answers --help with its usage and exit code 0', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'steward-help-'));
  for (const command of commands) {
    const run = await runSteward([...command.path, '--help'], { cwd });
    assert.equal(run.code, 0, `${command.path.join(' ')}: ${run.stderr}`);
    assert.match(run.stdout, new RegExp(`^Usage: steward ${command.path.join(' ')}`));
    assert.match(run.stdout, /--json/);
  }
  const top = await runSteward(['--help'], { cwd });
  assert.equal(top.code, 0);
  for (const command of commands) assert.ok(top.stdout.includes(command.path.join(' ')));
});
