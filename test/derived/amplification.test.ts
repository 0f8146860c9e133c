/**
 * `derived amplification` from declarations alone: per source collection, the derived documents
 * one write refreshes (fields of one document linked the same way share a write), the synchronous
 * part, and the states refreshed in batches instead of per write.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { resolveConfig } from '../../src/config/resolve-config.js';
import { writeAmplification } from '../../src/derived/amplification/write-amplification.js';
import type { ResolvedDerived } from '../../src/derived/derived.js';
import { exampleCollectionNames } from '../../src/example/case-management-model.js';
import { exampleDerived } from '../../src/example/example-derived.js';

const collections = Object.fromEntries(
  [...exampleCollectionNames, 'case_search', 'tenant_totals'].map((n) => [n, {}]),
);

function resolveAll(derived: Record<string, unknown>): ResolvedDerived[] {
  const config = resolveConfig(
    { stores: { main: { kind: 'sqlite', file: 'x.sqlite' } }, collections, derived },
    { baseDir: '/tmp' },
  );
  return [...config.derived.values()];
}

const count = (key: string, refresh: string) => ({
  kind: 'counter',
  source: { collection: 'tasks', key },
  transform: { count: true },
  refresh,
});

describe('derived amplification', () => {
  test('the example: each source feeds one case_list document; the snapshot is not refreshed per write', () => {
    const report = writeAmplification(resolveAll(exampleDerived() as Record<string, unknown>));
    const by = new Map(report.map((a) => [a.source, a]));
    const tasks = by.get('tasks')!;
    assert.equal(tasks.derivedWrites, 2, 'open and overdue task counts');
    assert.equal(tasks.derivedDocuments, 1, 'both live in the case_list document of the task’s case');
    assert.equal(tasks.factor, 2);
    assert.equal(tasks.synchronousFactor, 1, 'both are asynchronous');
    assert.deepEqual(tasks.collections, ['case_list']);
    assert.equal(by.get('cases')!.factor, 2);
    assert.equal(by.get('subjects')!.factor, 2);
    const officers = by.get('officers')!;
    assert.equal(officers.factor, 1);
    assert.deepEqual(
      officers.batched.map((s) => s.derived),
      ['cases.assignedOfficerName'],
    );
    assert.deepEqual(officers.perWrite, []);
  });

  test('distinct documents by collection and link; synchronous ones counted apart; highest first', () => {
    const report = writeAmplification(
      resolveAll({
        'case_list.open': count('caseId', 'synchronous'),
        'case_list.overdue': count('caseId', 'asynchronous'),
        'case_search.openTasks': count('caseId', 'asynchronous'),
        'tenant_totals.tasks': count('tenantId', 'synchronous'),
        'officers.tasksNightly': count('officerId', 'scheduled'),
        'case_list.subjectName': {
          kind: 'copy',
          source: { collection: 'subjects' },
          transform: { copy: 'name', via: 'subjectId' },
        },
      }),
    );
    assert.deepEqual(
      report.map((a) => a.source),
      ['tasks', 'subjects'],
    );
    const tasks = report[0]!;
    assert.equal(tasks.derivedWrites, 4);
    assert.equal(
      tasks.derivedDocuments,
      3,
      'case_list by caseId, case_search by caseId, tenant_totals by tenantId',
    );
    assert.equal(tasks.factor, 4);
    assert.equal(tasks.synchronousFactor, 3, 'case_list and tenant_totals are written in the write itself');
    assert.deepEqual(tasks.collections, ['case_list', 'case_search', 'tenant_totals']);
    assert.deepEqual(
      tasks.batched.map((s) => `${s.derived} ${s.refresh} ${s.link}`),
      ['officers.tasksNightly scheduled key officerId'],
    );
    assert.equal(report[1]!.factor, 2);
    assert.equal(report[1]!.perWrite[0]!.link, 'via subjectId');
  });

  test('no declarations, no sources', () => {
    assert.deepEqual(writeAmplification([]), []);
  });
});
