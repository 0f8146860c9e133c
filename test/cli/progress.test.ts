/**
 * The progress line as a person at a terminal sees it: the built CLI driven under a
 * pseudo-terminal (`script` from util-linux), on a SQLite project holding enough of the example to
 * take a moment. `refs scan`, `drift check` and `migrate apply` each draw a line with done, a
 * total ("~" for the store's estimate) and a rate per phase; the same commands piped write no
 * control characters at all.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { caseManagementModel, exampleCollectionNames } from '../../src/example/case-management-model.js';
import { writeExampleContracts } from '../../src/example/example-contracts.js';
import { exampleDerived } from '../../src/example/example-derived.js';
import { exampleContractsV2, writeExampleMigration } from '../../src/example/example-migrations.js';
import { projectWithConfig, runSteward, stewardBin } from '../support/run-steward.js';

const collections = exampleCollectionNames.map((n) => `${n}: { key: 'id' }`).join(', ');
const references = caseManagementModel.references
  .map((r) => `'${r.collection}.${r.field}': { target: '${r.target}' }`)
  .join(', ');
const config =
  `{ stores: { main: { kind: 'sqlite', file: 'app.sqlite' } }, collections: { ${collections} }, ` +
  `references: { ${references} }, derived: ${JSON.stringify(exampleDerived())}, ` +
  `approvers: { alice: { publicKey: 'keys/alice.pub.pem', roles: ['owner'], owns: ['subject-registry'] }, ` +
  `bob: { publicKey: 'keys/bob.pub.pem', roles: ['dba'] } }, ` +
  `approvalPolicies: { migrations: { required: 2, includeOwner: true } }, ` +
  `migrations: { canaryPercent: 10, batchSize: 100 } }`;

/** What the terminal showed: stdout and stderr together, as `script` records them. */
async function underTerminal(
  cwd: string,
  args: readonly string[],
): Promise<{ code: number; screen: string }> {
  const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
  const command = [process.execPath, stewardBin, ...args].map(quote).join(' ');
  const child = spawn('script', ['-qfec', command, '/dev/null'], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let screen = '';
  child.stdout.on('data', (b) => {
    screen += b;
  });
  child.stderr.on('data', (b) => {
    screen += b;
  });
  const code = await new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (c) => resolve(c ?? 128));
  });
  return { code, screen };
}

/** Every drawn state of the progress line of `phase`: done, total, whether estimated, rate. */
function bars(screen: string, phase: string) {
  const escaped = phase.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(
    `\\r {2}${escaped} {2}\\[[#.]{24}\\] {2}([\\d,]+)/(~?)([\\d,]+)(?: {2}([\\d,]+)/s)?`,
    'g',
  );
  const n = (s: string) => Number(s.replaceAll(',', ''));
  return [...screen.matchAll(pattern)].map((m) => ({
    done: n(m[1]!),
    estimated: m[2] === '~',
    total: n(m[3]!),
    rate: m[4] === undefined ? undefined : n(m[4]),
  }));
}

/** The line of `phase` was drawn with its total and, once under way, a rate. */
function assertBarWithRate(screen: string, phase: string, total: number): void {
  const drawn = bars(screen, phase);
  assert.ok(drawn.length >= 2, `no progress line for ${phase} in:\n${JSON.stringify(screen.slice(0, 2000))}`);
  for (const bar of drawn) assert.equal(bar.total, total, phase);
  const withRate = drawn.filter((b) => b.rate !== undefined && b.rate > 0 && b.done > 0);
  assert.ok(withRate.length > 0, `no rate for ${phase}: ${JSON.stringify(drawn)}`);
  assert.ok(drawn.some((b) => b.done > 0 && b.done <= total));
}

describe('progress on a terminal, and clean when piped', () => {
  let dir: string;
  const steward = (...args: string[]) => runSteward(args, { cwd: dir, env: { STEWARD_ACTOR: 'ci' } });

  before(async () => {
    execFileSync('script', ['--version']); // util-linux: the test needs it, and fails without it
    dir = projectWithConfig(config);
    mkdirSync(join(dir, 'keys'));
    for (const name of ['alice', 'bob'])
      assert.equal((await steward('approvals', 'keygen', '--out', `keys/${name}`)).code, 0);
    writeExampleContracts(join(dir, 'contracts'), exampleContractsV2());
    writeExampleMigration(join(dir, 'migrations'));
    const generate = await steward('example', 'generate', '--docs', '40000', '--orphans', '5');
    assert.equal(generate.code, 0, generate.stderr);
  });

  test('refs scan draws done/~total and a rate per reference', async () => {
    const { code, screen } = await underTerminal(dir, ['refs', 'scan', 'tasks.caseId', '--batch', '100']);
    assert.ok(code === 0 || code === 1, screen);
    assertBarWithRate(screen, 'tasks.caseId', 16000);
    assert.ok(bars(screen, 'tasks.caseId').every((b) => b.estimated));
    assert.match(screen, /tasks\.caseId -> cases/); // the report follows the line
  });

  test('drift check draws a line per derived state with its total and rate', async () => {
    const { code, screen } = await underTerminal(dir, ['drift', 'check', '--batch', '100']);
    assert.equal(code, 0, screen);
    assertBarWithRate(screen, 'case_list.openTaskCount', 4000);
    assertBarWithRate(screen, 'cases.assignedOfficerName', 4000);
  });

  test('migrate apply draws the canary and the rest of each collection with a total and rate', async () => {
    const plan = JSON.parse((await steward('migrate', 'plan', '--json')).stdout) as { hash: string };
    assert.equal((await steward('migrate', 'dry-run')).code, 0);
    for (const [name, role] of [
      ['alice', 'owner'],
      ['bob', 'dba'],
    ] as const) {
      const args = ['--key', `keys/${name}.key.pem`, '--approver', name, '--role', role];
      assert.equal((await steward('migrate', 'approve', plan.hash, ...args)).code, 0);
    }
    const { code, screen } = await underTerminal(dir, ['migrate', 'apply', '--rate', '4000']);
    assert.equal(code, 0, screen);
    const subjects = 2800;
    assertBarWithRate(screen, '2026-07-01-subject-display-name rest subjects', subjects);
    assert.ok(bars(screen, '2026-07-01-subject-display-name canary subjects').length > 0, screen);
    assert.match(screen, /ETA \d+s/);
  });

  test('piped, the same commands write no control characters', async () => {
    for (const args of [
      ['refs', 'scan', 'tasks.caseId'],
      ['drift', 'check'],
      ['migrate', 'rollback'],
    ]) {
      const run = await steward(...args);
      assert.ok(run.code === 0 || run.code === 1, `${args.join(' ')}: ${run.stderr}`);
      assert.ok(run.stdout.length > 0);
      for (const out of [run.stdout, run.stderr])
        assert.ok(
          !out.includes('\x1b') && !out.includes('\r'),
          `${args.join(' ')} wrote a control character: ${JSON.stringify(out.slice(0, 300))}`,
        );
    }
  });
});
