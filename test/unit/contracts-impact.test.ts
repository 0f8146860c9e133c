/** The impact map on the example's contracts: consumers, derived state, references, errors. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import type { Contract, ContractDefinition } from '../../src/contracts/contract.js';
import { impactLines } from '../../src/contracts/impact/impact-lines.js';
import { impactOf } from '../../src/contracts/impact/impact-of.js';
import { splitFieldRef } from '../../src/contracts/impact/split-field-ref.js';
import { loadContracts } from '../../src/contracts/load-contracts.js';
import { type ContractProblem, parseContract } from '../../src/contracts/parse-contract.js';
import { isStewardError } from '../../src/errors/steward-error.js';
import { writeExampleContracts } from '../../src/example/example-contracts.js';

let example: readonly Contract[] = [];
before(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'steward-impact-'));
  writeExampleContracts(dir);
  example = (await loadContracts(dir)).contracts;
});

/** Contracts written inline for cases the example does not have, parsed as the loader would. */
function parsed(definitions: readonly ContractDefinition[]): Contract[] {
  const problems: ContractProblem[] = [];
  const out = definitions.map((d) => parseContract(d, `${d.collection}.contract.json`, problems));
  assert.deepEqual(problems, []);
  return out as Contract[];
}

const str = { type: 'string' };
const orders = parsed([
  {
    collection: 'orders',
    owner: 'shop',
    versions: [
      { version: 1, schema: { type: 'object', properties: { id: str, customer: str } } },
      {
        version: 2,
        schema: {
          type: 'object',
          properties: { id: str, buyer: { type: 'object', properties: { id: str, name: str } } },
        },
      },
    ],
    fields: {
      customer: {
        deprecated: { removeAfter: '2027-01-01', reason: 'moved to buyer', replacement: 'buyer.id' },
      },
    },
    consumers: {
      billing: { reads: ['buyer'], writes: [] },
      crm: { reads: ['buyer.name'], writes: ['buyer.name'] },
      archive: { reads: ['id'] },
    },
  },
]);

describe('impact of a field', () => {
  test('subjects.name: its readers, the owner and the projection copied from it', () => {
    const impact = impactOf(example, 'subjects', 'name');
    assert.equal(impact.owner, 'subject-registry');
    assert.deepEqual(impact.versions, [1]);
    assert.equal(impact.isKey, false);
    assert.deepEqual(
      impact.consumers.map((c) => [c.service, c.reads]),
      [
        ['case-list-projector', ['name']],
        ['case-service', ['name']],
      ],
    );
    assert.deepEqual(impact.derived, [
      {
        collection: 'case_list',
        field: 'subjectName',
        authority: 'projection',
        source: 'subjects.name',
        via: 'subjectId',
        freshness: '1h',
        because: 'source',
        readBy: ['case-portal'],
      },
    ]);
    assert.deepEqual(impact.references, []);
    assert.deepEqual(impact.migrations, []);
  });

  test('cases.id, the key: every field that references cases, and the projections looked up by it', () => {
    const impact = impactOf(example, 'cases', 'id');
    assert.equal(impact.isKey, true);
    assert.deepEqual(
      impact.references.map((r) => `${r.direction} ${r.collection}.${r.field} -> ${r.target}`),
      [
        'targets assignments.caseId -> cases',
        'targets case_events.caseId -> cases',
        'targets tasks.caseId -> cases',
      ],
    );
    assert.deepEqual(
      impact.derived.map((d) => `${d.collection}.${d.field} ${d.because}`),
      ['case_list.referenceNo key', 'case_list.status key'],
    );
  });

  test('a reference field: the reference it holds and the copy found through it', () => {
    const impact = impactOf(example, 'cases', 'lead.officerId');
    assert.deepEqual(impact.references, [
      { direction: 'holds', collection: 'cases', field: 'lead.officerId', target: 'officers' },
    ]);
    assert.deepEqual(
      impact.derived.map((d) => `${d.collection}.${d.field} ${d.because}`),
      ['cases.assignedOfficerName via'],
    );
    // The parent object holds the same reference: moving `lead` moves `lead.officerId`.
    assert.equal(impactOf(example, 'cases', 'lead').references.length, 1);
  });

  test('a field counted by aggregates lists both counts and its reference', () => {
    const impact = impactOf(example, 'tasks', 'caseId');
    assert.deepEqual(
      impact.derived.map((d) => `${d.collection}.${d.field} ${d.authority} ${d.because}`),
      ['case_list.openTaskCount aggregate source', 'case_list.overdueTaskCount aggregate source'],
    );
    assert.deepEqual(
      impact.consumers.map((c) => c.service),
      ['case-list-projector'],
    );
    assert.equal(impact.references[0]?.target, 'cases');
  });

  test('consumers of a parent or a part of the field depend on it; writers are listed too', () => {
    const impact = impactOf(orders, 'orders', 'buyer.name');
    assert.deepEqual(impact.consumers, [
      { service: 'billing', reads: ['buyer'], writes: [] },
      { service: 'crm', reads: ['buyer.name'], writes: ['buyer.name'] },
    ]);
    assert.deepEqual(
      impactOf(orders, 'orders', 'buyer').consumers.map((c) => c.service),
      ['billing', 'crm'],
    );
  });

  test('deprecation and the versions that declare the field', () => {
    const impact = impactOf(orders, 'orders', 'customer');
    assert.deepEqual(impact.versions, [1]);
    assert.equal(impact.deprecated?.removeAfter, '2027-01-01');
    assert.deepEqual(impactOf(orders, 'orders', 'id').versions, [1, 2]);
    assert.deepEqual(impactOf(orders, 'orders', 'buyer.id').versions, [2]);
  });

  test('the key field comes from the options when the config names one', () => {
    assert.equal(impactOf(example, 'cases', 'id', { keyField: 'referenceNo' }).isKey, false);
    const byNumber = impactOf(example, 'cases', 'referenceNo', { keyField: 'referenceNo' });
    assert.equal(byNumber.isKey, true);
    assert.equal(byNumber.references.length, 3);
  });

  test('migrations are filtered to those touching the collection and the field', () => {
    const migrations = [
      { id: '001-rename-status', collections: ['cases'], fields: ['status'] },
      { id: '002-backfill-lead', collections: ['cases'], fields: ['lead'] },
      { id: '003-rewrite-cases', collections: ['cases', 'tasks'] },
      { id: '004-tasks-only', collections: ['tasks'], fields: ['status'] },
    ];
    const ids = (field: string) =>
      impactOf(example, 'cases', field, { migrations }).migrations.map((m) => m.id);
    assert.deepEqual(ids('status'), ['001-rename-status', '003-rewrite-cases']);
    assert.deepEqual(ids('lead.officerId'), ['002-backfill-lead', '003-rewrite-cases']);
  });

  test('an unknown field is a usage error that lists the fields', () => {
    assert.throws(
      () => impactOf(example, 'cases', 'foo'),
      (error) => {
        assert.ok(isStewardError(error, 'usage'));
        assert.equal(error.exitCode, 2);
        assert.match(error.message, /^cases has no field "foo"; fields: id, schemaVersion, referenceNo/);
        return true;
      },
    );
  });

  test('an unknown collection is a usage error that lists the collections', () => {
    assert.throws(
      () => impactOf(example, 'invoices', 'id'),
      (error) =>
        isStewardError(error, 'usage') &&
        /no contract declares collection "invoices"; collections: accounts, assignments/.test(error.message),
    );
  });
});

describe('splitFieldRef', () => {
  test('splits at the longest known collection, dots and all', () => {
    assert.deepEqual(splitFieldRef('cases.lead.officerId', ['cases']), {
      collection: 'cases',
      field: 'lead.officerId',
    });
    assert.deepEqual(splitFieldRef('audit.log.entry', ['audit', 'audit.log']), {
      collection: 'audit.log',
      field: 'entry',
    });
    assert.deepEqual(splitFieldRef('nope.x', ['cases']), { collection: 'nope', field: 'x' });
  });

  test('text without a field is a usage error', () => {
    for (const ref of ['cases', 'cases.', '.name']) {
      assert.throws(
        () => splitFieldRef(ref, ['cases']),
        (e) => isStewardError(e, 'usage'),
      );
    }
  });
});

describe('impactLines', () => {
  test('groups by kind and says "none" for empty groups', () => {
    const lines = impactLines(impactOf(example, 'subjects', 'name'));
    assert.equal(lines[0], 'subjects.name (owner subject-registry; version 1; authoritative)');
    assert.ok(lines.includes('Consumers (2):'));
    assert.ok(lines.some((l) => /case_list\.subjectName +projection of subjects\.name/.test(l)));
    assert.ok(lines.includes('References: none'));
    assert.ok(lines.includes('Migrations: none'));
  });

  test('shows a deprecation with its replacement', () => {
    const lines = impactLines(impactOf(orders, 'orders', 'customer'));
    assert.ok(
      lines.includes('  deprecated: may be removed after 2027-01-01: moved to buyer; read buyer.id instead'),
    );
  });
});

describe('docs/data-flow-map.md', () => {
  test('its impact examples are what steward prints for the example', () => {
    const docs = readFileSync(join(import.meta.dirname, '../../docs/data-flow-map.md'), 'utf8');
    const examples = [...docs.matchAll(/```console\n\$ steward contracts impact (\S+)\n([\s\S]*?)```/g)];
    assert.equal(examples.length, 2);
    for (const [, ref, shown] of examples) {
      const { collection, field } = splitFieldRef(
        ref as string,
        example.map((c) => c.collection),
      );
      assert.equal(shown, `${impactLines(impactOf(example, collection, field)).join('\n')}\n`, ref);
    }
  });
});
