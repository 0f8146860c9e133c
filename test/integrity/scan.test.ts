/**
 * `refs scan`'s core: the pure classification, key forms, token bucket and distinct counter, and
 * the scan itself on every selected store, against the example with orphans injected: it finds
 * exactly the manifest's orphans for each of the eight references (arrays and nested fields
 * included), counts nulls, absences and type mismatches apart, works across stores, and keeps
 * one incident per problem across rescans, closing it once the problem is fixed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { JsonObject } from '../../src/core/json.js';
import { takeTokens, tokenBucket } from '../../src/core/token-bucket.js';
import { isStewardError } from '../../src/errors/steward-error.js';
import type { ResolvedReference } from '../../src/integrity/reference.js';
import { alternateKeyForms, readReference } from '../../src/integrity/reference-keys.js';
import { classifyReference, type KeyLookup } from '../../src/integrity/scan/classify-reference.js';
import { DistinctCounter } from '../../src/integrity/scan/distinct-counter.js';
import { revalidateStale } from '../../src/integrity/scan/revalidate-stale.js';
import { scanJobName, scanReference } from '../../src/integrity/scan/scan-reference.js';
import type { ReferenceScanReport } from '../../src/integrity/scan/scan-report.js';
import { listIncidents } from '../../src/ledger/incidents.js';
import { openLedger } from '../../src/ledger/ledger.js';
import { type DocKey, keyId } from '../../src/stores/store.js';
import { openTestStore, selectedKinds, type TestStore } from '../support/test-stores.js';
import { buildExampleWorld, type ExampleWorld, exampleReferences, injectedOrphans } from './scan-fixture.js';

describe('reference values and key forms (pure)', () => {
  test('readReference: absent, null, scalars, arrays, nested and arrays on the way', () => {
    assert.deepEqual(readReference({}, 'a'), { kind: 'absent' });
    assert.deepEqual(readReference({ a: null }, 'a'), { kind: 'null' });
    assert.deepEqual(readReference({ a: [] }, 'a'), { kind: 'null' });
    assert.deepEqual(readReference({ a: 'k1' }, 'a'), { kind: 'keys', keys: ['k1'], invalid: [] });
    assert.deepEqual(readReference({ a: ['k1', 2, null, true] }, 'a'), {
      kind: 'keys',
      keys: ['k1', 2],
      invalid: [null, true],
    });
    assert.deepEqual(readReference({ a: { b: 'k' } }, 'a.b'), { kind: 'keys', keys: ['k'], invalid: [] });
    assert.deepEqual(readReference({ a: 'x' }, 'a.b'), { kind: 'absent' });
    assert.deepEqual(readReference({ lines: [{ p: 'k1' }, { q: 1 }, { p: ['k2'] }] }, 'lines.p'), {
      kind: 'keys',
      keys: ['k1', 'k2'],
      invalid: [],
    });
    assert.deepEqual(readReference({ a: { $oid: 'ab'.repeat(12) } }, 'a'), {
      kind: 'keys',
      keys: [{ $oid: 'ab'.repeat(12) }],
      invalid: [],
    });
    assert.deepEqual(readReference({ a: { x: 1 } }, 'a'), { kind: 'keys', keys: [], invalid: [{ x: 1 }] });
  });

  test('alternateKeyForms: numbers and strings both ways, hex and ObjectId both ways', () => {
    const hex = '64a1b2c3d4e5f60718293a4b';
    assert.deepEqual(alternateKeyForms(7), ['7']);
    assert.deepEqual(alternateKeyForms('7'), [7]);
    assert.deepEqual(alternateKeyForms('-2.5'), [-2.5]);
    assert.deepEqual(alternateKeyForms('007'), []);
    assert.deepEqual(alternateKeyForms('7e3'), []);
    assert.deepEqual(alternateKeyForms('case-0000001'), []);
    assert.deepEqual(alternateKeyForms(hex), [{ $oid: hex }]);
    assert.deepEqual(alternateKeyForms(hex.toUpperCase()), [{ $oid: hex }]);
    assert.deepEqual(alternateKeyForms({ $oid: hex }), [hex]);
    assert.deepEqual(alternateKeyForms('123456789012345678901234'), [{ $oid: '123456789012345678901234' }]);
  });

  test('classifyReference: one outcome per document, orphan before mismatch', () => {
    const exists = new Set(['s:a', 's:7', 'n:1']);
    const lookup: KeyLookup = {
      has: (k) => exists.has(keyId(k)),
      alternateOf: (k) => alternateKeyForms(k).find((f) => exists.has(keyId(f))),
    };
    const verdict = (doc: JsonObject, required = false) =>
      classifyReference(readReference(doc, 'r'), required, lookup);
    assert.deepEqual(verdict({ r: 'a' }), { outcome: 'ok' });
    assert.deepEqual(verdict({ r: ['a', '7'] }), { outcome: 'ok' });
    assert.deepEqual(verdict({}), { outcome: 'absent' });
    assert.deepEqual(verdict({ r: null }), { outcome: 'null' });
    assert.deepEqual(verdict({}, true), { outcome: 'missing-required', found: 'absent' });
    assert.deepEqual(verdict({ r: [] }, true), { outcome: 'missing-required', found: 'null' });
    assert.deepEqual(verdict({ r: 'zz' }), { outcome: 'orphan', missing: ['zz'], mismatched: [] });
    assert.deepEqual(verdict({ r: 7 }), {
      outcome: 'type-mismatch',
      mismatched: [{ value: 7, reason: 'key-type', matches: '7' }],
    });
    assert.deepEqual(verdict({ r: '1' }), {
      outcome: 'type-mismatch',
      mismatched: [{ value: '1', reason: 'key-type', matches: 1 }],
    });
    assert.deepEqual(verdict({ r: true }), {
      outcome: 'type-mismatch',
      mismatched: [{ value: true, reason: 'not-a-key' }],
    });
    assert.deepEqual(verdict({ r: ['zz', 7] }), {
      outcome: 'orphan',
      missing: ['zz'],
      mismatched: [{ value: 7, reason: 'key-type', matches: '7' }],
    });
  });

  test('token bucket: a second of burst, then the debt of a batch is waited off', () => {
    let bucket = tokenBucket(100, 0);
    let taken = takeTokens(bucket, 100, 0);
    assert.equal(taken.waitMs, 0);
    bucket = taken.bucket;
    taken = takeTokens(bucket, 50, 0);
    assert.equal(taken.waitMs, 500);
    bucket = taken.bucket;
    taken = takeTokens(bucket, 50, 500); // paid the debt, now 50 more: another half second
    assert.equal(taken.waitMs, 500);
    taken = takeTokens(taken.bucket, 10, 60_000); // a long idle refills only to capacity
    assert.equal(taken.waitMs, 0);
    assert.equal(taken.bucket.tokens, 90);
    // Over a long run the average is the rate, whatever the batch size.
    let b = tokenBucket(1000, 0);
    let now = 0;
    for (let i = 0; i < 50; i++) {
      const t = takeTokens(b, 700, now);
      b = t.bucket;
      now += t.waitMs;
    }
    assert.ok(Math.abs(50 * 700 - (now / 1000) * 1000 - 1000) <= 1, `elapsed ${now} ms`);
    assert.throws(() => tokenBucket(0, 0), RangeError);
  });

  test('distinct counter: exact under its budget, a close estimate past it, restored from its state', () => {
    const small = new DistinctCounter();
    for (const id of ['a', 'b', 'a', 'c']) small.add(id);
    assert.deepEqual(small.count(), { count: 3, exact: true });
    assert.deepEqual(DistinctCounter.fromState(small.toState()).count(), { count: 3, exact: true });

    const big = new DistinctCounter(1000);
    const n = 50_000;
    for (let i = 0; i < n; i++) big.add(`s:key-${i % n}`);
    for (let i = 0; i < n; i += 7) big.add(`s:key-${i}`);
    const { count, exact } = big.count();
    assert.equal(exact, false);
    assert.ok(Math.abs(count - n) / n < 0.05, `estimate ${count} for ${n}`);
    const restored = DistinctCounter.fromState(JSON.parse(JSON.stringify(big.toState())), 1000);
    assert.deepEqual(restored.count(), big.count());
    // The same ids in another order, split over a checkpoint, give the same state.
    const other = new DistinctCounter(1000);
    for (let i = n - 1; i >= n / 2; i--) other.add(`s:key-${i}`);
    const resumed = DistinctCounter.fromState(other.toState(), 1000);
    for (let i = 0; i < n / 2; i++) resumed.add(`s:key-${i}`);
    assert.deepEqual(resumed.count(), big.count());
  });
});

const docs = 2000;
const orphans = 24; // three per reference

for (const kind of selectedKinds()) {
  describe(`refs scan on ${kind}`, () => {
    let w: ExampleWorld;
    before(async () => {
      w = await buildExampleWorld(kind, { docs, orphans });
    });
    after(async () => w?.cleanup());

    test('finds exactly the injected orphans of each of the eight references', async () => {
      assert.equal(exampleReferences.length, 8);
      for (const reference of exampleReferences) {
        const report = await scanReference(w.input(reference));
        const expected = injectedOrphans(w.manifest, reference);
        assert.equal(expected.length, 3, reference.name);
        const open = await w.incidents({ subject: reference.name, status: 'open' });
        assert.deepEqual(open.map((i) => String(i.key)).sort(), expected, reference.name);
        assert.ok(open.every((i) => i.kind === 'orphan' && i.collection === reference.collection));
        assert.equal(report.orphans, expected.length, reference.name);
        assert.deepEqual([...report.orphanSample].map(String).sort(), expected, reference.name);
        assert.deepEqual(report.distinctMissingKeys, { count: expected.length, exact: true });
        assert.equal(report.scanned, w.manifest.counts[reference.collection as 'tasks'], reference.name);
        assert.equal(report.ok + report.orphans, report.scanned, reference.name);
        assert.equal(report.nulls + report.absent + report.typeMismatches + report.missingRequired, 0);
        assert.ok(
          report.lookups <= report.batches * 2,
          `${report.lookups} lookups for ${report.batches} batches`,
        );
        assert.ok(report.distinctTargetKeys.count > 0 && report.distinctTargetKeys.exact);
        assert.equal(report.incidents.opened, expected.length);
        // The missing keys are the manifest's `actual` values.
        const missing = open.flatMap((i) => (i.detail.missing as DocKey[]).map(String)).sort();
        const actual = w.manifest.faults
          .filter(
            (f) =>
              f.kind === 'orphan' && f.collection === reference.collection && f.field === reference.field,
          )
          .map((f) => (f as { actual: string }).actual)
          .sort();
        assert.deepEqual(missing, actual);
      }
      const audits = [];
      for await (const r of w.ledger.audit.records()) if (r.action === 'refs.scan') audits.push(r);
      assert.equal(audits.length, 8, 'one audit record per completed scan');
      assert.equal(
        await w.ledger.checkpoints.load(scanJobName('tasks.caseId')),
        undefined,
        'checkpoint cleared',
      );
    });

    test('a rescan updates incidents instead of adding any; fixing an orphan closes its incident', async () => {
      const reference = exampleReferences.find((r) => r.name === 'cases.lead.officerId')!;
      const expected = injectedOrphans(w.manifest, reference);
      const again = await scanReference(w.input(reference));
      assert.equal(again.orphans, expected.length);
      assert.deepEqual(again.incidents, { opened: 0, updated: expected.length, closed: 0, stillOpen: 0 });
      assert.equal((await w.incidents({ subject: reference.name })).length, expected.length);

      // Fix one orphan at the source and delete another's document, then rescan.
      const { source } = w.collections(reference);
      const [fixKey, goneKey] = expected as [string, string];
      const fault = w.manifest.faults.find((f) => f.key === fixKey && f.field === reference.field)!;
      const fixed = await source.write([
        { type: 'patch', key: fixKey, set: { 'lead.officerId': fault.expected } },
      ]);
      assert.equal(fixed[0]?.status, 'ok');
      assert.equal((await source.write([{ type: 'delete', key: goneKey }]))[0]?.status, 'ok');
      const after = await scanReference(w.input(reference));
      assert.equal(after.orphans, expected.length - 2);
      assert.equal(after.incidents.closed, 2);
      const all = await w.incidents({ subject: reference.name });
      assert.equal(all.length, expected.length, 'still one incident per document');
      const closed = all.filter((i) => i.status === 'closed');
      assert.deepEqual(closed.map((i) => String(i.key)).sort(), [fixKey, goneKey].sort());
      for (const i of closed) assert.equal(i.resolution?.action, 'gone');
    });

    test('two segments together report what one scan reports', async () => {
      const reference = exampleReferences.find((r) => r.name === 'cases.subjectIds')!;
      const whole = await scanReference(w.input(reference));
      const parts: ReferenceScanReport[] = [];
      for (const index of [0, 1])
        parts.push(await scanReference(w.input(reference, { segment: { index, total: 2 } })));
      const sum = (name: 'scanned' | 'ok' | 'orphans' | 'nulls' | 'absent' | 'typeMismatches') =>
        parts.reduce((n, p) => n + p[name], 0);
      for (const name of ['scanned', 'ok', 'orphans', 'nulls', 'absent', 'typeMismatches'] as const)
        assert.equal(sum(name), whole[name], name);
      const sample = parts.flatMap((p) => p.orphanSample.map(String)).sort();
      assert.deepEqual(sample, [...whole.orphanSample].map(String).sort());
      assert.equal(parts[0]!.scanned > 0 && parts[1]!.scanned > 0, true, 'both segments hold documents');
    });

    test('a segment being scanned by another process is refused with lease.held', async () => {
      const reference = exampleReferences[0]!;
      const lease = await w.ledger.acquireLease({
        name: scanJobName(reference.name, { index: 1, total: 3 }),
        holder: 'someone-else',
        ttlMs: 60_000,
      });
      await assert.rejects(scanReference(w.input(reference, { segment: { index: 1, total: 3 } })), (error) =>
        isStewardError(error, 'lease.held'),
      );
      await lease.release();
    });

    test('--stale-only rechecks the open incidents not checked within the horizon', async () => {
      const reference = {
        ...exampleReferences.find((r) => r.name === 'profiles.accountId')!,
        revalidateAfterMs: 3_600_000,
      };
      await scanReference(w.input(reference));
      const open = await w.incidents({ subject: reference.name, status: 'open' });
      assert.equal(open.length, 3);
      const fresh = await revalidateStale({ ...w.collections(reference), reference, ledger: w.ledger });
      assert.equal(fresh.checked, 0, 'everything was checked within the hour');
      // Fix one, then look from two hours later: all three are stale, one is closed.
      const { source } = w.collections(reference);
      const fault = w.manifest.faults.find((f) => f.key === String(open[0]!.key) && f.field === 'accountId')!;
      await source.write([{ type: 'patch', key: fault.key, set: { accountId: fault.expected } }]);
      const later = () => Date.now() + 2 * 3_600_000;
      const stale = await revalidateStale({
        ...w.collections(reference),
        reference,
        ledger: w.ledger,
        clock: later,
      });
      assert.deepEqual(
        { checked: stale.checked, closed: stale.closed, stillOpen: stale.stillOpen },
        {
          checked: 3,
          closed: 1,
          stillOpen: 2,
        },
      );
      // The two still open were stamped as checked then: from that time they are not stale.
      const again = await revalidateStale({
        ...w.collections(reference),
        reference,
        ledger: w.ledger,
        clock: later,
      });
      assert.equal(again.checked, 0);
      const without = await revalidateStale({
        ...w.collections(reference),
        reference: exampleReferences[0]!,
        ledger: w.ledger,
      });
      assert.equal(without.horizonMs, null);
    });
  });

  describe(`refs scan type mismatches, nulls and required references on ${kind}`, () => {
    let t: TestStore;
    before(async () => {
      t = await openTestStore(kind);
    });
    after(async () => t?.cleanup());

    test('null and absent are counted apart; wrong key types are mismatches, not orphans', async () => {
      const targets = t.spec('accounts');
      const sources = t.spec('profiles');
      const k = targets.keyField;
      const sk = sources.keyField;
      await t.store.ensureCollection(targets);
      await t.store.ensureCollection(sources);
      const put = (docs: JsonObject[]) => docs.map((doc) => ({ type: 'insert' as const, doc }));
      await t.store.collection(targets).write(put([{ [k]: 'a1' }, { [k]: 'a2' }, { [k]: '7' }]));
      const rows: [string, JsonObject][] = [
        ['ok', { ref: 'a1' }],
        ['ok-nested', { ref: ['a1', 'a2'] }],
        ['null', { ref: null }],
        ['empty', { ref: [] }],
        ['absent', {}],
        ['number', { ref: 7 }],
        ['object', { ref: { id: 'a1' } }],
        ['boolean', { ref: true }],
        ['mixed', { ref: ['a2', 7] }],
        ['orphan', { ref: 'nope' }],
        ['orphan-array', { ref: ['a1', 'gone', 7] }],
      ];
      await t.store.collection(sources).write(put(rows.map(([key, doc]) => ({ ...doc, [sk]: key }))));
      const ledger = await openLedger(t.store, { actor: 'test', namespacePrefix: `lm${process.pid}_` });
      try {
        const reference: ResolvedReference = {
          name: 'profiles.ref',
          collection: 'profiles',
          field: 'ref',
          target: 'accounts',
          owner: 'test',
          onMissing: 'flag',
          required: false,
        };
        const input = {
          source: t.store.collection(sources),
          target: t.store.collection(targets),
          ledger,
          holder: 'me',
        };
        const report = await scanReference({ ...input, reference, batch: 4 });
        assert.deepEqual(
          {
            scanned: report.scanned,
            ok: report.ok,
            nulls: report.nulls,
            absent: report.absent,
            orphans: report.orphans,
            typeMismatches: report.typeMismatches,
            missingRequired: report.missingRequired,
          },
          { scanned: 11, ok: 2, nulls: 2, absent: 1, orphans: 2, typeMismatches: 4, missingRequired: 0 },
        );
        assert.deepEqual(report.distinctMissingKeys, { count: 2, exact: true });
        const incidents = [];
        for await (const i of listIncidents(t.store.collection(ledger.namespace.incidents), {
          subject: 'profiles.ref',
        }))
          incidents.push(i);
        const kinds = Object.fromEntries(incidents.map((i) => [String(i.key), i.kind]));
        assert.deepEqual(kinds, {
          number: 'type-mismatch',
          object: 'type-mismatch',
          boolean: 'type-mismatch',
          mixed: 'type-mismatch',
          orphan: 'orphan',
          'orphan-array': 'orphan',
        });
        const number = incidents.find((i) => i.key === 'number')!;
        assert.deepEqual(number.detail.mismatched, [{ value: 7, reason: 'key-type', matches: '7' }]);

        const required = await scanReference({
          ...input,
          reference: { ...reference, name: 'profiles.ref!', required: true },
        });
        assert.equal(required.missingRequired, 3);
        assert.equal(required.nulls + required.absent, 0);
      } finally {
        await ledger.drop();
      }
    });

    // Not registered on DynamoDB: steward's tables there have string partition keys and no
    // ObjectIds, so neither case can exist; the string/number case above covers that store.
    const numberedKeys: (name: string, fn: () => Promise<void>) => unknown =
      kind === 'dynamodb' ? () => undefined : test;
    numberedKeys(
      'a number written as a string, and ObjectId hex as a string, where the store allows such keys',
      async () => {
        const targets = t.spec('numbered');
        const sources = t.spec('pointers');
        const k = targets.keyField;
        await t.store.ensureCollection(targets);
        await t.store.ensureCollection(sources);
        const hex = '64a1b2c3d4e5f60718293a4b';
        await t.store.collection(targets).write([
          { type: 'insert', doc: { [k]: 1 } },
          { type: 'insert', doc: { [k]: { $oid: hex } } },
        ]);
        const sk = sources.keyField;
        await t.store.collection(sources).write([
          { type: 'insert', doc: { [sk]: 'p1', ref: 1 } },
          { type: 'insert', doc: { [sk]: 'p2', ref: '1' } },
          { type: 'insert', doc: { [sk]: 'p3', ref: { $oid: hex } } },
          { type: 'insert', doc: { [sk]: 'p4', ref: hex } },
          { type: 'insert', doc: { [sk]: 'p5', ref: 2 } },
        ]);
        const ledger = await openLedger(t.store, { actor: 'test', namespacePrefix: `ln${process.pid}_` });
        try {
          const reference: ResolvedReference = {
            name: 'pointers.ref',
            collection: 'pointers',
            field: 'ref',
            target: 'numbered',
            owner: 'test',
            onMissing: 'flag',
            required: false,
          };
          const report = await scanReference({
            reference,
            source: t.store.collection(sources),
            target: t.store.collection(targets),
            ledger,
            holder: 'me',
          });
          assert.deepEqual([report.ok, report.typeMismatches, report.orphans], [2, 2, 1]);
          const incidents = [];
          for await (const i of listIncidents(t.store.collection(ledger.namespace.incidents)))
            incidents.push(i);
          const byKey = Object.fromEntries(incidents.map((i) => [String(i.key), i]));
          assert.deepEqual(byKey.p2?.detail.mismatched, [{ value: '1', reason: 'key-type', matches: 1 }]);
          assert.deepEqual(byKey.p4?.detail.mismatched, [
            { value: hex, reason: 'key-type', matches: { $oid: hex } },
          ]);
          assert.equal(byKey.p5?.kind, 'orphan');
        } finally {
          await ledger.drop();
        }
      },
    );
  });

  describe(`a cross-store reference with ${kind} on one side`, () => {
    let local: TestStore;
    let remote: TestStore;
    before(async () => {
      local = await openTestStore('sqlite');
      remote = await openTestStore(kind);
    });
    after(async () => {
      await local?.cleanup();
      await remote?.cleanup();
    });

    test('source in SQLite, target in the other store, and the other way round', async () => {
      for (const [sourceStore, targetStore] of [
        [local, remote],
        [remote, local],
      ] as const) {
        const targets = targetStore.spec(`acc_${sourceStore === local ? 'a' : 'b'}`);
        const sources = sourceStore.spec(`prof_${sourceStore === local ? 'a' : 'b'}`);
        await targetStore.store.ensureCollection(targets);
        await sourceStore.store.ensureCollection(sources);
        await targetStore.store
          .collection(targets)
          .write(['a1', 'a2', 'a3'].map((id) => ({ type: 'insert', doc: { [targets.keyField]: id } })));
        await sourceStore.store.collection(sources).write(
          ['a1', 'a2', 'a3', 'a4', 'a1', 'a9'].map((ref, i) => ({
            type: 'insert',
            doc: { [sources.keyField]: `p${i}`, accountId: ref },
          })),
        );
        const ledger = await openLedger(local.store, { actor: 'test', namespacePrefix: `lx${process.pid}_` });
        const report = await scanReference({
          reference: {
            name: 'profiles.accountId',
            collection: 'profiles',
            field: 'accountId',
            target: 'accounts',
            owner: 'test',
            onMissing: 'flag',
            required: false,
          },
          source: sourceStore.store.collection(sources),
          target: targetStore.store.collection(targets),
          ledger,
          holder: 'me',
          batch: 4,
        });
        assert.equal(report.scanned, 6);
        assert.equal(report.orphans, 2);
        assert.deepEqual([...report.orphanSample].sort(), ['p3', 'p5']);
        assert.deepEqual(report.distinctTargetKeys, { count: 5, exact: true });
        await ledger.drop();
      }
    });
  });
}
