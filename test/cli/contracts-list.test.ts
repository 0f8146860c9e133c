/** `contracts list` and `contracts export` through the built CLI: they need contracts, not a store. */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { writeExampleContracts } from '../../src/example/example-contracts.js';
import { projectWithConfig, runSteward } from '../support/run-steward.js';

function exampleProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'steward-contracts-cli-'));
  writeExampleContracts(join(dir, 'contracts'));
  return dir;
}

describe('contracts list and export', () => {
  test('list reads ./contracts without any config', async () => {
    const run = await runSteward(['contracts', 'list', '--json'], { cwd: exampleProject() });
    assert.equal(run.code, 0, run.stderr);
    const result = JSON.parse(run.stdout) as { contracts: { collection: string; owner: string }[] };
    assert.equal(result.contracts.length, 9);
    assert.deepEqual(result.contracts.find((c) => c.collection === 'cases')?.owner, 'case-service');
  });

  test("list follows the config's contracts.dir", async () => {
    const dir = projectWithConfig(
      `{ stores: { main: { kind: 'sqlite', file: 'a.sqlite' } }, contracts: { dir: 'data-contracts' } }`,
    );
    writeExampleContracts(join(dir, 'data-contracts'));
    const run = await runSteward(['contracts', 'list'], { cwd: dir });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /9 contract\(s\) in .*data-contracts/);
    assert.match(
      run.stdout,
      /case_list\s+v1\s+owner case-list-projector\s+full-transitive\/lenient\s+consumers: case-portal/,
    );
  });

  test('export writes the canonical JSON, which loads back to the same contracts', async () => {
    const dir = exampleProject();
    const run = await runSteward(['contracts', 'export', '--out', 'exported'], { cwd: dir });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(readdirSync(join(dir, 'exported')).length, 9);
    const cases = JSON.parse(readFileSync(join(dir, 'exported', 'cases.contract.json'), 'utf8'));
    assert.equal(cases.compatibility.mode, 'full-transitive');
    assert.equal(cases.fields.assignedOfficerName.source, 'officers.name');
    const again = await runSteward(['contracts', 'list', '--json', '--dir', 'exported'], { cwd: dir });
    assert.equal(again.code, 0, again.stderr);
    assert.equal(JSON.parse(again.stdout).contracts.length, 9);
  });

  test('a contract naming an unknown field is exit 2 with the file and path, no stack trace', async () => {
    const dir = exampleProject();
    const file = join(dir, 'contracts', 'cases.contract.json');
    const contract = JSON.parse(readFileSync(file, 'utf8'));
    contract.consumers.reporting.reads.push('closedReason');
    writeFileSync(file, JSON.stringify(contract));
    const run = await runSteward(['contracts', 'list'], { cwd: dir });
    assert.equal(run.code, 2);
    assert.match(
      run.stderr,
      /cases\.contract\.json: consumers\.reporting\.reads: "closedReason" is not a field of any version of cases/,
    );
    assert.doesNotMatch(run.stderr, /\n\s+at /);
  });
});
