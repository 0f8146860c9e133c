/**
 * `steward derived lint`, `derived status` and `derived amplification` as a user runs them (the
 * built CLI) on a SQLite project holding the example: lint passes the example with warnings (and
 * fails it with --strict), fails a stale state behind an irreversible decision; status reports
 * documents without metadata, then exits 1 once a document is older than its allowance;
 * amplification gives each source's factor. Unknown names are usage errors.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import type { SourceAmplification } from '../../src/derived/amplification/write-amplification.js';
import type { LintReport } from '../../src/derived/lint/lint-derived.js';
import type { DerivedStatus } from '../../src/derived/status/derived-status.js';
import { exampleCollectionNames } from '../../src/example/case-management-model.js';
import { exampleDerived } from '../../src/example/example-derived.js';
import { openStore } from '../../src/stores/open-store.js';
import { projectWithConfig, runSteward } from '../support/run-steward.js';

const collections = exampleCollectionNames.map((n) => `${n}: { key: 'id' }`).join(', ');
const config = (derived: string) =>
  `{ stores: { main: { kind: 'sqlite', file: 'app.sqlite' } }, collections: { ${collections} }, derived: ${derived} }`;

describe('steward derived lint, status and amplification on a SQLite project', () => {
  let dir: string;
  const steward = (...args: string[]) => runSteward(args, { cwd: dir, env: { STEWARD_ACTOR: 'ci' } });

  before(async () => {
    dir = projectWithConfig(config(JSON.stringify(exampleDerived())));
    const generate = await steward('example', 'generate', '--docs', '300', '--seed', '5');
    assert.equal(generate.code, 0, generate.stderr);
  });

  test('lint: the example has warnings only (exit 0), --strict fails on them, --json lists them', async () => {
    const run = await steward('derived', 'lint');
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /warning name-hides-authority {2}case_list\.openTaskCount field/);
    assert.match(run.stdout, /fix: rename it openTaskCountAsOf/);
    assert.match(run.stdout, /0 error\(s\), \d+ warning\(s\)/);
    assert.equal((await steward('derived', 'lint', '--strict')).code, 1);
    const json = await steward('derived', 'lint', 'case_list.subjectName', '--json');
    const report = JSON.parse(json.stdout) as LintReport & { ok: boolean };
    assert.equal(report.ok, true);
    assert.ok(report.findings.length > 0);
    assert.ok(report.findings.every((f) => f.derived === 'case_list.subjectName'));
  });

  test('lint: a stale counter behind an irreversible decision and an auto-refreshed snapshot fail', async () => {
    const bad = projectWithConfig(
      config(
        JSON.stringify({
          'case_list.openTaskCount': {
            ...exampleDerived()['case_list.openTaskCount'],
            consumers: [{ service: 'case-closure', irreversible: true }],
          },
          'cases.assignedOfficerName': {
            ...exampleDerived()['cases.assignedOfficerName'],
            refresh: 'scheduled',
          },
        }),
      ),
    );
    const run = await runSteward(['derived', 'lint', '--json'], { cwd: bad });
    assert.equal(run.code, 1, run.stderr);
    const report = JSON.parse(run.stdout) as LintReport;
    const errors = report.findings.filter((f) => f.severity === 'error').map((f) => `${f.rule} ${f.derived}`);
    assert.deepEqual(errors.sort(), [
      'irreversible-on-stale case_list.openTaskCount',
      'snapshot-refreshed cases.assignedOfficerName',
    ]);
    const unknown = await steward('derived', 'lint', 'case_list.nothing');
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /"case_list\.nothing" is not declared/);
  });

  test('status: unstamped documents are unknown (exit 0); one older than its allowance exits 1', async () => {
    const first = await steward('derived', 'status', '--json');
    assert.equal(first.code, 0, first.stderr);
    const statuses = (JSON.parse(first.stdout) as { statuses: DerivedStatus[] }).statuses;
    const open = statuses.find((s) => s.derived === 'case_list.openTaskCount')!;
    assert.ok(open.documents > 0);
    assert.equal(open.withoutMetadata, open.documents, 'the generator stamps no metadata');
    assert.equal(open.state, 'unknown');
    assert.equal(open.stalenessMs, 5 * 60_000);
    assert.equal(statuses.find((s) => s.derived === 'cases.assignedOfficerName')!.state, 'not-applicable');

    const store = await openStore({ kind: 'sqlite', file: join(dir, 'app.sqlite') });
    const old = new Date(Date.now() - 60 * 60_000).toISOString();
    await store.collection({ name: 'case_list', keyField: 'id' }).write([
      {
        type: 'patch',
        key: 'case-0000001',
        set: { '_projection.openTaskCount': { projectedAt: old, projectionVersion: 1, by: 'rebuild' } },
      },
    ]);
    await store.close();
    const late = await steward('derived', 'status', 'case_list.openTaskCount');
    assert.equal(late.code, 1, late.stdout + late.stderr);
    assert.match(late.stdout, /case_list\.openTaskCount {2}outside: 1 document\(s\) projected before/);
    assert.match(
      late.stdout,
      new RegExp(`oldest projected at ${old.replace(/\./g, '\\.')}, lag 60m, allowance 5m`),
    );
  });

  test('amplification: each source collection with its factor and the states it feeds', async () => {
    const run = await steward('derived', 'amplification', '--json');
    assert.equal(run.code, 0, run.stderr);
    const sources = (JSON.parse(run.stdout) as { sources: SourceAmplification[] }).sources;
    assert.deepEqual(
      sources.map((s) => `${s.source} ${s.factor}`),
      ['cases 2', 'subjects 2', 'tasks 2', 'officers 1'],
    );
    const text = await steward('derived', 'amplification');
    assert.match(
      text.stdout,
      /tasks {2}factor 2 \(synchronous 1\): one write refreshes 2 derived value\(s\) in 1 document\(s\) of case_list/,
    );
    assert.match(
      text.stdout,
      /cases\.assignedOfficerName {2}manual, via lead\.officerId \(not refreshed per write\)/,
    );
  });
});
