/**
 * The OpenLineage runs of apply and rollback, from their events alone (no store): a failed gate
 * ends the stage and the migration run with FAIL and an ErrorMessageRunFacet, a pause with ABORT,
 * an automatic rollback is a child of the migration run, and a job that threw fails what it left
 * open. Every event is checked against the OpenLineage JSON Schema; a broken one is refused.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { MigrationEvent } from '../../src/migrations/apply/migration-events.js';
import type { MigrationStarted } from '../../src/migrations/lineage.js';
import type { RunEvent } from '../../src/signals/openlineage-event.js';
import { OpenLineageRuns } from '../../src/signals/openlineage-runs.js';
import { assertRunEvent } from '../support/openlineage-schema.js';

const at = '2026-07-01T12:00:00.000Z';
const started = (direction: 'up' | 'down'): MigrationEvent => ({
  type: 'started',
  started: {
    direction,
    migration: 'm1',
    planHash: 'a'.repeat(64),
    store: 'main',
    collections: ['subjects'],
    fromVersion: direction === 'up' ? 1 : 2,
    toVersion: direction === 'up' ? 2 : 1,
    at,
  } satisfies MigrationStarted,
});
const progress = (stage: 'canary' | 'rest'): MigrationEvent => ({
  type: 'progress',
  migration: 'm1',
  stage,
  collection: 'subjects',
  counts: { changed: 1, skipped: 0, failed: 0, canary: 1 },
});
const gateFailed: MigrationEvent = {
  type: 'gate',
  migration: 'm1',
  result: {
    gate: 'validators',
    stage: 'canary',
    ok: false,
    message: 'noEmptyName: 2 documents',
    problems: [],
  },
};
let ids = 0;
const runs = () =>
  new OpenLineageRuns({
    namespace: 'steward',
    newRunId: () => `00000000-0000-4000-8000-${String(++ids).padStart(12, '0')}`,
  });
const summary = (events: RunEvent[]) => events.map((e) => `${e.eventType} ${e.job.name}`);

describe('OpenLineage runs of a migration', () => {
  test('a failed gate fails the canary and the migration run, with the gate in an ErrorMessageRunFacet', () => {
    const r = runs();
    const events = [...r.on(started('up')), ...r.on(progress('canary')), ...r.on(gateFailed)];
    events.push(...r.close({ outcome: 'gate-failed', at, auditHead: `7:${'b'.repeat(64)}` }));
    for (const e of events) assertRunEvent(e);
    assert.deepEqual(summary(events), [
      'START migrate.m1',
      'START migrate.m1.canary',
      'FAIL migrate.m1.canary',
      'FAIL migrate.m1',
    ]);
    for (const e of events.slice(2)) {
      assert.equal(e.run.facets?.errorMessage?.message, 'gate validators failed: noEmptyName: 2 documents');
      assert.equal(e.run.facets?.errorMessage?.programmingLanguage, 'JavaScript');
      assert.deepEqual(e.run.facets?.steward_auditHead, {
        _producer: e.producer,
        _schemaURL: 'urn:steward:spec:facets:1-0-0:StewardAuditHeadRunFacet',
        seq: 7,
        hash: 'b'.repeat(64),
      });
    }
  });

  test('a pause aborts what is open; an error fails it with its message', () => {
    const paused = runs();
    const a = [...paused.on(started('up')), ...paused.on(progress('canary')), ...paused.on(progress('rest'))];
    a.push(...paused.close({ outcome: 'paused', at }));
    for (const e of a) assertRunEvent(e);
    assert.deepEqual(summary(a), [
      'START migrate.m1',
      'START migrate.m1.canary',
      'COMPLETE migrate.m1.canary',
      'START migrate.m1.apply',
      'ABORT migrate.m1.apply',
      'ABORT migrate.m1',
    ]);
    assert.equal(a[4]?.run.facets?.errorMessage, undefined);
    const failed = runs();
    const b = [
      ...failed.on(started('up')),
      ...failed.close({ outcome: 'error', message: 'store unreachable', at }),
    ];
    for (const e of b) assertRunEvent(e);
    assert.deepEqual(summary(b), ['START migrate.m1', 'FAIL migrate.m1']);
    assert.equal(b[1]?.run.facets?.errorMessage?.message, 'store unreachable');
  });

  test('an automatic rollback is a child of the migration run, which then fails', () => {
    const r = runs();
    const events = [
      ...r.on(started('up')),
      ...r.on(progress('canary')),
      ...r.on(gateFailed),
      ...r.on(started('down')),
    ];
    events.push(
      ...r.on({
        type: 'lineage',
        lineage: {
          type: 'migration.rolled-back',
          migration: 'm1',
          planHash: 'a'.repeat(64),
          collections: [],
          at,
        },
      }),
      ...r.close({ outcome: 'rolled-back', at }),
    );
    for (const e of events) assertRunEvent(e);
    assert.deepEqual(summary(events), [
      'START migrate.m1',
      'START migrate.m1.canary',
      'FAIL migrate.m1.canary',
      'START migrate.m1.rollback',
      'COMPLETE migrate.m1.rollback',
      'FAIL migrate.m1',
    ]);
    assert.deepEqual(events[3]?.run.facets?.parent?.run, { runId: events[0]!.run.runId });
  });

  test('the schema check refuses an event that breaks the spec', () => {
    const r = runs();
    const [start] = r.on(started('up'));
    assert.throws(() => assertRunEvent({ ...start, run: { runId: 'not-a-uuid' } }), /format "uuid"/);
    assert.throws(() => assertRunEvent({ ...start, eventType: 'DONE' }), /allowed values/);
    const { producer: _, ...noProducer } = start!;
    assert.throws(() => assertRunEvent(noProducer), /producer/);
    const facets = { steward_plan: { planHash: 'x' } };
    assert.throws(() => assertRunEvent({ ...start, run: { ...start!.run, facets } }), /_producer/);
  });
});
