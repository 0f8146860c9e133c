/**
 * `steward contracts verify` as a user runs it (the built CLI), on a SQLite project holding the
 * example with bad shapes injected: it lists exactly the bad documents and gates on them.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { exampleCollectionNames } from '../../src/example/case-management-model.js';
import { writeExampleContracts } from '../../src/example/example-contracts.js';
import type { ExampleManifest } from '../../src/example/generate-example.js';
import { projectWithConfig, runSteward } from '../support/run-steward.js';

// profiles is left out of the config (its contract is skipped); notes has no contract.
const declared = exampleCollectionNames.filter((n) => n !== 'profiles');
const collections = [...declared, 'notes'].map((n) => `${n}: {}`).join(', ');

interface VerifyJson {
  ok: boolean;
  threshold: number;
  collections: {
    collection: string;
    store: string;
    passed: boolean;
    checked: number;
    conforming: number;
    census: Record<string, number>;
    failures: { key: string; version: number; failures: { path: string; message: string }[] }[];
  }[];
  skipped: { collection: string; reason: string }[];
}

describe('steward contracts verify', () => {
  let dir: string;
  let manifest: ExampleManifest;
  const steward = (...args: string[]) => runSteward(args, { cwd: dir });

  before(async () => {
    dir = projectWithConfig(
      `{ stores: { main: { kind: 'sqlite', file: 'data/app.sqlite' } }, collections: { ${collections} } }`,
    );
    writeExampleContracts(join(dir, 'contracts'));
    const generate = await steward(
      'example',
      'generate',
      '--docs',
      '400',
      '--bad-shape',
      '6',
      '--manifest',
      'manifest.json',
    );
    assert.equal(generate.code, 0, generate.stderr);
    manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as ExampleManifest;
  });

  test('exits 1 and lists every non-conforming document with its version and path', async () => {
    const run = await steward('contracts', 'verify');
    assert.equal(run.code, 1, run.stderr);
    const bad = manifest.faults.filter((f) => f.kind === 'bad-shape');
    assert.equal(bad.length, 6);
    for (const f of bad) assert.match(run.stdout, new RegExp(`  "${f.key}"  v1  .*${f.field} `), f.key);
    const tasks = manifest.counts.tasks;
    const badTasks = new Set(bad.filter((f) => f.collection === 'tasks').map((f) => f.key)).size;
    assert.match(
      run.stdout,
      new RegExp(`^tasks +[\\d.]+% conforming \\(${tasks - badTasks}/${tasks}\\)  v1: ${tasks}$`, 'm'),
    );
    assert.match(run.stdout, /^officers +100\.0% conforming/m);
    assert.match(run.stdout, /skipped profiles: steward.config.ts does not declare it/);
  });

  test('--json gives a report per collection and the skipped contracts', async () => {
    const run = await steward('contracts', 'verify', '--json');
    assert.equal(run.code, 1, run.stderr);
    const out = JSON.parse(run.stdout) as VerifyJson;
    assert.equal(out.ok, false);
    assert.equal(out.threshold, 100);
    assert.deepEqual(out.collections.map((c) => c.collection).sort(), [...declared].sort());
    assert.deepEqual(
      out.skipped.map((s) => s.collection),
      ['profiles'],
    );
    const cases = out.collections.find((c) => c.collection === 'cases')!;
    assert.equal(cases.store, 'main');
    assert.deepEqual(cases.census, { 1: manifest.counts.cases });
    const fault = manifest.faults.find((f) => f.collection === 'cases')!;
    assert.deepEqual(
      cases.failures.map((f) => [f.key, f.version, f.failures.map((x) => x.path)]),
      [[fault.key, 1, [fault.field]]],
    );
    assert.equal(cases.passed, false);
  });

  test('--threshold lowers the gate, and named collections are verified alone', async () => {
    const run = await steward('contracts', 'verify', 'tasks', 'officers', '--threshold', '90', '--json');
    assert.equal(run.code, 0, run.stderr);
    const out = JSON.parse(run.stdout) as VerifyJson;
    assert.deepEqual(out.collections.map((c) => c.collection).sort(), ['officers', 'tasks']);
  });

  test('a sample verifies the same documents every run', async () => {
    const [one, two] = [
      await steward('contracts', 'verify', 'tasks', '--sample', '0.5', '--json'),
      await steward('contracts', 'verify', 'tasks', '--sample', '0.5', '--json'),
    ];
    const checked = (run: { stdout: string }) =>
      (JSON.parse(run.stdout) as VerifyJson).collections[0]!.checked;
    assert.equal(checked(one), checked(two));
    assert.ok(checked(one) < manifest.counts.tasks);
  });

  test('a collection without a contract, or a bad option, is a usage error', async () => {
    const notes = await steward('contracts', 'verify', 'notes');
    assert.equal(notes.code, 2);
    assert.match(notes.stderr, /collection "notes" has no contract in contracts/);
    const undeclared = await steward('contracts', 'verify', 'profiles');
    assert.equal(undeclared.code, 2);
    assert.match(undeclared.stderr, /collection "profiles" is not declared/);
    const sample = await steward('contracts', 'verify', '--sample', '2');
    assert.equal(sample.code, 2);
    assert.match(sample.stderr, /--sample must be a fraction/);
  });

  test('exits 0 once the documents conform', async () => {
    const regenerate = await steward('example', 'generate', '--docs', '400', '--bad-shape', '0', '--force');
    assert.equal(regenerate.code, 0, regenerate.stderr);
    const run = await steward('contracts', 'verify');
    assert.equal(run.code, 0, run.stdout);
    assert.doesNotMatch(run.stdout, /v1 {2}/);
  });
});
