/** `steward graph` and `steward contracts impact`, run as users run them, on the example's contracts. */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { writeExampleContracts } from '../../src/example/example-contracts.js';
import { runSteward } from '../support/run-steward.js';

/** A folder with the example's contracts in ./contracts and no config. */
function exampleProject(): string {
  const cwd = mkdtempSync(join(tmpdir(), 'steward-graph-cli-'));
  writeExampleContracts(join(cwd, 'contracts'));
  return cwd;
}

describe('steward graph', () => {
  test('--out map.svg writes the SVG; --out map.md writes a Mermaid block; stdout is Mermaid', async () => {
    const cwd = exampleProject();
    const svg = await runSteward(['graph', '--out', 'map.svg'], { cwd });
    assert.equal(svg.code, 0, svg.stderr);
    const text = readFileSync(join(cwd, 'map.svg'), 'utf8');
    assert.ok(text.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
    assert.ok(text.includes('>case_list</text>') && text.includes('>case-portal</text>'));
    assert.match(svg.stderr, /wrote map\.svg \(svg\): 19 nodes, 33 edges/);

    const md = await runSteward(['graph', '--out', 'docs/map.md'], { cwd });
    assert.equal(md.code, 0, md.stderr);
    assert.match(readFileSync(join(cwd, 'docs/map.md'), 'utf8'), /```mermaid\nflowchart LR\n[\s\S]*```\n$/);

    const stdout = await runSteward(['graph'], { cwd });
    assert.equal(stdout.code, 0, stdout.stderr);
    assert.ok(stdout.stdout.startsWith('flowchart LR\n'));
    assert.ok(stdout.stdout.includes('c_tasks ==>|"caseId"| c_cases'));
  });

  test('--json prints the graph model; the contracts folder comes from --dir', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'steward-graph-cli-'));
    writeExampleContracts(join(cwd, 'elsewhere'));
    const run = await runSteward(['graph', '--json', '--dir', 'elsewhere'], { cwd });
    assert.equal(run.code, 0, run.stderr);
    const graph = JSON.parse(run.stdout) as { nodes: unknown[]; edges: { kind: string }[] };
    assert.equal(graph.nodes.length, 19);
    assert.equal(graph.edges.filter((e) => e.kind === 'references').length, 8);
  });

  test('the config names the contracts folder when there is one', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'steward-graph-cli-'));
    writeExampleContracts(join(cwd, 'spec/contracts'));
    writeFileSync(
      join(cwd, 'steward.config.json'),
      JSON.stringify({
        stores: { main: { kind: 'sqlite', file: 'app.sqlite' } },
        collections: { cases: { key: 'referenceNo' } },
        contracts: { dir: 'spec/contracts' },
      }),
    );
    const run = await runSteward(['graph', '--format', 'json'], { cwd });
    assert.equal(run.code, 0, run.stderr);
    // The config's key for cases is referenceNo, so references point at it and not at id.
    const impact = await runSteward(['contracts', 'impact', 'cases.referenceNo', '--json'], { cwd });
    assert.equal(impact.code, 0, impact.stderr);
    assert.equal((JSON.parse(impact.stdout) as { isKey: boolean }).isKey, true);
    assert.ok(!existsSync(join(cwd, 'app.sqlite')), 'no store was opened');
  });

  test('a format the extension contradicts, or an unknown extension, is a usage error', async () => {
    const cwd = exampleProject();
    const wrong = await runSteward(['graph', '--format', 'svg', '--out', 'map.md'], { cwd });
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /--format svg does not match the extension of "map\.md"/);
    const unknown = await runSteward(['graph', '--out', 'map.txt'], { cwd });
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /cannot tell the format of "map\.txt"/);
    assert.ok(!existsSync(join(cwd, 'map.txt')));
  });
});

describe('steward contracts impact', () => {
  test('--json lists the consumers and the derived copy of subjects.name', async () => {
    const cwd = exampleProject();
    const run = await runSteward(['contracts', 'impact', 'subjects.name', '--json'], { cwd });
    assert.equal(run.code, 0, run.stderr);
    const impact = JSON.parse(run.stdout) as {
      consumers: { service: string }[];
      derived: { collection: string; field: string }[];
    };
    assert.deepEqual(
      impact.consumers.map((c) => c.service),
      ['case-list-projector', 'case-service'],
    );
    assert.deepEqual(
      impact.derived.map((d) => `${d.collection}.${d.field}`),
      ['case_list.subjectName'],
    );
  });

  test('prints the impact grouped by kind', async () => {
    const cwd = exampleProject();
    const run = await runSteward(['contracts', 'impact', 'cases.id'], { cwd });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^cases\.id \(owner case-service; version 1; authoritative; key\)\n/);
    assert.match(run.stdout, /References \(3\):\n {2}assignments\.caseId +points at this key\n/);
  });

  test('an unknown field or collection exits 2 with the list of what exists, no stack trace', async () => {
    const cwd = exampleProject();
    const field = await runSteward(['contracts', 'impact', 'cases.foo'], { cwd });
    assert.equal(field.code, 2);
    assert.match(field.stderr, /cases has no field "foo"; fields: id, schemaVersion, referenceNo/);
    assert.doesNotMatch(field.stderr, /\n\s+at |internal error/);
    const collection = await runSteward(['contracts', 'impact', 'invoices.id'], { cwd });
    assert.equal(collection.code, 2);
    assert.match(collection.stderr, /no contract declares collection "invoices"; collections: accounts/);
    const none = await runSteward(['contracts', 'impact'], { cwd });
    assert.equal(none.code, 2);
    assert.match(none.stderr, /name a field, such as/);
  });
});
