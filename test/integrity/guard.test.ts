/**
 * The read-time guard on every selected store: references followed for a read, a marked partial
 * result (never a throw) for a missing target, one rehydration request per reference and key,
 * and `refs rehydrate` working the queue: copying from rehydrateFrom, or recording an incident.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { Registry } from 'prom-client';
import type { JsonObject } from '../../src/core/json.js';
import { rehydrationId } from '../../src/integrity/guard/rehydration-queue.js';
import { resolveReference } from '../../src/integrity/guard/resolve-reference.js';
import { workRehydrations } from '../../src/integrity/guard/work-rehydrations.js';
import { incidentId, listIncidents } from '../../src/ledger/incidents.js';
import { Signals } from '../../src/signals/signals.js';
import { stewardMetrics } from '../../src/signals/steward-metrics.js';
import { readAll } from '../support/read-all.js';
import { selectedKinds } from '../support/test-stores.js';
import { type Fixture, reference, repairContext, seededWorlds } from './integrity-fixture.js';

for (const kind of selectedKinds()) {
  describe(`read-time guard on ${kind}`, () => {
    const fresh = seededWorlds(kind, after);
    const requests = (f: Fixture) => readAll(f.collection(f.tl.ledger.namespace.rehydrations.name));

    test('present targets resolve: one document, an array of them, null for an empty optional reference', async () => {
      const f = await fresh();
      const guard = { ledger: f.tl.ledger, collection: f.collection };
      const accountId = reference('profiles.accountId', 'flag');
      const p1 = (await f.get('profiles', 'p1'))!;
      const one = await resolveReference({ ...guard, reference: accountId, doc: p1 });
      assert.equal(one.status, 'ok');
      assert.equal(one.status === 'ok' && (one.target as JsonObject).status, 'active');
      const empty = await resolveReference({
        ...guard,
        reference: accountId,
        doc: (await f.get('profiles', 'p4'))!,
      });
      assert.deepEqual(empty.status === 'ok' && empty.target, null);
      const subjects = reference('cases.subjectIds', 'flag');
      const many = await resolveReference({
        ...guard,
        reference: subjects,
        doc: (await f.get('cases', 'c2'))!,
      });
      assert.equal(many.status === 'ok' && (many.target as JsonObject[]).length, 1);
      assert.deepEqual(await requests(f), []);
    });

    test('a missing target gives a marked partial result and queues one request per reference and key', async () => {
      const f = await fresh();
      const metrics = stewardMetrics({ registry: new Registry() });
      const signals = new Signals({ metrics });
      const guard = { ledger: f.tl.ledger, collection: f.collection, onEvent: signals.listener };
      const accountId = reference('profiles.accountId', 'flag');
      await f.seed('profiles', [{ key: 'p6', accountId: 'a9', name: 'Fi' }]);
      const p3 = (await f.get('profiles', 'p3'))!;
      const missing = await resolveReference({ ...guard, reference: accountId, doc: p3 });
      assert.equal(missing.status, 'missing');
      assert.ok(missing.status === 'missing');
      assert.equal(missing.partial, true);
      assert.deepEqual(missing.missingKeys, ['a9']);
      assert.deepEqual(missing.found, []);
      assert.equal(missing.queued, true);
      assert.equal(missing.doc, p3, 'the document itself is returned, to render what is there');
      await resolveReference({ ...guard, reference: accountId, doc: p3 });
      await resolveReference({ ...guard, reference: accountId, doc: (await f.get('profiles', 'p6'))! });

      const c1 = await resolveReference({
        ...guard,
        reference: reference('cases.subjectIds', 'flag'),
        doc: (await f.get('cases', 'c1'))!,
      });
      assert.ok(c1.status === 'missing');
      assert.deepEqual(c1.missingKeys, ['s9', 's8']);
      assert.equal(c1.found.length, 2, 's1 and s2 are there');

      const queued = await requests(f);
      assert.equal(queued.length, 3, 'a9 once however often it is met, s9 and s8');
      const a9 = queued.find((r) => r.key === 'a9')!;
      assert.equal(
        a9[f.collection(f.tl.ledger.namespace.rehydrations.name).spec.keyField],
        rehydrationId(accountId.name, 'a9'),
      );
      assert.equal(a9.status, 'pending');
      assert.equal(a9.sourceKey, 'p3', 'the first reader is remembered');

      const required = await resolveReference({
        ...guard,
        reference: { ...accountId, required: true },
        doc: (await f.get('profiles', 'p4'))!,
      });
      assert.ok(required.status === 'missing');
      assert.deepEqual(required.missingKeys, []);
      assert.equal(required.queued, false, 'nothing to rehydrate for an empty reference');

      const text = await metrics.registry.metrics();
      assert.match(text, /steward_guarded_reads_total\{reference="profiles.accountId",status="missing"\} 4/);
      assert.match(text, /steward_rehydrations_queued_total\{reference="profiles.accountId"\} 1/);
      assert.match(text, /steward_rehydrations_queued_total\{reference="cases.subjectIds"\} 2/);
    });

    test('refs rehydrate copies from rehydrateFrom, records an incident otherwise, and marks requests done', async () => {
      const f = await fresh();
      const accountId = reference('profiles.accountId', 'rehydrate');
      const subjects = reference('cases.subjectIds', 'flag');
      const references = new Map([
        [accountId.name, accountId],
        [subjects.name, subjects],
      ]);
      const guard = { ledger: f.tl.ledger, collection: f.collection };
      for (const key of ['p2', 'p3'])
        await resolveReference({ ...guard, reference: accountId, doc: (await f.get('profiles', key))! });
      await resolveReference({ ...guard, reference: subjects, doc: (await f.get('cases', 'c1'))! });

      const before = await f.checksum();
      const planned = await workRehydrations(repairContext(f), references, { dryRun: true });
      assert.deepEqual(
        planned.map((r) => r.outcome),
        ['planned', 'planned', 'planned', 'planned'],
      );
      assert.equal(await f.checksum(), before, 'a dry run writes nothing');

      const results = await workRehydrations(repairContext(f), references, { batchSize: 2 });
      const outcomes = Object.fromEntries(results.map((r) => [String(r.key), r.outcome]));
      assert.deepEqual(outcomes, { a3: 'rehydrated', a9: 'incident', s9: 'incident', s8: 'incident' });
      assert.equal((await f.get('accounts', 'a3'))?.archived, true);
      assert.ok((await requests(f)).every((r) => r.status === 'done'));

      const incidents = [];
      for await (const i of listIncidents(f.incidents(), { status: 'open' })) incidents.push(i);
      assert.deepEqual(
        incidents.map((i) => i.id).sort(),
        [incidentId(accountId.name, 'p3'), incidentId(subjects.name, 'c1')].sort(),
      );
      const c1 = incidents.find((i) => i.subject === subjects.name)!;
      assert.equal(c1.kind, 'orphan');
      assert.deepEqual((c1.detail.missing as string[]).sort(), ['s8', 's9']);
      let audited = 0;
      for await (const r of f.tl.ledger.audit.records()) if (r.action === 'refs.rehydrate') audited++;
      assert.equal(audited, 4);
      assert.equal((await f.tl.ledger.audit.verify()).ok, true);

      assert.deepEqual(await workRehydrations(repairContext(f), references), [], 'the queue is empty');
      const p2 = await resolveReference({
        ...guard,
        reference: accountId,
        doc: (await f.get('profiles', 'p2'))!,
      });
      assert.equal(p2.status, 'ok', 'the rehydrated target is there for the next read');

      // Met again after its request was done: queued again, and still not to be found.
      await resolveReference({ ...guard, reference: accountId, doc: (await f.get('profiles', 'p3'))! });
      assert.equal((await requests(f)).find((r) => r.key === 'a9')?.status, 'pending');
      await f.seed('accounts', [{ key: 'a9', status: 'restored' }]);
      const again = await workRehydrations(repairContext(f), references);
      assert.deepEqual(
        again.map((r) => r.outcome),
        ['present'],
      );
    });
  });
}
