/**
 * The summary `steward migrate dry-run` prints names the failing documents, not only the first:
 * a failing validator lists its first few problems, each with the document's key, and says how
 * many more the report holds.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { exampleCollectionNames } from '../../src/example/case-management-model.js';
import { writeExampleContracts } from '../../src/example/example-contracts.js';
import { exampleContractsV2, writeExampleMigration } from '../../src/example/example-migrations.js';
import { projectWithConfig, runSteward } from '../support/run-steward.js';

const collections = exampleCollectionNames.map((n) => `${n}: {}`).join(', ');

test('a failing validator names several failing documents and counts the rest', async () => {
  const dir = projectWithConfig(
    `{ stores: { main: { kind: 'sqlite', file: 'app.sqlite' } }, collections: { ${collections} } }`,
  );
  writeExampleContracts(`${dir}/contracts`, exampleContractsV2());
  const file = writeExampleMigration(`${dir}/migrations`);
  // Every person now fails the after-validator "people have name parts".
  const source = readFileSync(file, 'utf8');
  const failing = source.replace(
    "doc.nameParts === null ? 'a person without nameParts'",
    "doc.nameParts !== null ? 'a person with nameParts'",
  );
  assert.notEqual(failing, source);
  writeFileSync(file, failing);
  assert.equal((await runSteward(['example', 'generate', '--docs', '1000'], { cwd: dir })).code, 0);

  const run = await runSteward(['migrate', 'dry-run'], { cwd: dir });
  assert.equal(run.code, 1, run.stderr);
  const lines = run.stdout.split('\n');
  const at = lines.findIndex((l) =>
    /validator people have name parts FAILED: \d+ of \d+ document\(s\) of subjects fail/.test(l),
  );
  assert.ok(at >= 0, run.stdout);
  const listed = lines.slice(at + 1, at + 6);
  for (const line of listed) assert.match(line, /^ {6}"[^"]+": a person with nameParts$/);
  assert.equal(new Set(listed).size, 5, 'five different documents');
  assert.match(lines[at + 6] ?? '', /^ {6}\.\.\. and \d+ more in the report$/);
});
