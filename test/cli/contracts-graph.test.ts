/**
 * `steward graph` and `steward contracts impact`, run as users run them, on the example's contracts
 * and on a project that declares its references and derived state in the config.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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

/**
 * A shop whose references and derived state are declared in the config only; with `contracts`,
 * also an orders contract that says customerId references products, where the config says customers.
 */
/** `contracts`: none, or the orders contract pointing customerId at customers (`agree`) or products. */
function shopProject(options: { contracts: false | 'agree' | 'disagree' }): string {
  const cwd = mkdtempSync(join(tmpdir(), 'steward-graph-cli-'));
  const copy = {
    kind: 'copy',
    refresh: 'asynchronous',
    staleness: '1h',
    validation: 'exact',
    repair: 'recompute',
  };
  writeFileSync(
    join(cwd, 'steward.config.json'),
    JSON.stringify({
      stores: { main: { kind: 'sqlite', file: 'shop.sqlite' } },
      collections: { orders: {}, products: {}, customers: {}, audit: {} },
      references: {
        'orders.productId': { target: 'products' },
        'orders.customerId': { target: 'customers' },
      },
      derived: {
        'orders.productName': {
          ...copy,
          source: { collection: 'products' },
          transform: { copy: 'name', via: 'productId' },
          consumers: [{ service: 'storefront' }],
        },
        'customers.orderCount': {
          ...copy,
          kind: 'counter',
          source: { collection: 'orders', key: 'customerId' },
          transform: { count: true },
        },
      },
    }),
  );
  if (options.contracts) {
    const contract = (collection: string, owner: string, fields: object) => ({
      collection,
      owner,
      versions: [
        {
          version: 1,
          schema: { type: 'object', properties: { id: { type: 'string' }, customerId: { type: 'string' } } },
        },
      ],
      fields,
    });
    mkdirSync(join(cwd, 'contracts'));
    for (const c of [
      contract('orders', 'order-service', {
        customerId: { references: options.contracts === 'agree' ? 'customers' : 'products' },
      }),
      contract('products', 'catalog', {}),
      ...(options.contracts === 'agree' ? [contract('customers', 'crm', {})] : []),
    ])
      writeFileSync(join(cwd, `contracts/${c.collection}.contract.json`), JSON.stringify(c));
  }
  return cwd;
}

describe('steward graph, with a config', () => {
  test('references and derived state declared only in the config are drawn, in Mermaid and in SVG', async () => {
    const cwd = shopProject({ contracts: false });
    const mermaid = await runSteward(['graph'], { cwd });
    assert.equal(mermaid.code, 0, mermaid.stderr);
    for (const line of [
      '  c_orders ==>|"productId"| c_products\n',
      '  c_orders ==>|"customerId"| c_customers\n',
      '  c_products -.->|"productName ← products.name"| c_orders\n',
      '  c_orders -.->|"orderCount ← orders.customerId"| c_customers\n',
      '  c_orders -->|"productName"| s_storefront\n',
      '  c_audit[("audit")]\n',
    ])
      assert.ok(mermaid.stdout.includes(line), `${line.trim()} in\n${mermaid.stdout}`);

    const svg = await runSteward(['graph', '--out', 'map.svg'], { cwd });
    assert.equal(svg.code, 0, svg.stderr);
    assert.match(svg.stderr, /wrote map\.svg \(svg\): 5 nodes, 5 edges/);
    const text = readFileSync(join(cwd, 'map.svg'), 'utf8');
    for (const label of [
      'productId',
      'customerId',
      'productName ← products.name',
      'orderCount ← orders.customerId',
    ])
      assert.ok(text.includes(`>${label}</tspan>`), label);
    assert.ok(text.includes('>audit</text>') && text.includes('>storefront</text>'));
    assert.ok(!existsSync(join(cwd, 'shop.sqlite')), 'no store was opened');
  });

  test('a reference the contract and the config point at different collections is a config error (exit 2)', async () => {
    const cwd = shopProject({ contracts: 'disagree' });
    for (const args of [['graph'], ['graph', '--out', 'map.svg']]) {
      const run = await runSteward(args, { cwd });
      assert.equal(run.code, 2, run.stderr);
      assert.match(
        run.stderr,
        /orders\.customerId: steward\.config\.json \(references\['orders\.customerId'\]\) points it at "customers", contracts\/orders\.contract\.json \(fields\['customerId'\]\.references\) at "products"/,
      );
      assert.equal(run.stdout, '');
    }
    assert.ok(!existsSync(join(cwd, 'map.svg')), 'nothing was drawn');
  });

  test('a contract and the config that declare a reference alike give one edge declared in both', async () => {
    const cwd = shopProject({ contracts: 'agree' });
    const json = await runSteward(['graph', '--json'], { cwd });
    assert.equal(json.code, 0, json.stderr);
    const edges = (
      JSON.parse(json.stdout) as { edges: { to: string; declaredIn: string[]; conflicts?: unknown[] }[] }
    ).edges;
    const toCustomers = edges.filter((e) => e.to === 'collection:customers');
    assert.ok(toCustomers.some((e) => e.declaredIn.includes('config') && e.declaredIn.includes('contract')));
    assert.ok(edges.every((e) => e.conflicts === undefined));
  });

  test('the SVG is the same bytes on every run; Mermaid never loads the layout engine', async () => {
    const cwd = shopProject({ contracts: 'agree' });
    const first = await runSteward(['graph', '--out', 'a.svg'], { cwd });
    const second = await runSteward(['graph', '--out', 'b.svg'], { cwd });
    assert.equal(first.code + second.code, 0, first.stderr + second.stderr);
    assert.equal(readFileSync(join(cwd, 'a.svg'), 'utf8'), readFileSync(join(cwd, 'b.svg'), 'utf8'));
    assert.deepEqual(loadedWith(cwd, ['graph']), { code: 0, elk: false });
    assert.deepEqual(loadedWith(cwd, ['graph', '--out', 'c.svg']), { code: 0, elk: true });
  });
});

/** Runs the built CLI in one process and says whether it loaded elkjs. */
function loadedWith(cwd: string, args: string[]): { code: number; elk: boolean } {
  const runCli = join(import.meta.dirname, '../../dist/cli/run-cli.js');
  const script = [
    "import { createRequire } from 'node:module';",
    `const { runCli } = await import(${JSON.stringify(runCli)});`,
    `const code = await runCli(${JSON.stringify(args)});`,
    'const elk = Object.keys(createRequire(import.meta.url).cache).some((p) => p.includes("/node_modules/elkjs/"));',
    'process.stdout.write("\\n" + JSON.stringify({ code, elk }) + "\\n");',
  ].join('\n');
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return JSON.parse(out.trim().split('\n').at(-1) ?? '{}');
}

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
