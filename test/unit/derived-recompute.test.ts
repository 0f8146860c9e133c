/**
 * The pure core of derived state: recomputing counts, copies, sums, min, max and latest, the orphan
 * rule for copies, a throwing transformation reported as a failure, canonical comparison, and the
 * group hashes of the hash method.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseFilter } from '../../src/core/filter.js';
import type { JsonObject } from '../../src/core/json.js';
import type { DerivedTransform, ResolvedDerived } from '../../src/derived/derived.js';
import { recompute, sameValue } from '../../src/derived/recompute.js';

function declared(
  transform: DerivedTransform,
  link: ResolvedDerived['source']['link'],
  where = {},
): ResolvedDerived {
  return {
    name: 'c.f',
    collection: 'c',
    field: 'f',
    kind: 'counter',
    source: { collection: 's', link, where: parseFilter(where) },
    transform,
    refresh: 'asynchronous',
    onFailure: 'mark-stale',
    validation: 'exact',
    repair: 'recompute',
    consumers: [],
    snapshot: false,
    version: 1,
  };
}

const byKey = { by: 'key', field: 'caseId' } as const;
const tasks: JsonObject[] = [
  { id: 't1', caseId: 'c1', status: 'open', hours: 2, dueAt: '2026-01-02', title: 'b' },
  { id: 't2', caseId: 'c1', status: 'done', hours: 5, dueAt: '2026-01-05', title: 'e' },
  { id: 't3', caseId: 'c1', status: 'open', hours: 'n/a', dueAt: '2026-01-03', title: 'c' },
];

describe('recompute', () => {
  test('count with the portable filter, and zero when nothing matches', () => {
    const d = declared({ type: 'count' }, byKey, { status: 'open' });
    assert.deepEqual(recompute(d, { id: 'c1' }, tasks), { status: 'value', value: 2 });
    assert.deepEqual(recompute(d, { id: 'c2' }, []), { status: 'value', value: 0 });
  });

  test('sum skips non-numbers; min, max and latest; empty gives null', () => {
    assert.deepEqual(recompute(declared({ type: 'sum', field: 'hours' }, byKey), {}, tasks).status, 'value');
    assert.deepEqual(recompute(declared({ type: 'sum', field: 'hours' }, byKey), {}, tasks), {
      status: 'value',
      value: 7,
    });
    assert.deepEqual(recompute(declared({ type: 'min', field: 'dueAt' }, byKey), {}, tasks), {
      status: 'value',
      value: '2026-01-02',
    });
    assert.deepEqual(recompute(declared({ type: 'max', field: 'dueAt' }, byKey), {}, tasks), {
      status: 'value',
      value: '2026-01-05',
    });
    assert.deepEqual(
      recompute(
        declared({ type: 'latest', field: 'title', by: 'dueAt' }, byKey, { status: 'open' }),
        {},
        tasks,
      ),
      {
        status: 'value',
        value: 'c',
      },
    );
    assert.deepEqual(recompute(declared({ type: 'max', field: 'dueAt' }, byKey), {}, []), {
      status: 'value',
      value: null,
    });
  });

  test('a copy of a missing source is an orphan, not drift; a present one copies (null when absent)', () => {
    const d = declared({ type: 'copy', field: 'name' }, { by: 'via', field: 'subjectId' });
    assert.deepEqual(recompute(d, { subjectId: 's9' }, []), { status: 'orphan' });
    assert.deepEqual(recompute(d, { subjectId: 's1' }, [{ id: 's1', name: 'Acme' }]), {
      status: 'value',
      value: 'Acme',
    });
    assert.deepEqual(recompute(d, { subjectId: 's1' }, [{ id: 's1' }]), { status: 'value', value: null });
  });

  test('a throwing function is a failure for that document only', () => {
    const d = declared(
      {
        type: 'function',
        fn: () => {
          throw new Error('boom');
        },
      },
      byKey,
    );
    assert.deepEqual(recompute(d, {}, tasks), { status: 'failed', reason: 'boom' });
    const ok = declared({ type: 'function', fn: (_doc, s) => s.length * 10 }, byKey);
    assert.deepEqual(recompute(ok, {}, tasks), { status: 'value', value: 30 });
  });

  test('values compare canonically; a missing field equals null', () => {
    assert.ok(sameValue({ b: 1, a: 2 }, { a: 2, b: 1 }));
    assert.ok(sameValue(undefined, null));
    assert.ok(!sameValue(1, '1'));
  });
});
