import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadContracts } from '../../src/contracts/load-contracts.js';
import { isStewardError, type StewardError } from '../../src/errors/steward-error.js';
import { exampleContracts, writeExampleContracts } from '../../src/example/example-contracts.js';

function folder(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'steward-contracts-'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return dir;
}

const orders = {
  collection: 'orders',
  owner: 'order-service',
  versions: [
    {
      version: 1,
      schema: {
        type: 'object',
        properties: { id: { type: 'string' }, total: { type: 'number' } },
        required: ['id'],
      },
    },
  ],
  consumers: { billing: { reads: ['total'] } },
};

/** Loads and expects a contract.invalid error; returns its problems as "file: path: message" lines. */
async function problemsOf(dir: string): Promise<string[]> {
  try {
    await loadContracts(dir);
  } catch (error) {
    assert.ok(isStewardError(error, 'contract.invalid'), String(error));
    const problems = (error as StewardError).details.problems as {
      file: string;
      path: string;
      message: string;
    }[];
    return problems.map((p) => `${p.file}: ${p.path}: ${p.message}`);
  }
  assert.fail('expected the contracts to be rejected');
}

describe('loadContracts', () => {
  it('loads the example contracts with their defaults', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'steward-contracts-'));
    writeExampleContracts(dir);
    const { contracts } = await loadContracts(dir);
    assert.equal(contracts.length, exampleContracts().length);
    const cases = contracts.find((c) => c.collection === 'cases');
    assert.ok(cases);
    assert.deepEqual(cases.compatibility, { mode: 'full-transitive', semantics: 'lenient' });
    assert.equal(cases.versionField, 'schemaVersion');
    assert.equal(cases.fields['lead.officerId']?.references, 'officers');
    assert.deepEqual(cases.fields.assignedOfficerName?.source, {
      collection: 'officers',
      field: 'name',
      via: 'lead.officerId',
    });
  });

  it('reads schema files and resolves $refs to shared schemas for the diff', async () => {
    const dir = folder({
      'money.schema.json': {
        $id: 'https://example.com/money',
        type: 'object',
        properties: { cents: { type: 'integer' } },
      },
      'orders/v1.json': {
        type: 'object',
        properties: { id: { type: 'string' }, total: { $ref: 'https://example.com/money' } },
      },
      'orders/orders.contract.json': {
        ...orders,
        versions: [{ version: 1, schema: 'v1.json' }],
        consumers: { billing: { reads: ['total.cents'] } },
      },
    });
    const { contracts, registry } = await loadContracts(dir);
    const v1 = contracts[0]?.versions[0];
    assert.ok(v1);
    assert.deepEqual((v1.resolved as { properties: { total: unknown } }).properties.total, {
      $id: 'https://example.com/money',
      type: 'object',
      properties: { cents: { type: 'integer' } },
    });
    const validate = registry.validator(v1.schema, 'v1');
    assert.equal(validate({ id: 'a', total: { cents: 3 } }), true);
    assert.equal(validate({ id: 'a', total: { cents: 'x' } }), false);
  });

  it('loads a contract written in TypeScript with defineContract', async () => {
    const dir = folder({
      'orders.contract.ts': `import { defineContract } from 'steward';\nexport default defineContract(${JSON.stringify(orders)});\n`,
    });
    const { contracts } = await loadContracts(dir);
    assert.equal(contracts[0]?.owner, 'order-service');
  });

  it('starts a compatibility group where a version says so', async () => {
    const v = orders.versions[0] as { version: number; schema: object };
    const dir = folder({
      'orders.contract.json': {
        ...orders,
        versions: [
          v,
          { ...v, version: 2, startsCompatibilityGroup: 'totals move to cents' },
          { ...v, version: 3 },
        ],
      },
    });
    const { contracts } = await loadContracts(dir);
    assert.deepEqual(
      contracts[0]?.versions.map((x) => x.group),
      [1, 2, 2],
    );
  });

  it('reports an invalid JSON Schema with the file and the version', async () => {
    const dir = folder({
      'orders.contract.json': {
        ...orders,
        consumers: {},
        versions: [{ version: 1, schema: { type: 'strng' } }],
      },
    });
    const problems = await problemsOf(dir);
    assert.equal(problems.length, 1);
    assert.match(
      problems[0] as string,
      /^orders\.contract\.json: versions\[0\]\.schema: .*not a valid JSON Schema/,
    );
  });

  it('reports a $ref that resolves nowhere', async () => {
    const dir = folder({
      'orders.contract.json': {
        ...orders,
        consumers: {},
        versions: [
          { version: 1, schema: { type: 'object', properties: { a: { $ref: 'https://nowhere/x' } } } },
        ],
      },
    });
    const problems = await problemsOf(dir);
    assert.match(
      problems.join('\n'),
      /orders\.contract\.json: versions\[0\]\.schema: .*https:\/\/nowhere\/x/,
    );
  });

  it('reports a consumer reading a field no version declares, and every other problem at once', async () => {
    const dir = folder({
      'orders.contract.json': {
        ...orders,
        compatibility: { mode: 'sideways' },
        consumers: { billing: { reads: ['total', 'currency'] } },
        fields: { total: { authority: 'guess' }, id: { references: 'customers' } },
        waivers: [{ rule: 'field-removed', path: '/properties/x', reason: 'ok' }],
      },
      'broken.contract.json': '{ "collection": ',
    });
    const problems = (await problemsOf(dir)).join('\n');
    assert.match(problems, /broken\.contract\.json: \(file\): is not valid JSON/);
    assert.match(problems, /consumers\.billing\.reads: "currency" is not a field of any version of orders/);
    assert.match(problems, /compatibility\.mode: must be one of/);
    assert.match(problems, /fields\.total\.authority: must be one of authoritative/);
    assert.match(problems, /waivers\[0\]\.expires: is required/);
    assert.doesNotMatch(problems, /"total" is not a field/);
  });

  it('reports references to collections without a contract, and duplicate contracts', async () => {
    const dir = folder({
      'a.contract.json': { ...orders, fields: { id: { references: 'customers' } } },
      'b.contract.json': orders,
    });
    const problems = (await problemsOf(dir)).join('\n');
    assert.match(problems, /fields\.id\.references: no contract declares collection "customers"/);
    assert.match(
      problems,
      /b\.contract\.json: collection: "orders" also has a contract in a\.contract\.json/,
    );
  });

  it('gives an unchanged folder of JSON contracts the last load again, compiled validators included', async () => {
    const dir = folder({ 'orders.contract.json': orders });
    const first = await loadContracts(dir);
    const schema = first.contracts[0]!.versions[0]!.schema;
    const second = await loadContracts(dir);
    assert.equal(second, first);
    assert.equal(second.registry.validator(schema, 'v1'), first.registry.validator(schema, 'v1'));
  });

  it('loads again when a file changes, even to the same size, and never caches module contracts', async () => {
    const dir = folder({ 'orders.contract.json': orders });
    const first = await loadContracts(dir);
    // Same length, other owner: a size-and-time fingerprint could miss it, the bytes do not.
    writeFileSync(join(dir, 'orders.contract.json'), JSON.stringify({ ...orders, owner: 'order-servicf' }));
    const changed = await loadContracts(dir);
    assert.notEqual(changed, first);
    assert.equal(changed.contracts[0]!.owner, 'order-servicf');
    writeFileSync(join(dir, 'orders.contract.json'), JSON.stringify({ ...orders, versions: [] }));
    await assert.rejects(loadContracts(dir), /contract/);

    // A schema file outside the folder is not in the fingerprint: such a folder is read every time.
    const outside = folder({ 'orders.v1.json': orders.versions[0]!.schema });
    const linked = folder({
      'orders.contract.json': {
        ...orders,
        versions: [{ version: 1, schema: join(outside, 'orders.v1.json') }],
      },
    });
    assert.notEqual(await loadContracts(linked), await loadContracts(linked));

    const ts = folder({
      'orders.contract.ts': `export default ${JSON.stringify(orders)};\n`,
    });
    assert.notEqual(await loadContracts(ts), await loadContracts(ts));
  });

  it('names a missing contracts folder', async () => {
    await assert.rejects(
      loadContracts('/nonexistent/contracts'),
      /no contracts folder at \/nonexistent\/contracts/,
    );
  });
});
