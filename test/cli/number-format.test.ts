/**
 * One number format in text output (issue 14 item 5): counts of 1,000 and more are printed with
 * thousands separators by every report, as the progress lines print them, and `--json` keeps
 * plain numbers. Run on a SQLite project holding a 12,000-document example (1,200 case lists), so the counts of
 * `example generate` and `drift check` pass 1,000.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { DriftReport } from '../../src/derived/drift-report.js';
import { exampleCollectionNames } from '../../src/example/case-management-model.js';
import { exampleDerived } from '../../src/example/example-derived.js';
import { projectWithConfig, runSteward } from '../support/run-steward.js';

const collections = exampleCollectionNames.map((n) => `${n}: { key: 'id' }`).join(', ');
const config =
  `{ stores: { main: { kind: 'sqlite', file: 'app.sqlite' } }, collections: { ${collections} }, ` +
  `derived: ${JSON.stringify(exampleDerived())} }`;

/** A count of four digits or more written without separators, e.g. "3000 documents". */
const bareCount = /(?<![\d.,])\d{4,}(?![\d.,])/;

describe('counts in text output', () => {
  let dir: string;
  let generated: string;
  const steward = (...args: string[]) =>
    runSteward(args, { cwd: dir, env: { STEWARD_ACTOR: 'ci' }, timeoutMs: 120_000 });

  before(async () => {
    dir = projectWithConfig(config);
    const generate = await steward('example', 'generate', '--docs', '12000', '--seed', '5', '--drift', '3');
    assert.equal(generate.code, 0, generate.stderr);
    generated = generate.stdout;
  });

  test('example generate prints its total with separators', () => {
    assert.match(generated, /wrote \d{1,3}(,\d{3})+ documents/, generated);
  });

  test('drift check prints checked and read counts of 1,000 and more with separators', async () => {
    const run = await steward('drift', 'check');
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stdout, /\d{1,3}(,\d{3})+ checked of \d{1,3}(,\d{3})+ read/, run.stdout);
    const summaries = run.stdout.split('\n').filter((l) => l.includes(' checked of '));
    for (const l of summaries) assert.doesNotMatch(l.replace(/\(\d+ ms\)/, ''), bareCount, l);
  });

  test('drift check --json keeps plain numbers', async () => {
    const run = await steward('drift', 'check', '--json');
    assert.equal(run.code, 1, run.stderr);
    const reports = (JSON.parse(run.stdout) as { reports: DriftReport[] }).reports;
    const big = reports.filter((r) => r.scanned >= 1000);
    assert.ok(big.length > 0, run.stdout.slice(0, 500));
    for (const r of big) assert.equal(typeof r.scanned, 'number');
    assert.match(run.stdout, /"scanned":\s*\d{4,}/);
  });
});
