/**
 * Issue 15, loading: drafts 07, 2019-09 and 2020-12 each compiled by their Ajv class, `$id`s
 * shared between versions and contracts, `$ref` refactors, and recursive schemas.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { checkContracts } from '../../src/contracts/check/check-contracts.js';
import { checkCompatibility } from '../../src/contracts/compatibility/check-compatibility.js';
import type { Contract } from '../../src/contracts/contract.js';
import { fieldPathsOf } from '../../src/contracts/field-paths.js';
import { loadContracts } from '../../src/contracts/load-contracts.js';
import { isStewardError, type StewardError } from '../../src/errors/steward-error.js';

function folder(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'steward-drafts-'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), JSON.stringify(content));
  }
  return dir;
}

const contract = (collection: string, schemas: object[]) => ({
  collection,
  owner: 'svc',
  versions: schemas.map((schema, i) => ({ version: i + 1, schema })),
});

async function problems(dir: string): Promise<string> {
  try {
    await loadContracts(dir);
  } catch (error) {
    assert.ok(isStewardError(error, 'contract.invalid'), String(error));
    return (error as StewardError).message;
  }
  return assert.fail('expected contract.invalid');
}

/** The compatibility of a loaded contract's versions, as the check runs it. */
function verdict(c: Contract, semantics: 'strict' | 'lenient' = 'lenient') {
  return checkCompatibility({ versions: c.versions.map((v) => v.resolved), mode: 'full', semantics });
}

const d7 = 'http://json-schema.org/draft-07/schema#';
const d19 = 'https://json-schema.org/draft/2019-09/schema';
const str = { type: 'string' };

describe('loading drafts and $ids (issue 15)', () => {
  it('two versions that share an $id each compile in their own scope', async () => {
    const v = (extra: object) => ({
      $id: 'https://example.com/case',
      type: 'object',
      properties: { id: str, ...extra },
    });
    const dir = folder({ 'cases.contract.json': contract('cases', [v({}), v({ note: str })]) });
    const { contracts, registry } = await loadContracts(dir);
    const [v1, v2] = contracts[0]?.versions ?? [];
    assert.ok(v1 && v2);
    assert.equal(registry.validator(v2.schema, 'v2')({ id: 'a', note: 'x' }), true);
    assert.equal(registry.validator(v1.schema, 'v1')({ id: 1 }), false);
  });

  it('two contracts that share an $id both load', async () => {
    const s = { $id: 'https://example.com/doc', type: 'object', properties: { id: str } };
    const dir = folder({
      'a.contract.json': contract('a', [s]),
      'b.contract.json': contract('b', [{ ...s, required: ['id'] }]),
    });
    const { contracts } = await loadContracts(dir);
    assert.deepEqual(
      contracts.map((c) => c.collection),
      ['a', 'b'],
    );
  });

  it('loads a draft-07 schema (tuple items, additionalItems, definitions) and compares its tuple', async () => {
    const v1 = {
      $schema: d7,
      definitions: { label: str },
      type: 'object',
      properties: {
        pair: {
          type: 'array',
          items: [{ $ref: '#/definitions/label' }, { type: 'number' }],
          additionalItems: false,
        },
      },
    };
    const v2 = {
      ...v1,
      properties: {
        pair: { ...v1.properties.pair, items: [{ $ref: '#/definitions/label' }, { type: 'integer' }] },
      },
    };
    const dir = folder({ 'pairs.contract.json': contract('pairs', [v1, v2]) });
    const { contracts, registry } = await loadContracts(dir);
    const c = contracts[0] as Contract;
    assert.equal(
      registry.validator(c.versions[0]?.schema ?? true, 'v1')({ pair: ['a', 1.5, 'extra'] }),
      false,
    );
    const result = verdict(c);
    assert.deepEqual(
      result.violations.map((v) => [v.path, v.rule, v.direction]),
      [['/properties/pair/prefixItems/1', 'type-narrowed', 'backward']],
    );
    assert.ok(fieldPathsOf(c.versions[0]?.resolved ?? true).has('pair'), 'pair is a declared field');
  });

  it('loads a 2019-09 schema with its own Ajv (items array is a tuple there too)', async () => {
    const v1 = { $schema: d19, type: 'array', items: [str], additionalItems: false };
    const dir = folder({ 'rows.contract.json': contract('rows', [v1]) });
    const { registry, contracts } = await loadContracts(dir);
    const validate = registry.validator(contracts[0]?.versions[0]?.schema ?? true, 'v1');
    assert.equal(validate(['a']), true);
    assert.equal(validate(['a', 'b']), false);
  });

  it('refuses a $schema it does not read, naming the file, the version and the drafts it reads', async () => {
    const dir = folder({
      'x.contract.json': contract('x', [{ $schema: 'http://json-schema.org/draft-04/schema#' }]),
    });
    assert.match(
      await problems(dir),
      /x\.contract\.json: versions\[0\]\.schema: .*draft-04.*draft-07, 2019-09, 2020-12/,
    );
  });

  it('a pure $ref refactor into $defs or definitions is no change', async () => {
    const plain = {
      type: 'object',
      properties: { id: str, name: { type: 'string', maxLength: 20 } },
      required: ['id'],
    };
    const defs = {
      type: 'object',
      $defs: { name: { type: 'string', maxLength: 20 } },
      properties: { id: str, name: { $ref: '#/$defs/name', description: 'moved' } },
      required: ['id'],
    };
    const d7defs = {
      $schema: d7,
      ...defs,
      $defs: undefined,
      definitions: defs.$defs,
      properties: { id: str, name: { $ref: '#/definitions/name' } },
    };
    const dir = folder({ 'a.contract.json': contract('a', [plain, defs, d7defs]) });
    const { contracts } = await loadContracts(dir);
    for (const semantics of ['strict', 'lenient'] as const) {
      const c = contracts[0] as Contract;
      const result = checkCompatibility({
        versions: c.versions.map((v) => v.resolved),
        mode: 'full-transitive',
        semantics,
      });
      assert.deepEqual(result.violations, [], semantics);
    }
  });

  it('refuses {"$ref": "#"} at load (it would recurse forever on every document)', async () => {
    const dir = folder({ 'loop.contract.json': contract('loop', [{ $ref: '#' }]) });
    assert.match(await problems(dir), /loop\.contract\.json: versions\[0\]\.schema: .*refers to itself/);
    const viaAllOf = folder({
      'loop.contract.json': contract('loop', [{ type: 'object', allOf: [{ $ref: '#' }] }]),
    });
    assert.match(await problems(viaAllOf), /refers to itself/);
  });

  it('compares a recursive schema through its recursion', async () => {
    const tree = (name: object, required: string[] = []) => ({
      type: 'object',
      properties: { name, children: { type: 'array', items: { $ref: '#' } } },
      required,
    });
    const dir = folder({
      't.contract.json': contract('t', [
        tree(str),
        tree(str),
        tree({ type: ['string', 'null'] }),
        tree(str, ['name']),
      ]),
    });
    const { contracts } = await loadContracts(dir);
    const c = contracts[0] as Contract;
    const pair = (a: number, b: number, semantics: 'strict' | 'lenient' = 'strict') =>
      checkCompatibility({
        versions: [c.versions[a]?.resolved ?? true, c.versions[b]?.resolved ?? true],
        mode: 'full',
        semantics,
      });
    assert.equal(pair(0, 1).ok, true);
    const widened = pair(1, 2);
    assert.deepEqual(
      widened.violations.map((v) => [v.path, v.rule, v.direction]),
      [['/properties/name', 'type-widened', 'forward']],
    );
    assert.ok(
      pair(1, 3).violations.some((v) => v.rule === 'field-made-required' && v.direction === 'backward'),
      'name made required breaks backward',
    );
  });

  it('contracts check passes a $ref refactor and an $id kept across versions end to end', async () => {
    const v1 = { $id: 'https://example.com/a', type: 'object', properties: { id: str } };
    const v2 = {
      $id: 'https://example.com/a',
      type: 'object',
      $defs: { id: str },
      properties: { id: { $ref: '#/$defs/id' } },
    };
    const base = await loadContracts(folder({ 'a.contract.json': contract('a', [v1]) }));
    const now = await loadContracts(folder({ 'a.contract.json': contract('a', [v1, v2]) }));
    const report = checkContracts({ baseline: base.contracts, current: now.contracts, asOf: '2026-01-01' });
    assert.equal(report.ok, true, JSON.stringify(report.collections[0]?.findings));
  });
});
