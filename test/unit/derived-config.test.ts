/**
 * The config's `derived`: the example's declarations resolve (and agree with its contracts), and
 * every bad shape is named by its config path, all at once.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { resolveConfig } from '../../src/config/resolve-config.js';
import { isStewardError } from '../../src/errors/steward-error.js';
import { caseManagementModel, exampleCollectionNames } from '../../src/example/case-management-model.js';
import { exampleDerived } from '../../src/example/example-derived.js';

const collections = Object.fromEntries(exampleCollectionNames.map((n) => [n, {}]));
const resolve = (derived: unknown) =>
  resolveConfig(
    { stores: { main: { kind: 'sqlite', file: 'x.sqlite' } }, collections, derived },
    { baseDir: '/tmp' },
  );

function problems(derived: unknown): string[] {
  try {
    resolve(derived);
  } catch (error) {
    assert.ok(isStewardError(error) && error.code === 'config.invalid');
    return (error.details.problems as { path: string }[]).map((p) => p.path);
  }
  return [];
}

describe('derived declarations', () => {
  test("the example's declarations resolve, one per model field, snapshot where the contract says so", () => {
    const derived = resolve(exampleDerived()).derived;
    assert.equal(derived.size, caseManagementModel.derived.length);
    const count = derived.get('case_list.openTaskCount')!;
    assert.equal(count.kind, 'counter');
    assert.deepEqual(count.source.link, { by: 'key', field: 'caseId' });
    assert.equal(count.stalenessMs, 5 * 60_000);
    const officer = derived.get('cases.assignedOfficerName')!;
    assert.equal(officer.snapshot, true);
    assert.deepEqual(officer.source.link, { by: 'via', field: 'lead.officerId' });
    assert.deepEqual(derived.get('case_list.subjectName')!.transform, { type: 'copy', field: 'name' });
  });

  test('a function transform links by key or via, not both', () => {
    const fn = () => 1;
    assert.equal(
      resolve({
        'cases.x': { kind: 'stored', source: { collection: 'tasks', key: 'caseId' }, transform: fn },
      }).derived.get('cases.x')!.transform.type,
      'function',
    );
    assert.deepEqual(
      problems({ 'cases.x': { kind: 'stored', source: { collection: 'tasks' }, transform: fn } }),
      ['derived.cases.x.source'],
    );
  });

  test('every bad shape is named by its path', () => {
    assert.deepEqual(
      problems({
        'case_list.a': {
          kind: 'tally',
          source: { collection: 'nowhere', via: 'x', where: { $or: [] } },
          transform: { count: true },
          refresh: 'hourly',
          staleness: 'soon',
          consumers: [{ irreversible: true }],
          snapshot: 'yes',
          extra: 1,
        },
        'case_list.b': {
          kind: 'copy',
          source: { collection: 'subjects', key: 'id' },
          transform: { copy: 'name' },
        },
        'case_list.c': {
          kind: 'aggregate',
          source: { collection: 'tasks' },
          transform: { sum: 'hours', max: 'x' },
        },
        nodot: {},
        'ghost.field': {
          kind: 'copy',
          source: { collection: 'subjects' },
          transform: { copy: 'name', via: 'subjectId' },
        },
      }).sort(),
      [
        'derived.case_list.a.consumers[0]',
        'derived.case_list.a.extra',
        'derived.case_list.a.kind',
        'derived.case_list.a.refresh',
        'derived.case_list.a.snapshot',
        'derived.case_list.a.source.collection',
        'derived.case_list.a.source.key',
        'derived.case_list.a.source.via',
        'derived.case_list.a.source.where',
        'derived.case_list.a.staleness',
        'derived.case_list.b.transform.via',
        'derived.case_list.c.transform',
        'derived.ghost.field',
        'derived.nodot',
      ],
    );
  });
});
